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
import { alloc, getHeap, heapF64, stageBytes } from './heap.js';
import { runTasks } from './pool.js';
import type { Task } from './protocol.js';
import { splitCuts } from './split.js';
import { blockLogPartitions, lseRowBlock, planLseRowBlocks } from './wasmLseRowBlocks.js';

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
  getHeap();
  const f32 = V instanceof Float32Array && H instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const ntReq = m * n * d >= WPS_THREAD_MIN_MADDS ? Math.max(1, threads) : 1;
  // Contexts per group: whole 4-row panels with their logits within the budget, groups balanced.
  const gMax = Math.max(4, Math.floor(logitsBytes() / (n * elt) / 4) * 4);
  const G = Math.min(m, Math.ceil(m / Math.ceil(m / gMax) / 4) * 4);
  // Phase 1's strips and word blocks are those of `wasmLogPartition` (one shared routine).
  const plan = planLseRowBlocks(f32, d, G, ntReq, n);
  const pLse = alloc(G * 8);
  const pW = weights ? alloc(G * 8) : 0;
  const pSums = alloc(n * 8);
  const pZ = alloc(G * n * elt);
  heapF64().set(p.sums.subarray(0, n), pSums >> 3);
  const logZ = new Float64Array(m);
  // Phase 2's word ranges: whole 4-word groups (the kernel's vector width) per thread.
  const colCuts = splitCuts(n, plan.nt, 1 / plan.nt, 4);

  for (let i0 = 0; i0 < m; i0 += G) {
    const mc = Math.min(G, m - i0);
    // Phase 1: logits stored, running (max, Σexp) per row.
    lseRowBlock(plan, V, null, n, H, i0, mc, { pZ, ldz: n });
    if (!blockLogPartitions(plan, mc, logZ, i0)) return false;
    const F = heapF64();
    F.set(logZ.subarray(i0, i0 + mc), pLse >> 3);
    if (weights) F.set(weights.subarray(i0, i0 + mc), pW >> 3);
    // Phase 2: each thread adds its words' probabilities over the group's rows, in row order.
    const tasks: Task[] = [];
    for (let t = 0; t + 1 < colCuts.length; t++) {
      const c0 = colCuts[t];
      tasks.push({ op: 'wasmProbSums', f32: f32 ? 1 : 0, pZ: pZ + c0 * elt, ldz: n, rows: mc, N: colCuts[t + 1] - c0, pLse, pW, pSums: pSums + c0 * 8 });
    }
    runTasks(tasks);
  }
  const F = heapF64();
  p.sums.set(F.subarray(pSums >> 3, (pSums >> 3) + n));
  if (p.logZ) p.logZ.set(logZ);
  return true;
}
