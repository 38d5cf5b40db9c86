// Public exports of src/random/ (filled in by the work on this concept).
export {};
