// Public exports of src/anchor/ (filled in by the work on this concept).
export {};
