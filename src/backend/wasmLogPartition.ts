/**
 * Fused log-partition on the WebAssembly SIMD kernels: `out[i] = log Σ_{w∈A} exp⟨v_w, h_i⟩` without
 * ever writing the logits to memory. The words' rows of V are gathered block by block into the
 * shared heap; the contexts (rows of H) are split into one strip per thread, each strip packed on
 * its own, and each thread runs every word block over its strip, one `MC × 256` logits tile at a
 * time (kept in L2): the tile comes from the GEMM micro-kernel and is folded into the rows' running
 * maxima and float64 sums (online log-sum-exp).
 *
 * Why contexts and not words are split: a row's result is then produced by one thread through the
 * same sequence of operations whatever the thread count (the micro-kernel computes each row in its
 * own accumulators, the word blocks and 256-word tiles do not depend on the threads), so results
 * are bitwise the same with 1 or n threads, as for the products. Splitting the words instead would
 * merge partial sums whose boundaries move with the thread count (an earlier version differed by
 * up to 1.7 ulps). Each thread now packs every word block's B panels (the extra packing is about
 * 1/rows-per-strip of the work).
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { getHeap, stageBytes } from './heap.js';
import { blockLogPartitions, lseRowBlock, planLseRowBlocks } from './wasmLseRowBlocks.js';

/** Problems below this many multiply-adds run on one thread. */
export const LSE_THREAD_MIN_MADDS = 1 << 20;

/**
 * `out[i] = log Σ_w exp(⟨V[w], H[i]⟩)` over the rows `words` of V (all rows when null).
 * `V` is `n × d`, `H` is `m × d`, row-major; float32 when both are Float32Array (products in
 * float32, sums in float64), else float64. Returns false (computing nothing useful) when some
 * result is not finite, so that the caller can locate the overflow itself.
 *
 * @example
 * ```ts
 * const out = new Float64Array(1);
 * wasmLogPartition(1, Float64Array.of(1, 0, 0, 1), 2, 2, Float64Array.of(0, 0), 1, null, out); // out = [log 2]
 * ```
 */
export function wasmLogPartition(threads: number, V: FloatArray, n: number, d: number, H: FloatArray, m: number, words: Int32Array | null, out: Float64Array): boolean {
  getHeap();
  const f32 = V instanceof Float32Array && H instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const nA = words ? words.length : n;
  const ntReq = m * nA * d >= LSE_THREAD_MIN_MADDS ? Math.max(1, threads) : 1;
  // H in row blocks so that the staged and packed copies stay within half the budget.
  const mbMax = Math.max(4, Math.floor(stageBytes() / 4 / (d * elt) / 4) * 4);
  const mb = Math.min(m, mbMax);
  const plan = planLseRowBlocks(f32, d, mb, ntReq, nA);
  for (let i0 = 0; i0 < m; i0 += mb) {
    const mc = Math.min(mb, m - i0);
    lseRowBlock(plan, V, words, nA, H, i0, mc, null);
    // A non-finite row makes the whole call decline, so that the caller locates the overflow.
    if (!blockLogPartitions(plan, mc, out, i0)) return false;
  }
  return true;
}
