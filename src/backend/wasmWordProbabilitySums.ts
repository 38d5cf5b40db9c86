/**
 * The ranking pass (see `WordProbabilitySumsArgs`) on the WebAssembly SIMD kernels, in two phases
 * per group of contexts, both split across the threads:
 *
 * 1. the logits and each row's log-partition: the fused log-partition kernel (`slseStoreNT`, the
 *    body of `logPartition`'s `slseNT` that also stores each logits tile), the contexts split into
 *    one strip per thread and the words staged in the same blocks as `wasmLogPartition`'s, so
 *    every `log Z` is bitwise the one `logPartition` computes, with 1 or n threads;
 * 2. `sums[w] += μᵢ exp(z − log Zᵢ)` (`sprobSums`, exp in float64) with the WORDS split into one
 *    range per thread: every `sums[w]` is added by one thread, over the rows in row order, so no
 *    partial sums are merged across threads and the result is the same for any thread count.
 *
 * The group's logits (`G × n`) are stored once in the shared heap within `logitsBytes()` (64 rows
 * of GPT-2's 50,257 logits in float32 would need V staged 64 times for 4,096 contexts; ~240 rows
 * keep the copies of V to a few per chunk of contexts).
 *
 * @internal
 */
import type { WordProbabilitySumsArgs } from './backend.js';
import { alloc, getHeap, heapF32, heapF64, resetArena, stageBytes, wasmKernels } from './heap.js';
import { runTasks } from './pool.js';
import type { Task } from './protocol.js';
import { splitCuts } from './split.js';

/** Problems below this many multiply-adds run on one thread. */
export const WPS_THREAD_MIN_MADDS = 1 << 20;
/**
 * Bytes of stored logits per group of contexts: four staging budgets (48 MiB by default).
 *
 * @example
 * ```ts
 * logitsBytes(); // 50331648 with the default staging budget
 * ```
 */
export function logitsBytes(): number {
  return 4 * stageBytes();
}

/**
 * The ranking pass on up to `threads` threads; false, with `sums` and `logZ` untouched, when some
 * row's logits are not finite.
 *
 * @example
 * ```ts
 * const sums = new Float64Array(2);
 * wasmWordProbabilitySums(2, { V: Float64Array.of(1, 0, 0, 1), n: 2, d: 2, H: Float64Array.of(0, 0), m: 1, weights: null, sums, logZ: null });
 * // returns true; sums = [0.5, 0.5]
 * ```
 */
export function wasmWordProbabilitySums(threads: number, p: WordProbabilitySumsArgs): boolean {
  const { V, n, d, H, m, weights } = p;
  const e = wasmKernels().exports;
  getHeap();
  const f32 = V instanceof Float32Array && H instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const shift = f32 ? 2 : 3;
  const ntReq = m * n * d >= WPS_THREAD_MIN_MADDS ? Math.max(1, threads) : 1;
  // Contexts per group: whole 4-row panels with their logits within the budget, groups balanced.
  const gMax = Math.max(4, Math.floor(logitsBytes() / (n * elt) / 4) * 4);
  const G = Math.min(m, Math.ceil(m / Math.ceil(m / gMax) / 4) * 4);
  const nt = Math.max(1, Math.min(ntReq, Math.ceil(G / 4)));
  const wsBytes = e.lseWorkspaceBytes(d);
  // The word block of `wasmLogPartition` (never dependent on the thread count or the group).
  const nb = Math.max(1, Math.min(n, Math.floor(stageBytes() / 2 / (d * elt))));
  resetArena();
  const work = alloc(wsBytes * nt);
  const pH = alloc(G * d * elt);
  const stripCuts = (rows: number): number[] => splitCuts(rows, nt, 1 / nt, 4);
  const fullCuts = stripCuts(G);
  let stripRows = 0;
  for (let t = 0; t + 1 < fullCuts.length; t++) stripRows = Math.max(stripRows, fullCuts[t + 1] - fullCuts[t]);
  stripRows = Math.min(G, stripRows + 4);
  const pAp: number[] = [];
  for (let t = 0; t < nt; t++) pAp.push(alloc(e.packAFullBytes(stripRows, d, elt)));
  const pV = alloc(nb * d * elt);
  const pMax = alloc(G * 8);
  const pSum = alloc(G * 8);
  const pLse = alloc(G * 8);
  const pW = weights ? alloc(G * 8) : 0;
  const pSums = alloc(n * 8);
  const pZ = alloc(G * n * elt);
  const view = f32 ? heapF32() : heapF64();
  const F = heapF64();
  F.set(p.sums.subarray(0, n), pSums >> 3);
  const logZ = new Float64Array(m);
  // Phase 2's word ranges: whole 4-word groups (the kernel's vector width) per thread.
  const colCuts = splitCuts(n, nt, 1 / nt, 4);

  for (let i0 = 0; i0 < m; i0 += G) {
    const mc = Math.min(G, m - i0);
    view.set(H.subarray(i0 * d, (i0 + mc) * d), pH >> shift);
    const strips: { r0: number; rows: number; packed: number }[] = [];
    const cuts = stripCuts(mc);
    for (let t = 0; t + 1 < cuts.length; t++) {
      const r0 = cuts[t];
      const rows = cuts[t + 1] - r0;
      if (rows > stripRows) throw new Error(`lmtransfer backend: a ranking strip of ${rows} rows exceeds its ${stripRows}-row buffer`);
      if (f32) e.spackAFull(0, rows, d, pH + r0 * d * elt, d, pAp[t]);
      else e.dpackAFull(0, rows, d, pH + r0 * d * elt, d, pAp[t]);
      strips.push({ r0, rows, packed: pAp[t] });
    }
    F.fill(-Infinity, pMax >> 3, (pMax >> 3) + mc);
    F.fill(0, pSum >> 3, (pSum >> 3) + mc);
    // Phase 1: logits stored, running (max, Σexp) per row.
    for (let w0 = 0; w0 < n; w0 += nb) {
      const nw = Math.min(nb, n - w0);
      view.set(V.subarray(w0 * d, (w0 + nw) * d), pV >> shift);
      const tasks: Task[] = strips.map((st, t) => ({
        op: 'wasmLseStore',
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
        pZ: pZ + (st.r0 * n + w0) * elt,
        ldz: n,
      }));
      runTasks(tasks);
    }
    for (let r = 0; r < mc; r++) {
      const v = F[(pMax >> 3) + r] + Math.log(F[(pSum >> 3) + r]);
      if (!Number.isFinite(v)) return false;
      logZ[i0 + r] = v;
      F[(pLse >> 3) + r] = v;
      if (weights) F[(pW >> 3) + r] = weights[i0 + r];
    }
    // Phase 2: each thread adds its words' probabilities over the group's rows, in row order.
    const tasks: Task[] = [];
    for (let t = 0; t + 1 < colCuts.length; t++) {
      const c0 = colCuts[t];
      tasks.push({ op: 'wasmProbSums', f32: f32 ? 1 : 0, pZ: pZ + c0 * elt, ldz: n, rows: mc, N: colCuts[t + 1] - c0, pLse, pW, pSums: pSums + c0 * 8 });
    }
    runTasks(tasks);
  }
  p.sums.set(F.subarray(pSums >> 3, (pSums >> 3) + n));
  if (p.logZ) p.logZ.set(logZ);
  return true;
}
