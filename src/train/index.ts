// Public exports of src/train/ (filled in by the work on this concept).
export {};
