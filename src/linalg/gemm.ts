import type { FloatArray } from '../core/matrix.js';
import { tryAcceleratedGemm } from '../backend/accelerate.js';
import { gemmKernel } from '../kernels/gemmKernel.js';

/**
 * The single entry point for every dense product in lmtransfer:
 *
 *     C ← α · op(A) · op(B) + β · C,   op(X) = X or Xᵀ,
 *
 * over flat row-major buffers with offsets and leading dimensions (BLAS `gemm` semantics, row-major).
 * `op(A)` is `M × K`: stored `M × K` with row stride `lda` when `transA` is false, `K × M` when true.
 * `op(B)` is `K × N`: stored `K × N` with row stride `ldb` when `transB` is false, `N × K` when true.
 * `C` is `M × N` with row stride `ldc`. When `β = 0`, `C` is overwritten (its old contents, even NaN,
 * are ignored).
 *
 * Unchecked: callers validate shapes once. The accelerated backend (WebAssembly / worker threads)
 * gets the first chance to run the product; the TypeScript kernel (`gemmKernel.ts`: packed, cache-blocked,
 * 4×4 register-tiled) is the fallback. `α = 0` or `K = 0` only scales `C` by `β` (reference-BLAS
 * semantics: `A` and `B` are not read). Precision: the TypeScript kernel always accumulates in
 * float64 (float32 inputs are widened when packed) and rounds to float32 only when storing into a
 * Float32Array `C` (once per 256-deep block of `K`). The WebAssembly backend, when active, computes
 * in float32 when `A`, `B` and `C` are all float32 (error ≲ K·2⁻²⁴·Σ|aᵢbᵢ| per entry, as with any
 * float32 BLAS) and declines a float32 `C` with a float64 input, which the TypeScript kernel then
 * handles in float64.
 *
 * @example
 * ```ts
 * const a = new Float64Array([1, 2, 3, 4]); // 2×2, row-major
 * const c = new Float64Array(4);
 * gemm(false, true, 2, 2, 2, 1, a, 0, 2, a, 0, 2, 0, c, 0, 2); // c = a·aᵀ = [5, 11, 11, 25]
 * ```
 *
 * @internal
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: FloatArray,
  aOffset: number,
  lda: number,
  b: FloatArray,
  bOffset: number,
  ldb: number,
  beta: number,
  c: FloatArray,
  cOffset: number,
  ldc: number,
): void {
  if (tryAcceleratedGemm(transA, transB, M, N, K, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc)) return;
  gemmKernel(transA, transB, M, N, K, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
}
