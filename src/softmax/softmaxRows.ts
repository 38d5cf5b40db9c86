/** Row-wise softmax of a matrix of logits. */
import type { Matrix } from '../core/matrix.js';
import { allocFloat, dtypeOf } from '../core/matrix.js';
import { checkMatrix, shapeError, shapeOf } from '../core/check.js';
import { checkLogitRows } from './checkLogitRows.js';
import { rowSoftmax } from '../kernels/softmaxKernel.js';

/**
 * `softmax` of each row: `out[i][j] = exp(z[i][j] − LSE(z[i]))`, from max-shifted values, so no
 * overflow for large logits. Each float64 row sums to 1 within a few units of `n·2^-53`.
 * Probabilities below `≈ 5e-324` (float64) or `≈ 1.4e-45` (float32) underflow to 0; when you need
 * their logarithms use `logSoftmaxRows`, never `log(softmaxRows(z))`.
 *
 * Precision follows the input (float32 in, float32 out). A matrix with 0 rows gives a 0-row result.
 *
 * @param z - an `m × n` matrix of logits, `n ≥ 1`.
 * @returns a new `m × n` matrix whose rows are probability distributions; `z` is not modified.
 * @throws ShapeError when `z` has no columns.
 * @throws DomainError when `z` is not a Matrix, holds NaN or `+Infinity`, or has a row that is
 *   entirely `−Infinity`.
 * @example
 * ```ts
 * softmaxRows(fromRows([[0, Math.log(3)]])); // [[0.25, 0.75]]
 * ```
 */
export function softmaxRows(z: Matrix): Matrix {
  const fn = 'softmaxRows';
  checkMatrix(fn, 'z', z);
  const { rows, cols } = z;
  if (cols === 0) throw shapeError(fn, 'z', 'a matrix with at least one column', shapeOf(z));
  checkLogitRows(fn, 'z', z.data, rows, cols);
  const out = allocFloat(dtypeOf(z), rows * cols);
  for (let i = 0; i < rows; i++) rowSoftmax(z.data, i * cols, cols, out, i * cols);
  return { rows, cols, data: out };
}
