// Public exports of src/figures/ (filled in by the work on this concept).
export {};
