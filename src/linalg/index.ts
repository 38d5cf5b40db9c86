// Public exports of src/linalg/ (filled in by the work on this concept).
export {};
