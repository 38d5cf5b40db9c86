/** Row-wise log-softmax of a matrix of logits. */
import type { Matrix } from '../core/matrix.js';
import { allocFloat, dtypeOf } from '../core/matrix.js';
import { checkMatrix, shapeError, shapeOf } from '../core/check.js';
import { checkLogitRows } from './checkLogitRows.js';
import { rowLogSoftmax } from '../kernels/softmaxKernel.js';

/**
 * `log softmax` of each row: `out[i][j] = z[i][j] − LSE(z[i])`, computed from max-shifted values so
 * that log-probabilities far below `log(Number.MIN_VALUE) ≈ −745` stay finite and exact (they are
 * never formed as the log of an underflowed probability).
 *
 * Precision follows the input: a float32 matrix gives a float32 result (each entry computed in
 * float64 and rounded once), a float64 matrix a float64 result. A matrix with 0 rows gives a 0-row
 * result. `−Infinity` entries (masked words) give `−Infinity`.
 *
 * @param z - an `m × n` matrix of logits, `n ≥ 1`.
 * @returns a new `m × n` matrix of log-probabilities; `z` is not modified.
 * @throws ShapeError when `z` has no columns.
 * @throws DomainError when `z` is not a Matrix, holds NaN or `+Infinity`, or has a row that is
 *   entirely `−Infinity`.
 * @example
 * ```ts
 * logSoftmaxRows(fromRows([[0, Math.log(3)]])); // [[log(1/4), log(3/4)]]
 * ```
 */
export function logSoftmaxRows(z: Matrix): Matrix {
  const fn = 'logSoftmaxRows';
  checkMatrix(fn, 'z', z);
  const { rows, cols } = z;
  if (cols === 0) throw shapeError(fn, 'z', 'a matrix with at least one column', shapeOf(z));
  checkLogitRows(fn, 'z', z.data, rows, cols);
  const out = allocFloat(dtypeOf(z), rows * cols);
  for (let i = 0; i < rows; i++) rowLogSoftmax(z.data, i * cols, cols, out, i * cols);
  return { rows, cols, data: out };
}
