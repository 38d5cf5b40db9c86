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
import { alloc, getHeap, heapF32, heapF64, resetArena, stageBytes, wasmKernels } from './heap.js';
import { runTasks } from './pool.js';
import type { Task } from './protocol.js';
import { splitCuts } from './split.js';

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
  const e = wasmKernels().exports;
  getHeap();
  const f32 = V instanceof Float32Array && H instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const shift = f32 ? 2 : 3;
  const nA = words ? words.length : n;
  const ntReq = m * nA * d >= LSE_THREAD_MIN_MADDS ? Math.max(1, threads) : 1;
  // H in row blocks so that the staged and packed copies stay within half the budget.
  const mbMax = Math.max(4, Math.floor(stageBytes() / 4 / (d * elt) / 4) * 4);
  const mb = Math.min(m, mbMax);
  // Strips of whole 4-row panels (the micro-tile height), at most one per thread.
  const nt = Math.max(1, Math.min(ntReq, Math.ceil(mb / 4)));
  const wsBytes = e.lseWorkspaceBytes(d);
  // The word block must not depend on the thread count (results must not either).
  const nb = Math.max(1, Math.min(nA, Math.floor(stageBytes() / 2 / (d * elt))));
  const runMax = new Float64Array(m).fill(-Infinity);
  const runSum = new Float64Array(m);
  resetArena();
  const work = alloc(wsBytes * nt);
  const pH = alloc(mb * d * elt);
  // Strips of whole 4-row panels (the micro-tile height) by the one split policy, equal shares; a
  // shorter last block's strips are at most one panel longer than the full block's (rounding).
  const stripCuts = (rows: number): number[] => splitCuts(rows, nt, 1 / nt, 4);
  const fullCuts = stripCuts(mb);
  let stripRows = 0;
  for (let t = 0; t + 1 < fullCuts.length; t++) stripRows = Math.max(stripRows, fullCuts[t + 1] - fullCuts[t]);
  stripRows = Math.min(mb, stripRows + 4);
  const pAp: number[] = [];
  for (let t = 0; t < nt; t++) pAp.push(alloc(e.packAFullBytes(stripRows, d, elt)));
  const pV = alloc(nb * d * elt);
  const pMax = alloc(mb * 8);
  const pSum = alloc(mb * 8);
  const view = f32 ? heapF32() : heapF64();
  const F = heapF64();
  for (let i0 = 0; i0 < m; i0 += mb) {
    const mc = Math.min(mb, m - i0);
    view.set(H.subarray(i0 * d, (i0 + mc) * d), pH >> shift);
    // The strips of this row block: [r0, r0 + rows) for each task.
    const strips: { r0: number; rows: number; packed: number }[] = [];
    const cuts = stripCuts(mc);
    for (let t = 0; t + 1 < cuts.length; t++) {
      const r0 = cuts[t];
      const rows = cuts[t + 1] - r0;
      if (rows > stripRows) throw new Error(`lmtransfer backend: a log-partition strip of ${rows} rows exceeds its ${stripRows}-row buffer`);
      if (f32) e.spackAFull(0, rows, d, pH + r0 * d * elt, d, pAp[t]);
      else e.dpackAFull(0, rows, d, pH + r0 * d * elt, d, pAp[t]);
      strips.push({ r0, rows, packed: pAp[t] });
    }
    F.fill(-Infinity, pMax >> 3, (pMax >> 3) + mc);
    F.fill(0, pSum >> 3, (pSum >> 3) + mc);
    for (let w0 = 0; w0 < nA; w0 += nb) {
      const nw = Math.min(nb, nA - w0);
      const base = pV >> shift;
      if (words) {
        for (let k = 0; k < nw; k++) {
          const src = words[w0 + k] * d;
          view.set(V.subarray(src, src + d), base + k * d);
        }
      } else {
        view.set(V.subarray(w0 * d, (w0 + nw) * d), base);
      }
      const tasks: Task[] = strips.map((st, t) => ({
        op: 'wasmLse',
        f32: f32 ? 1 : 0,
        pAp: st.packed,
        M: st.rows,
        K: d,
        pV,
        ldv: d,
        N: nw,
        pMax: pMax + st.r0 * 8,
        pSum: pSum + st.r0 * 8,
        work: work + t * wsBytes,
      }));
      runTasks(tasks);
    }
    for (let r = 0; r < mc; r++) {
      runMax[i0 + r] = F[(pMax >> 3) + r];
      runSum[i0 + r] = F[(pSum >> 3) + r];
    }
  }
  for (let i = 0; i < m; i++) {
    const v = runMax[i] + Math.log(runSum[i]);
    if (!Number.isFinite(v)) return false;
    out[i] = v;
  }
  return true;
}
