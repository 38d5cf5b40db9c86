/**
 * `logPartition`'s fused product and log-sum-exp on the TypeScript kernels, for the `'js'` backend
 * with threads: the contexts (rows of H) are split across the pool, and every thread runs
 * `logPartitionRowBlocks` (the row-block loop of the single-threaded kernel, with `gemmKernel`) on
 * its contexts against each staged chunk of words. The split falls on multiples of the kernel's row
 * block, so every logits block, and hence every result, is bitwise the single-threaded one (which
 * splitting the words instead, as the WebAssembly path does, would not give: it merges partial
 * sums in a different order).
 *
 * Staging: H is staged in groups of contexts (a multiple of the row block) with their running
 * maxima and sums, and V one chunk of words at a time (gathered for a subset), within the staging
 * budget. The chunk copy (≈ 1 MB) is serial and takes well under 1 % of a chunk's compute, so it
 * is not pipelined.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { gemmKernel } from '../kernels/gemmKernel.js';
import { LOG_PARTITION_BLOCK_ROWS, LOG_PARTITION_BLOCK_WORDS, logPartitionRowBlocks } from '../kernels/logPartitionRowBlocksKernel.js';
import { alloc, getHeap, heapF32, heapF64, resetArena, stageBytes } from './heap.js';
import { postTasks, waitTasks } from './pool.js';
import type { Task } from './protocol.js';
import { splitCuts } from './split.js';

/** Problems below this many multiply-adds are left to the single-threaded kernel. */
export const JS_LSE_THREAD_MIN_MADDS = 1 << 20;

// The calling thread's logits block, reused across calls (the kernel's own is per call).
let z32 = new Float32Array(0);
let z64 = new Float64Array(0);

/**
 * `out[i] = log Σ_{w ∈ words} exp⟨V[w], H[i]⟩` (all words when `words` is null), `V` `n × d` and `H`
 * `m × d` row-major and of one precision, with up to `threads` threads; bitwise what
 * `logPartitionBlocks` computes with the default blocks. Returns false, with `out` incomplete, when
 * it declines (mixed precisions, one row block, a budget too small for a chunk) or when some
 * logits are not finite, so that the caller's kernel can run and locate the overflow.
 *
 * @example
 * ```ts
 * const out = new Float64Array(128);
 * jsLogPartition(2, new Float64Array(500 * 16), 500, 16, new Float64Array(128 * 16), 128, null, out);
 * // true; every out[i] = Math.log(500)
 * ```
 */
export function jsLogPartition(threads: number, V: FloatArray, n: number, d: number, H: FloatArray, m: number, words: Int32Array | null, out: Float64Array): boolean {
  const f32 = V instanceof Float32Array;
  if ((H instanceof Float32Array) !== f32 || threads < 2) return false;
  const nA = words ? words.length : n;
  const mb = Math.min(LOG_PARTITION_BLOCK_ROWS, m);
  const nb = Math.min(LOG_PARTITION_BLOCK_WORDS, nA);
  if (m <= mb || nA <= 0 || d <= 0) return false;
  const elt = f32 ? 4 : 8;
  const chunkBytes = nb * d * elt;
  // Contexts per staged group: their rows of H and two float64 running values each.
  const mg = Math.floor((stageBytes() - chunkBytes - 8 * threads) / (d * elt + 16) / mb) * mb;
  if (mg < mb) return false;
  getHeap();
  resetArena();
  const gMax = Math.min(mg, m);
  const pB = alloc(chunkBytes);
  const pH = alloc(gMax * d * elt);
  const pMax = alloc(gMax * 8);
  const pSum = alloc(gMax * 8);
  const pBad = alloc(threads * 8);
  const view = f32 ? heapF32() : heapF64();
  const F = heapF64();
  const shift = f32 ? 2 : 3;
  const buf = view.buffer;
  const Hv = f32 ? new Float32Array(buf, pH, gMax * d) : new Float64Array(buf, pH, gMax * d);
  const Bv = f32 ? new Float32Array(buf, pB, nb * d) : new Float64Array(buf, pB, nb * d);
  const runMax = new Float64Array(buf, pMax, gMax);
  const runSum = new Float64Array(buf, pSum, gMax);
  let z: FloatArray;
  if (f32) {
    if (z32.length < mb * nb) z32 = new Float32Array(mb * nb);
    z = z32;
  } else {
    if (z64.length < mb * nb) z64 = new Float64Array(mb * nb);
    z = z64;
  }

  for (let g0 = 0; g0 < m; g0 += mg) {
    const gm = Math.min(mg, m - g0);
    view.set(H.subarray(g0 * d, (g0 + gm) * d), pH >> shift);
    runMax.fill(-Infinity, 0, gm);
    runSum.fill(0, 0, gm);
    // Whole row blocks per thread by the one split policy (src/backend/split.ts), equal shares;
    // thread t takes contexts [cuts[t], cuts[t + 1]).
    const nt = Math.min(threads, Math.ceil(gm / mb));
    const cuts = splitCuts(gm, nt, 1 / nt, mb);
    for (let w0 = 0; w0 < nA; w0 += nb) {
      const nw = Math.min(nb, nA - w0);
      if (words) {
        for (let k = 0; k < nw; k++) {
          const src = words[w0 + k] * d;
          view.set(V.subarray(src, src + d), (pB >> shift) + k * d);
        }
      } else {
        view.set(V.subarray(w0 * d, (w0 + nw) * d), pB >> shift);
      }
      const tasks: Task[] = [];
      for (let t = 1; t + 1 < cuts.length; t++) {
        tasks.push({ op: 'jsLse', f32: f32 ? 1 : 0, pH, m: gm, d, pB, nw, r0: cuts[t], r1: cuts[t + 1], mb, pMax, pSum, pBad: pBad + t * 8 });
      }
      const posted = postTasks(tasks);
      let bad: number;
      try {
        bad = logPartitionRowBlocks(gemmKernel, Hv, 0, cuts[1], d, Bv, 0, nw, z, mb, runMax, runSum);
      } finally {
        // Never return (or throw) while workers still use the staged buffers.
        waitTasks(posted);
      }
      for (let t = 1; t + 1 < cuts.length; t++) bad = Math.max(bad, F[(pBad >> 3) + t]);
      if (bad >= 0) return false;
    }
    for (let i = 0; i < gm; i++) out[g0 + i] = runMax[i] + Math.log(runSum[i]);
  }
  return true;
}
