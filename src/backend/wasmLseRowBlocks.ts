/**
 * The part the fused log-partition (`wasmLogPartition`) and the ranking pass
 * (`wasmWordProbabilitySums`) share: one row block of contexts split into strips of whole 4-row
 * panels (one per thread, by the one split policy), each strip packed once, and every word block of
 * V staged into the heap and run over every strip by the fused kernel (`wasmLse`, or `wasmLseStore`
 * when the logits are also stored), folding each row into its running maximum and float64 sum.
 * Written once so that the two produce bitwise the same `log Z` for a row: same strips, same word
 * blocks, same kernel body.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { alloc, heapF32, heapF64, resetArena, stageBytes, wasmKernels } from './heap.js';
import { runTasks } from './pool.js';
import type { Task } from './protocol.js';
import { splitCuts } from './split.js';

/** Heap buffers of the row blocks of one call, allocated once, first in a fresh arena. */
export interface LseRowBlockPlan {
  readonly f32: boolean;
  readonly d: number;
  /** Bytes per element of V and H in the heap (4 or 8). */
  readonly elt: number;
  /** Strips (threads) of a full block. */
  readonly nt: number;
  /** Rows per block (the last block may be shorter). */
  readonly mb: number;
  /** Words per staged block of V; it does not depend on the thread count, so neither do results. */
  readonly nb: number;
  readonly stripRows: number;
  readonly wsBytes: number;
  readonly work: number;
  readonly pH: number;
  readonly pAp: readonly number[];
  readonly pV: number;
  /** Running maxima and sums of the block's rows (float64, `mb` each). */
  readonly pMax: number;
  readonly pSum: number;
}

/**
 * Reset the heap arena and allocate the buffers for row blocks of up to `mb` rows of `H` against
 * `nA` words, with up to `ntReq` strips (the caller allocates its own buffers after these).
 *
 * @example
 * ```ts
 * const plan = planLseRowBlocks(true, 64, 128, 2, 1000);
 * plan.nt; // → 2
 * ```
 */
export function planLseRowBlocks(f32: boolean, d: number, mb: number, ntReq: number, nA: number): LseRowBlockPlan {
  const e = wasmKernels().exports;
  const elt = f32 ? 4 : 8;
  const nt = Math.max(1, Math.min(ntReq, Math.ceil(mb / 4)));
  const wsBytes = e.lseWorkspaceBytes(d);
  const nb = Math.max(1, Math.min(nA, Math.floor(stageBytes() / 2 / (d * elt))));
  resetArena();
  const work = alloc(wsBytes * nt);
  const pH = alloc(mb * d * elt);
  // A shorter last block's strips are at most one panel longer than the full block's (rounding).
  const full = stripCuts(mb, nt);
  let stripRows = 0;
  for (let t = 0; t + 1 < full.length; t++) stripRows = Math.max(stripRows, full[t + 1] - full[t]);
  stripRows = Math.min(mb, stripRows + 4);
  const pAp: number[] = [];
  for (let t = 0; t < nt; t++) pAp.push(alloc(e.packAFullBytes(stripRows, d, elt)));
  const pV = alloc(nb * d * elt);
  const pMax = alloc(mb * 8);
  const pSum = alloc(mb * 8);
  return { f32, d, elt, nt, mb, nb, stripRows, wsBytes, work, pH, pAp, pV, pMax, pSum };
}

/**
 * Run rows `[i0, i0 + mc)` of `H` against the words `words` of `V` (all `nA` rows when null):
 * afterwards the heap holds each row's running maximum at `pMax` and sum at `pSum` (read them with
 * `blockLogPartitions`), and with `store` the logits at `store.pZ` (row `r`, word `w` at
 * `pZ + (r·ldz + w)·elt`).
 *
 * @example
 * ```ts
 * const plan = planLseRowBlocks(false, 2, 4, 1, 2);
 * lseRowBlock(plan, Float64Array.of(1, 0, 0, 1), null, 2, Float64Array.of(0, 0), 0, 1, null);
 * const out = new Float64Array(1); // log Z of the one row
 * blockLogPartitions(plan, 1, out, 0); // returns true; out = [0.6931471805599453]
 * ```
 */
export function lseRowBlock(
  plan: LseRowBlockPlan,
  V: FloatArray,
  words: Int32Array | null,
  nA: number,
  H: FloatArray,
  i0: number,
  mc: number,
  store: { pZ: number; ldz: number } | null,
): void {
  const e = wasmKernels().exports;
  const { f32, d, elt, nb, pH, pV, pMax, pSum } = plan;
  const shift = f32 ? 2 : 3;
  const view = f32 ? heapF32() : heapF64();
  const F = heapF64();
  view.set(H.subarray(i0 * d, (i0 + mc) * d), pH >> shift);
  const strips: { r0: number; rows: number; packed: number }[] = [];
  const cuts = stripCuts(mc, plan.nt);
  for (let t = 0; t + 1 < cuts.length; t++) {
    const r0 = cuts[t];
    const rows = cuts[t + 1] - r0;
    if (rows > plan.stripRows) throw new Error(`lmtransfer backend: a log-partition strip of ${rows} rows exceeds its ${plan.stripRows}-row buffer`);
    if (f32) e.spackAFull(0, rows, d, pH + r0 * d * elt, d, plan.pAp[t]);
    else e.dpackAFull(0, rows, d, pH + r0 * d * elt, d, plan.pAp[t]);
    strips.push({ r0, rows, packed: plan.pAp[t] });
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
    const tasks: Task[] = strips.map((st, t) => {
      const common = {
        f32: f32 ? 1 : 0,
        pAp: st.packed,
        M: st.rows,
        K: d,
        pV,
        ldv: d,
        N: nw,
        pMax: pMax + st.r0 * 8,
        pSum: pSum + st.r0 * 8,
        work: plan.work + t * plan.wsBytes,
      };
      return store ? { op: 'wasmLseStore', ...common, pZ: store.pZ + (st.r0 * store.ldz + w0) * elt, ldz: store.ldz } : { op: 'wasmLse', ...common };
    });
    runTasks(tasks);
  }
}

/**
 * `out[offset + r] = max_r + log(sum_r)`, the log-partition of each of the last block's `mc` rows;
 * false when one is not finite (a logit overflowed), so that the caller can decline.
 *
 * @example
 * ```ts
 * const plan = planLseRowBlocks(true, 1, 4, 1, 3);
 * lseRowBlock(plan, Float32Array.of(0, 0, 0), null, 3, Float32Array.of(1), 0, 1, null);
 * const out = new Float64Array(1); // log Z of the one row
 * blockLogPartitions(plan, 1, out, 0); // returns true; out = [1.0986122886681098]
 * ```
 */
export function blockLogPartitions(plan: LseRowBlockPlan, mc: number, out: Float64Array, offset: number): boolean {
  const F = heapF64();
  const m0 = plan.pMax >> 3;
  const s0 = plan.pSum >> 3;
  for (let r = 0; r < mc; r++) {
    const v = F[m0 + r] + Math.log(F[s0 + r]);
    if (!Number.isFinite(v)) return false;
    out[offset + r] = v;
  }
  return true;
}

/** Strips of whole 4-row panels (the micro-tile height) by the one split policy, equal shares. */
function stripCuts(rows: number, nt: number): number[] {
  return splitCuts(rows, nt, 1 / nt, 4);
}
