import { NumericalError } from '../core/errors.js';
import { checkFiniteMatrix, checkMatrix, shapeError, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { choleskyInPlace } from '../kernels/choleskyKernel.js';

/**
 * The Cholesky factor `L` (lower triangular, positive diagonal) of a symmetric positive definite
 * matrix `a = L·Lᵀ`, as a new float64 matrix. Only the lower triangle of `a` is read (the upper
 * triangle is assumed to mirror it). Computed in float64 whatever the input precision.
 *
 * @param a - symmetric positive definite, `n × n`
 * @returns `L`, `n × n` float64, zero above the diagonal
 * @throws DomainError when `a` is not a well-formed `Matrix` or has a non-finite entry
 * @throws ShapeError when `a` is not square
 * @throws NumericalError when `a` is not (numerically) positive definite, e.g.
 *   `choleskyDecompose: argument 'a' must be symmetric positive definite; got a non-positive pivot -1 at row 1`
 *
 * @example
 * ```ts
 * import { choleskyDecompose, fromRows, toRows } from 'lmtransfer';
 * toRows(choleskyDecompose(fromRows([[4, 2], [2, 5]]))); // [[2, 0], [1, 2]]
 * ```
 */
export function choleskyDecompose(a: Matrix): Matrix {
  const fn = 'choleskyDecompose';
  checkMatrix(fn, 'a', a);
  if (a.rows !== a.cols) throw shapeError(fn, 'a', 'a square matrix', shapeOf(a));
  checkFiniteMatrix(fn, 'a', a);
  const n = a.rows;
  const l = Float64Array.from(a.data);
  const failed = choleskyInPlace(l, n);
  if (failed >= 0) {
    const pivot = l[failed * n + failed];
    throw new NumericalError(
      `${fn}: argument 'a' must be symmetric positive definite; got a non-positive pivot ${pivot} at row ${failed}`,
    );
  }
  return { rows: n, cols: n, data: l };
}

