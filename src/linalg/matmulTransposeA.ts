import { ShapeError } from '../core/errors.js';
import { checkMatrix, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { productOf } from './matmulShared.js';
import { countOf } from '../core/countOf.js';

/**
 * The product `aᵀ·b` of a `k × m` and a `k × n` matrix, as a new `m × n` matrix, without forming
 * `aᵀ`. This is the shape of the embedding gradient `Gᵀ·H` and of Gram matrices `XᵀX`.
 *
 * Precision follows the input: float32 output only when both inputs are float32, otherwise float64.
 * Mixed or float64 inputs are accumulated in float64; two float32 inputs give float32 products
 * (accumulated in float64 by the TypeScript kernel, in float32 by the WebAssembly backend when it is
 * active; see `gemm`). Empty dimensions give an empty or
 * zero result (`k = 0` gives the `m × n` zero matrix). Non-finite entries propagate as in IEEE
 * arithmetic.
 *
 * @param a - `k × m`
 * @param b - `k × n`
 * @returns `aᵀ·b`, `m × n`
 * @throws DomainError when `a` or `b` is not a well-formed `Matrix`
 * @throws ShapeError when `b.rows !== a.rows`, e.g.
 *   `matmulTransposeA: argument 'b' must have 3 rows (a.rows); got a 2×4 matrix`
 *
 * @example
 * ```ts
 * import { fromRows, matmulTransposeA, toRows } from 'lmtransfer';
 * const X = fromRows([[1, 2], [3, 4]]);
 * toRows(matmulTransposeA(X, X)); // [[10, 14], [14, 20]]
 * ```
 */
export function matmulTransposeA(a: Matrix, b: Matrix): Matrix {
  const fn = 'matmulTransposeA';
  checkMatrix(fn, 'a', a);
  checkMatrix(fn, 'b', b);
  if (b.rows !== a.rows) throw new ShapeError(`${fn}: argument 'b' must have ${countOf(a.rows, 'row')} (a.rows); got ${shapeOf(b)}`);
  return productOf(a, b, true, false);
}
