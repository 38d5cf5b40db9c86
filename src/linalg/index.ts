// Public exports of src/linalg/: dense products, least squares and Cholesky.
// `gemm` (src/linalg/gemm.ts) is the library-internal product entry point and is not exported here;
// the unchecked kernels (gemmKernel, choleskyKernel, qrKernel, conditionKernel) are imported by
// path inside the library.
export { matmul } from './matmul.js';
export { matmulTransposeA } from './matmulTransposeA.js';
export { matmulTransposeB } from './matmulTransposeB.js';
export { solveLeastSquares, CHOLESKY_CONDITION_LIMIT } from './solveLeastSquares.js';
export type { LeastSquaresOptions, LeastSquaresResult } from './solveLeastSquares.js';
export { choleskyDecompose } from './choleskyDecompose.js';
export { choleskySolve } from './choleskySolve.js';
