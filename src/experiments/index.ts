// Public exports of src/experiments/ (filled in by the work on this concept).
export {};
