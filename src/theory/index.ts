// Public exports of src/theory/ (filled in by the work on this concept).
export {};
