// Public exports of src/softmax/ (filled in by the work on this concept).
export {};
