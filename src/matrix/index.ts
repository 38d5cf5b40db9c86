export type { FloatArray, DType, Matrix } from './matrix.js';
export { matrix, fromRows, toRows, dtypeOf, allocFloat, zeros, cloneMatrix } from './matrix.js';
