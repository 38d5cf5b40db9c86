/**
 * The ranking pass (see `WordProbabilitySumsArgs`) on the TypeScript kernels: blocks of
 * `WORD_PROBABILITY_BLOCK_ROWS` contexts, the block's logits by a product (`gemmFn`: the calling
 * thread's `gemmKernel`, the threaded TypeScript backend's split product, or the library's `gemm`
 * for the caller's own kernel), then the row work of `wordProbabilityRows`. Results do not depend
 * on the product's split (every backend's product is bitwise its single-thread one).
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { gemmKernel } from '../kernels/gemmKernel.js';
import { wordProbabilityRows } from '../kernels/wordProbabilityRowsKernel.js';
import type { GemmArgs, WordProbabilitySumsArgs } from './backend.js';

/**
 * Contexts per logits block: 64 rows of GPT-2's 50,257 logits are 12.9 MB in float32 (25.7 MB in
 * float64), bounded whatever the number of contexts, and large enough for a product to amortise
 * its packing.
 */
export const WORD_PROBABILITY_BLOCK_ROWS = 64;

// `gemmKernel` on the calling thread, in the backend's argument form.
function kernelGemm(g: GemmArgs): boolean {
  gemmKernel(g.transA, g.transB, g.M, g.N, g.K, g.alpha, g.a, g.aOffset, g.lda, g.b, g.bOffset, g.ldb, g.beta, g.c, g.cOffset, g.ldc);
  return true;
}

/**
 * The ranking pass with the products of `gemmFn` (default: `gemmKernel` on the calling thread). The logits block is float32 when `V` and `H`
 * both are, else float64 (the library's precision rule for products).
 *
 * @returns `-1` with `sums` (and `logZ`) updated, or the first row whose logits were not finite
 *   (`sums` then holds the rows before it).
 * @example
 * ```ts
 * const sums = new Float64Array(2);
 * jsWordProbabilitySums({ V: Float64Array.of(1, 0, 0, 1), n: 2, d: 2, H: Float64Array.of(0, 0), m: 1, weights: null, sums, logZ: null });
 * // returns -1; sums = [0.5, 0.5]
 * ```
 */
export function jsWordProbabilitySums(p: WordProbabilitySumsArgs, gemmFn: (g: GemmArgs) => boolean = kernelGemm): number {
  const { V, n, d, H, m, weights, sums, logZ } = p;
  if (m <= 0) return -1;
  const mb = Math.min(WORD_PROBABILITY_BLOCK_ROWS, m);
  const f32 = V instanceof Float32Array && H instanceof Float32Array;
  const z: FloatArray = f32 ? new Float32Array(mb * n) : new Float64Array(mb * n);
  for (let t0 = 0; t0 < m; t0 += mb) {
    const ni = Math.min(mb, m - t0);
    gemmFn({ transA: false, transB: true, M: ni, N: n, K: d, alpha: 1, a: H, aOffset: t0 * d, lda: d, b: V, bOffset: 0, ldb: d, beta: 0, c: z, cOffset: 0, ldc: n });
    const bad = wordProbabilityRows(z, ni, n, weights ? weights.subarray(t0, t0 + ni) : null, logZ ? logZ.subarray(t0, t0 + ni) : null, sums);
    if (bad >= 0) return t0 + bad;
  }
  return -1;
}

/**
 * `jsWordProbabilitySums` as a backend method: on a copy of `sums`, written back only when every
 * row was finite (false otherwise, `sums` and `logZ` untouched).
 *
 * @example
 * ```ts
 * const sums = new Float64Array(2);
 * jsWordProbabilitySumsMethod({ V: Float64Array.of(1, 0, 0, 1), n: 2, d: 2, H: Float64Array.of(0, 0), m: 1, weights: null, sums, logZ: null });
 * // returns true; sums = [0.5, 0.5]
 * ```
 */
export function jsWordProbabilitySumsMethod(p: WordProbabilitySumsArgs, gemmFn: (g: GemmArgs) => boolean = kernelGemm): boolean {
  const sums = p.sums.slice();
  const logZ = p.logZ ? new Float64Array(p.m) : null;
  if (jsWordProbabilitySums({ ...p, sums, logZ }, gemmFn) >= 0) return false;
  p.sums.set(sums);
  if (p.logZ && logZ) p.logZ.set(logZ);
  return true;
}
