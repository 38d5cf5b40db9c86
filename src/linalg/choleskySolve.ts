import { checkFiniteArray, checkFiniteMatrix, checkFloatVector, checkMatrix, domainError, shapeError, shapeOf } from '../core/check.js';
import { NumericalError } from '../core/errors.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { choleskySolveInPlace } from '../kernels/choleskyKernel.js';

/**
 * Solve `(L·Lᵀ)·x = b` given a Cholesky factor `L` (from `choleskyDecompose`), in float64. Only the
 * lower triangle of `l` is read.
 *
 * @param l - lower-triangular factor with a positive diagonal, `n × n`
 * @param b - right-hand side, length `n`
 * @returns `x`, a new Float64Array of length `n`
 * @throws DomainError when `l` is not a well-formed `Matrix`, has a non-finite entry or a
 *   diagonal entry that is not positive; when `b` is not a float vector or not finite
 * @throws ShapeError when `l` is not square or `b.length !== l.rows`
 * @throws NumericalError when the solution does not fit in float64: `‖x‖` grows like `‖b‖ / min L_ii²`,
 *   so a tiny (e.g. subnormal) diagonal or a huge `b` overflows it; rescale `l` or `b`
 *
 * @example
 * ```ts
 * import { choleskyDecompose, choleskySolve, fromRows } from 'lmtransfer';
 * const L = choleskyDecompose(fromRows([[4, 2], [2, 5]]));
 * choleskySolve(L, new Float64Array([6, 7])); // Float64Array [1, 1]
 * ```
 */
export function choleskySolve(l: Matrix, b: FloatArray): Float64Array {
  const fn = 'choleskySolve';
  checkMatrix(fn, 'l', l);
  if (l.rows !== l.cols) throw shapeError(fn, 'l', 'a square matrix', shapeOf(l));
  checkFiniteMatrix(fn, 'l', l);
  const n = l.rows;
  for (let i = 0; i < n; i++) {
    const d = l.data[i * n + i];
    if (!(d > 0)) throw domainError(fn, 'l', 'a Cholesky factor with a positive diagonal', `${d} at (${i}, ${i})`);
  }
  checkFloatVector(fn, 'b', b, n, 'l.rows');
  checkFiniteArray(fn, 'b', b);
  const lf = l.data instanceof Float64Array ? l.data : Float64Array.from(l.data);
  const x = Float64Array.from(b);
  choleskySolveInPlace(lf, n, x);
  // With finite inputs and a positive diagonal, a non-finite entry can only come from overflow (an
  // entry of the true solution beyond 1.8e308, or ∞ − ∞ after one): report it rather than return it.
  for (let i = 0; i < n; i++) {
    if (x[i] - x[i] !== 0) {
      throw new NumericalError(
        `${fn}: the solution overflows float64 (x[${i}] = ${x[i]}); its size grows like |b| / (smallest diagonal entry of l)², here ${minDiagonal(lf, n)}: rescale l or b`,
      );
    }
  }
  return x;
}

function minDiagonal(l: Float64Array, n: number): number {
  let m = Infinity;
  for (let i = 0; i < n; i++) m = Math.min(m, l[i * n + i]);
  return m;
}
