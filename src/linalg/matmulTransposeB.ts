import { ShapeError } from '../core/errors.js';
import { checkMatrix, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { productOf } from './matmulShared.js';
import { countOf } from '../core/countOf.js';

/**
 * The product `a·bᵀ` of an `m × k` and an `n × k` matrix, as a new `m × n` matrix, without forming
 * `bᵀ`. This is the logits product `H·Vᵀ` (contexts × words) of the log-linear model.
 *
 * Precision follows the input: float32 output only when both inputs are float32, otherwise float64.
 * Mixed or float64 inputs are accumulated in float64; two float32 inputs give float32 products
 * (accumulated in float64 by the TypeScript kernel, in float32 by the WebAssembly backend when it is
 * active; see `gemm`). Empty dimensions give an empty or
 * zero result. Non-finite entries propagate as in IEEE arithmetic.
 *
 * @param a - `m × k`
 * @param b - `n × k`
 * @returns `a·bᵀ`, `m × n`
 * @throws DomainError when `a` or `b` is not a well-formed `Matrix`
 * @throws ShapeError when `b.cols !== a.cols`, e.g.
 *   `matmulTransposeB: argument 'b' must have 3 columns (a.cols); got a 2×4 matrix`
 *
 * @example
 * ```ts
 * import { fromRows, matmulTransposeB, toRows } from 'lmtransfer';
 * const H = fromRows([[1, 0], [0, 1]]);
 * const V = fromRows([[1, 2], [3, 4], [5, 6]]);
 * toRows(matmulTransposeB(H, V)); // [[1, 3, 5], [2, 4, 6]]
 * ```
 */
export function matmulTransposeB(a: Matrix, b: Matrix): Matrix {
  const fn = 'matmulTransposeB';
  checkMatrix(fn, 'a', a);
  checkMatrix(fn, 'b', b);
  if (b.cols !== a.cols) throw new ShapeError(`${fn}: argument 'b' must have ${countOf(a.cols, 'column')} (a.cols); got ${shapeOf(b)}`);
  return productOf(a, b, false, true);
}
