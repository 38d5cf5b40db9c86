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
 * gets the first chance to run the product; the TypeScript kernel is the fallback.
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';
import { tryAcceleratedGemm } from '../backend/accelerate.js';

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
  // Placeholder reference loop, to be replaced by the blocked, register-tiled kernel (gemmKernel.ts).
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) {
        const av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
        const bv = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
        s += av * bv;
      }
      const ci = cOffset + i * ldc + j;
      c[ci] = beta === 0 ? alpha * s : alpha * s + beta * c[ci];
    }
  }
}
