// Public exports of src/model/ (filled in by the work on this concept).
export {};
