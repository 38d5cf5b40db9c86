export * from './errors.js';
export { matrix, fromRows, toRows, dtypeOf, allocFloat, zeros, cloneMatrix, type FloatArray, type DType, type Matrix, type NumericTypedArray } from './matrix.js';
