// Public exports of src/interop/: conversions to and from ml-matrix, TensorFlow.js tensors (structural,
// never imported) and nested arrays (`fromRows`/`toRows` in src/matrix/).
export { fromMlMatrix } from './fromMlMatrix.js';
export { toMlMatrix } from './toMlMatrix.js';
export { fromTensor } from './fromTensor.js';
export type { FromTensorOptions } from './fromTensor.js';
export { toTensor } from './toTensor.js';
export type { MlMatrixLike, Tensor2dFactory, TensorLike } from './types.js';
