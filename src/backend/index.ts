// Public exports of src/backend/ (filled in by the work on this concept).
export {};
