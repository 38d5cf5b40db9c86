/**
 * Shared body of `matmul`, `matmulTransposeB` and `matmulTransposeA`: pick the output precision and
 * hand the flat buffers to `gemm`. Not exported from the package.
 *
 * @internal
 */
import { allocFloat } from '../core/matrix.js';
import type { Matrix } from '../core/matrix.js';
import { gemm } from './gemm.js';

/**
 * `op(a)·op(b)` as a new `M × N` matrix (`op` = transpose when the flag is set). The output is
 * float32 only when both inputs are float32 (precision follows the input), otherwise float64.
 * Shapes are assumed checked by the caller.
 *
 * @example
 * ```ts
 * productOf(matrix(2, 3), matrix(3, 4), false, false); // 2×4 zeros
 * ```
 */
export function productOf(a: Matrix, b: Matrix, transA: boolean, transB: boolean): Matrix {
  const M = transA ? a.cols : a.rows;
  const K = transA ? a.rows : a.cols;
  const N = transB ? b.rows : b.cols;
  const dtype = a.data instanceof Float32Array && b.data instanceof Float32Array ? 'float32' : 'float64';
  const out = allocFloat(dtype, M * N);
  // β = 0 and a fresh zero buffer: an empty shared dimension (K = 0) gives the zero matrix.
  gemm(transA, transB, M, N, K, 1, a.data, 0, a.cols, b.data, 0, b.cols, 0, out, 0, N);
  return { rows: M, cols: N, data: out };
}
