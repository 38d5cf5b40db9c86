// Public exports of src/loss/ (filled in by the work on this concept).
export {};
