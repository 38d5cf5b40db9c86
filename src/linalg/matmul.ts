import { ShapeError } from '../core/errors.js';
import { checkMatrix, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { productOf } from './matmulShared.js';
import { countOf } from '../core/countOf.js';

/**
 * The matrix product `a·b` of an `m × k` and a `k × n` matrix, as a new `m × n` matrix.
 *
 * Precision follows the input: the result is a Float32Array matrix only when both inputs are
 * float32, otherwise Float64Array. Mixed or float64 inputs are accumulated in float64; two float32
 * inputs give float32 products (accumulated in float64 by the TypeScript kernel, in float32 by the
 * WebAssembly backend when it is active; see `gemm`). Empty dimensions are allowed: `k = 0` gives
 * the `m × n` zero matrix, `m = 0` or `n = 0` an empty matrix. Non-finite entries propagate as in
 * IEEE arithmetic (they are not rejected, so that callers who already validated pay nothing).
 *
 * @param a - left factor, `m × k`
 * @param b - right factor, `k × n`
 * @returns `a·b`, `m × n`
 * @throws DomainError when `a` or `b` is not a well-formed `Matrix`
 * @throws ShapeError when `b.rows !== a.cols`, e.g.
 *   `matmul: argument 'b' must have 3 rows (a.cols); got a 2×3 matrix`
 *
 * @example
 * ```ts
 * import { fromRows, matmul, toRows } from 'lmtransfer';
 * const c = matmul(fromRows([[1, 2], [3, 4]]), fromRows([[5], [6]]));
 * toRows(c); // [[17], [39]]
 * ```
 */
export function matmul(a: Matrix, b: Matrix): Matrix {
  const fn = 'matmul';
  checkMatrix(fn, 'a', a);
  checkMatrix(fn, 'b', b);
  if (b.rows !== a.cols) throw new ShapeError(`${fn}: argument 'b' must have ${countOf(a.cols, 'row')} (a.cols); got ${shapeOf(b)}`);
  return productOf(a, b, false, false);
}
