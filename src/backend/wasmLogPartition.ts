/**
 * Fused log-partition on the WebAssembly SIMD kernels: `out[i] = log Σ_{w∈A} exp⟨v_w, h_i⟩` without
 * ever writing the logits to memory. The rows of H are packed once; the words' rows of V are
 * gathered block by block into the shared heap; each thread takes a strip of the block and, one
 * `MC × 256` logits tile at a time (kept in L2), computes the tile with the GEMM micro-kernel and
 * folds it into per-row running maxima and float64 sums (online log-sum-exp). Each thread keeps its
 * own running pairs; they are merged at the end.
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';
import { alloc, getHeap, heapF32, heapF64, resetArena, stageBytes } from './heap.js';
import { runTasks, type Task } from './threadPool.js';

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
  const h = getHeap();
  const e = h.exports;
  const f32 = V instanceof Float32Array && H instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const shift = f32 ? 2 : 3;
  const op = f32 ? 'slseNT' : 'dlseNT';
  const nA = words ? words.length : n;
  const nt = m * nA * d >= LSE_THREAD_MIN_MADDS ? Math.max(1, threads) : 1;
  // H in row blocks so that the staged and packed copies stay within half the budget.
  const mbMax = Math.max(4, Math.floor(stageBytes() / 4 / (d * elt) / 4) * 4);
  const mb = Math.min(m, mbMax);
  const wsBytes = e.lseWorkspaceBytes(d);
  const nb = Math.max(nt, Math.min(nA, Math.floor(stageBytes() / 2 / (d * elt))));
  const runMax = new Float64Array(m).fill(-Infinity);
  const runSum = new Float64Array(m);
  resetArena();
  const work = alloc(wsBytes * nt);
  const pH = alloc(mb * d * elt);
  const pAp = alloc(e.packAFullBytes(mb, d, elt));
  const pV = alloc(nb * d * elt);
  const pMax = alloc(nt * mb * 8);
  const pSum = alloc(nt * mb * 8);
  const view = f32 ? heapF32() : heapF64();
  const F = heapF64();
  for (let i0 = 0; i0 < m; i0 += mb) {
    const mc = Math.min(mb, m - i0);
    view.set(H.subarray(i0 * d, (i0 + mc) * d), pH >> shift);
    if (f32) e.spackAFull(0, mc, d, pH, d, pAp);
    else e.dpackAFull(0, mc, d, pH, d, pAp);
    F.fill(-Infinity, pMax >> 3, (pMax >> 3) + nt * mb);
    F.fill(0, pSum >> 3, (pSum >> 3) + nt * mb);
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
      const per = Math.ceil(nw / nt);
      const tasks: Task[] = [];
      for (let s = 0; s < nw; s += per) {
        const t = tasks.length;
        tasks.push({
          op,
          args: [pAp, mc, d, pV + s * d * elt, d, Math.min(per, nw - s), pMax + t * mb * 8, pSum + t * mb * 8, work + t * wsBytes],
        });
      }
      runTasks(tasks);
    }
    // Merge the threads' running pairs into the global running pairs.
    for (let t = 0; t < nt; t++) {
      const qm = (pMax >> 3) + t * mb;
      const qs = (pSum >> 3) + t * mb;
      for (let r = 0; r < mc; r++) {
        const tm = F[qm + r];
        if (tm === -Infinity) continue;
        const i = i0 + r;
        const M = runMax[i];
        if (tm > M) {
          runSum[i] = runSum[i] * Math.exp(M - tm) + F[qs + r];
          runMax[i] = tm;
        } else {
          runSum[i] += F[qs + r] * Math.exp(tm - M);
        }
      }
    }
  }
  for (let i = 0; i < m; i++) {
    const v = runMax[i] + Math.log(runSum[i]);
    if (!Number.isFinite(v)) return false;
    out[i] = v;
  }
  return true;
}
