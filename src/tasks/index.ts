// Public exports of src/tasks/ (filled in by the work on this concept).
export {};
