// Public exports of src/io/ (filled in by the work on this concept).
export {};
