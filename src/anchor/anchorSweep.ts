import { checkFiniteMatrix, checkFiniteResult, checkNonEmptyMatrix, checkNumber, checkOptions, describeValue, domainError, shapeError } from '../core/check.js';
import { gemm } from '../linalg/gemm.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { logPartitionBlocks } from '../softmax/logPartitionBlocks.js';
import { bulkExcluding } from './bulkExcluding.js';
import { ANCHOR_INFINITE_FIELDS, ANCHOR_RESCALE_ADVICE, checkFitOptions, holdoutSplit } from './fitAnchorKernel.js';
import { checkHiddenInput, type HiddenRowSource } from './hiddenRowSource.js';
import { logitOverflow } from './logitOverflow.js';
import { topWords } from './meanWordProbabilities.js';
import { nestedBulkLseKernel } from './nestedBulkLseKernel.js';
import { perContextBulkLogPartitionsKernel } from './perContextBulkLogPartitions.js';
import { type AnchorProgress, checkPartWeights, chunkRowsFor, fitSharedDesign, readCheckedRows, roleOf } from './sharedDesignFit.js';
import type { AnchorFit, AnchorFitOptions } from './types.js';
import { accumulateWordProbabilities } from './accumulateWordProbabilities.js';
import { countOf } from '../core/countOf.js';

/** Options of `anchorSweep`. */
export interface AnchorSweepFitOptions extends AnchorFitOptions {
  /**
   * Per-context bulks as well: for each `k` here, every word but the context's own `k` largest
   * logits (outside Theorem 1; see `perContextBulkLogPartitions`). Costs one more pass over `V·H`.
   */
  perContextTop?: readonly number[];
  /** Contexts per chunk of `H` (default: 1,048,576 / d, 4 MiB of float32). */
  chunkRows?: number;
  /** Return every context's residual `e(s) = ζ(s) − ⟨v₀, h(s)⟩ − c` per bulk (`residuals`). */
  residuals?: boolean;
  /** Called during each long phase with the contexts done and the total. */
  onProgress?: AnchorProgress;
}

/** One bulk of a sweep. */
export interface AnchorSweepBulk {
  /** `k` of a fixed bulk (all words but the `k` of highest mean probability on the training contexts). */
  excludeTop?: number;
  /** `k` of a per-context bulk. */
  perContextTop?: number;
  /** `|B|`. */
  bulkSize: number;
  /** Fixed bulks: the excluded words, highest mean probability first. */
  excludedWords?: Int32Array;
  /** Fixed bulks: their mean probability over the training contexts (the excluded mass). */
  excludedMass?: number;
  /** The fit on the training contexts, scored on both parts. */
  fit: AnchorFit;
}

/** Result of `anchorSweep`. */
export interface AnchorSweepFits {
  /** One entry per fixed bulk (in the order of `excludeTop`), then per per-context bulk. */
  bulks: AnchorSweepBulk[];
  /**
   * Which contexts were used for what: `training` (sorted indices) ranked the words and fitted
   * every anchor; `heldOut` were only scored. `ranking` is `'training'` (or `'none'` when no fixed
   * `k > 0` needed one).
   */
  contexts: { total: number; training: Int32Array; heldOut: Int32Array; ranking: 'training' | 'none' };
  /** `log Z_B(s)` of every context (training and held out), one array per bulk. */
  logPartitions: Float64Array[];
  /** With `residuals: true`: `e(s)` of every context, one array per bulk. */
  residuals?: Float64Array[];
  /** Passes over the product `V·H` (ranking, fixed bulks, per-context bulks) and over `H` alone. */
  passes: { logits: number; hidden: number };
  /** Seconds per phase. */
  seconds: { rank: number; logPartition: number; fit: number };
}

const FN = 'anchorSweep';

/**
 * Fit the anchor (docs/theory.md#3-the-anchor-vector) for a sweep of bulks `B_k` = all
 * words but the `k` of highest mean probability, for every `k` in `excludeTop`, in at most two
 * passes over the product `V·H` whatever the number of bulks:
 *
 * 1. (when some `k > 0`) rank the words by mean probability `p̄_w` over the TRAINING contexts;
 * 2. compute every bulk's `log Z_B` at once: the smallest bulk `B_K` (`K = max k`) through the
 *    library's fused `logPartition` kernel, the others by adding the logits of the words ranked
 *    `k … K−1` to it (a `m × K` product; terms only added, never subtracted).
 *
 * The fits share the training contexts' `d × d` statistics and one eigendecomposition
 * (`fitAnchor` explains the solve and the rank-deficient case). `H` may be a `HiddenRowSource`
 * streamed in row chunks (e.g. a file larger than memory): memory is then `V` plus a bounded
 * working set plus `O(m)` numbers per bulk.
 *
 * Held-out protocol: with `holdout > 0`, everything chosen or fitted from data (the word ranking,
 * the anchors) uses the training part only; every held-out number is the training fit scored on
 * the held-out part, the constant baseline being the TRAINING mean of `log Z_B`.
 *
 * @param V - `n × d` word embeddings, finite.
 * @param H - `m × d` hidden states: a matrix or a `HiddenRowSource`; finite.
 * @param excludeTop - the `k` values, integers in `[0, n − 1]` (may be empty with `perContextTop`).
 * @param opts - `ridge`, `rcond`, `weights`, `holdout`, `seed`, `perContextTop`, `chunkRows`, `residuals`, `onProgress`.
 * @returns one fit per bulk, which contexts were used for what, `log Z_B` per context, timings.
 * @throws ShapeError when `V` or `H` is empty or their columns differ.
 * @throws DomainError when an entry is not finite, a `k` is out of range, there is no bulk, or an option is invalid.
 * @throws NumericalError when a logit overflows.
 * @example
 * ```ts
 * const V = fromRows([[2, 0], [0, 1], [1, 1], [0, 0]]);
 * const H = fromRows([[1, 0], [0, 1], [1, 1], [0.5, 0.2], [0.1, 0.9], [0.3, 0.3]]);
 * const sweep = anchorSweep(V, H, [0, 1]);
 * sweep.bulks[1].excludedWords; // Int32Array [0]: the word of highest mean probability
 * sweep.bulks[0].fit.r2;        // ≈ 0.975: R² of log Z over all words against [h 1]
 * ```
 */
export function anchorSweep(V: Matrix, H: Matrix | HiddenRowSource, excludeTop: readonly number[], opts?: AnchorSweepFitOptions): AnchorSweepFits {
  checkNonEmptyMatrix(FN, 'V', V);
  const src = checkHiddenInput(FN, 'H', H);
  if (src.cols !== V.cols) throw shapeError(FN, 'H', `a matrix with ${countOf(V.cols, 'column')} (V.cols, the dimension d)`, `${src.rows} × ${src.cols}`);
  const n = V.rows;
  const m = src.rows;
  const list: unknown = excludeTop;
  if (!Array.isArray(list)) throw domainError(FN, 'excludeTop', 'an array of integers k in [0, n − 1]', describeValue(excludeTop));
  for (let j = 0; j < excludeTop.length; j++) checkNumber(FN, `excludeTop[${j}]`, excludeTop[j], { integer: true, min: 0, max: n - 1 });
  checkOptions(FN, 'opts', opts);
  const perContext = opts?.perContextTop ?? [];
  if (!Array.isArray(perContext)) throw domainError(FN, 'opts.perContextTop', 'an array of integers k in [0, n − 1]', describeValue(perContext));
  for (let j = 0; j < perContext.length; j++) checkNumber(FN, `opts.perContextTop[${j}]`, perContext[j], { integer: true, min: 0, max: n - 1 });
  if (excludeTop.length + perContext.length === 0) throw domainError(FN, 'excludeTop', 'non-empty (or opts.perContextTop non-empty)', 'no bulk at all');
  const st = checkFitOptions(FN, opts, m);
  if (opts?.chunkRows !== undefined) checkNumber(FN, 'opts.chunkRows', opts.chunkRows, { integer: true, min: 1 });
  if (opts?.onProgress !== undefined && typeof opts.onProgress !== 'function') throw domainError(FN, 'opts.onProgress', 'a function or undefined', describeValue(opts.onProgress));
  checkFiniteMatrix(FN, 'V', V);
  const step = chunkRowsFor(src.cols, opts?.chunkRows);
  const { train, test } = holdoutSplit(FN, m, st.holdout, st.seed);
  checkPartWeights(FN, 'opts.weights', st.weights, train, test);
  return anchorSweepChecked(FN, 'H', V, src, excludeTop, perContext, { ...st, train, test, step, residuals: opts?.residuals === true, onProgress: opts?.onProgress });
}

/** Settings of `anchorSweepChecked`, after every check. */
export interface AnchorSweepSettings {
  /** Unit roundoff of the storage of H (overrides the source's `storedDType`). */
  roundoff?: number;
  ridge: number;
  rcond: number | undefined;
  weights: FloatArray | null;
  train: Int32Array;
  test: Int32Array;
  step: number;
  residuals: boolean;
  onProgress?: AnchorProgress;
}

/**
 * Unchecked body of `anchorSweep` (also used by `lmtransfer anchor`, whose checks name its flags):
 * `fn` and `hName` name the caller and its `H` in errors about the streamed rows.
 *
 * @internal
 */
export function anchorSweepChecked(
  fn: string,
  hName: string,
  V: Matrix,
  src: HiddenRowSource,
  excludeTop: readonly number[],
  perContext: readonly number[],
  st: AnchorSweepSettings,
): AnchorSweepFits {
  const n = V.rows;
  const m = src.rows;
  const { train, test, step } = st;
  const role = roleOf(m, train, test);
  const kmax = excludeTop.length > 0 ? Math.max(...excludeTop) : 0;
  const passes = { logits: 0, hidden: 0 };
  const seconds = { rank: 0, logPartition: 0, fit: 0 };

  // Pass 1: rank the words by mean probability over the training contexts only.
  let t0 = performance.now();
  const { ranking, meanProbability: meanP } = kmax > 0 ? rankWordsChecked(fn, hName, V, src, role, st.weights, kmax, step, st.onProgress) : { ranking: new Int32Array(0), meanProbability: null };
  if (kmax > 0) {
    passes.logits++;
    passes.hidden++;
  }
  seconds.rank = (performance.now() - t0) / 1000;

  // Pass 2: every bulk's log Z_B at once (and the per-context bulks, one more product).
  t0 = performance.now();
  const zetas = sweepLogPartitionsChecked(fn, hName, V, src, 0, m, ranking, excludeTop, perContext, step, st.onProgress);
  passes.logits += (excludeTop.length > 0 ? 1 : 0) + (perContext.length > 0 ? 1 : 0);
  passes.hidden++;
  seconds.logPartition = (performance.now() - t0) / 1000;

  // The fits: one decomposition, then the residual metrics (two passes over H, none over V·H).
  t0 = performance.now();
  const res = fitSharedDesign(fn, hName, src, zetas, train, test, { roundoff: st.roundoff, ridge: st.ridge, rcond: st.rcond, weights: st.weights, chunkRows: step, residuals: st.residuals, onProgress: st.onProgress });
  passes.hidden += 2;
  seconds.fit = (performance.now() - t0) / 1000;

  const bulks: AnchorSweepBulk[] = [];
  excludeTop.forEach((k, j) => {
    let mass = 0;
    for (let r = 0; r < k; r++) mass += meanP![ranking[r]];
    bulks.push({ excludeTop: k, bulkSize: n - k, excludedWords: ranking.slice(0, k), excludedMass: mass, fit: res.fits[j] });
  });
  perContext.forEach((k, j) => bulks.push({ perContextTop: k, bulkSize: n - k, fit: res.fits[excludeTop.length + j] }));
  const out: AnchorSweepFits = {
    bulks,
    contexts: { total: m, training: train, heldOut: test, ranking: kmax > 0 ? 'training' : 'none' },
    logPartitions: zetas,
    passes,
    seconds,
  };
  for (const b of bulks) checkFiniteResult(fn, b.fit, ANCHOR_RESCALE_ADVICE, ANCHOR_INFINITE_FIELDS);
  if (res.residuals) out.residuals = res.residuals;
  return out;
}

/**
 * Pass 1 of a sweep: the mean probability of every word over the contexts whose `role` is 1 (all
 * contexts when `role` is null), weighted by `weights` (indexed by context), and the `kmax` words
 * of highest mean probability (ties to the lower index).
 *
 * @internal
 */
export function rankWordsChecked(
  fn: string,
  hName: string,
  V: Matrix,
  src: HiddenRowSource,
  role: Uint8Array | null,
  weights: FloatArray | null,
  kmax: number,
  step: number,
  onProgress?: AnchorProgress,
): { ranking: Int32Array; meanProbability: Float64Array } {
  const n = V.rows;
  const m = src.rows;
  const sums = new Float64Array(n);
  let W = 0;
  for (let r0 = 0; r0 < m; r0 += step) {
    const r1 = Math.min(m, r0 + step);
    let nt = 0;
    for (let i = r0; i < r1; i++) if (!role || role[i] === 1) nt++;
    if (nt > 0) {
      const c = readCheckedRows(fn, hName, src, r0, r1);
      const rows = new Int32Array(nt);
      const w = weights ? new Float64Array(nt) : null;
      let p = 0;
      for (let i = r0; i < r1; i++) {
        if (role && role[i] !== 1) continue;
        if (w) w[p] = weights![i];
        W += w ? w[p] : 1;
        rows[p++] = i - r0;
      }
      const bad = accumulateWordProbabilities(V, c, rows, w, sums, null);
      if (bad >= 0) throw logitOverflow(fn, r0 + bad, V, c);
    }
    onProgress?.('rank', r1, m);
  }
  for (let k = 0; k < n; k++) sums[k] /= W;
  return { ranking: topWords(sums, kmax), meanProbability: sums };
}

/**
 * Pass 2 of a sweep, over the contexts `[start, end)` of `src`: `log Z_B` of every fixed bulk
 * (all words but `ranking[0 … k)` for each `k` of `excludeTop`) in one pass through the fused
 * `logPartition` kernel plus the logits of the top `max k` words (`nestedBulkLseKernel`), then the
 * per-context bulks. Returns one array of `end − start` values per bulk, fixed bulks first.
 *
 * @internal
 */
export function sweepLogPartitionsChecked(
  fn: string,
  hName: string,
  V: Matrix,
  src: HiddenRowSource,
  start: number,
  end: number,
  ranking: Int32Array,
  excludeTop: readonly number[],
  perContext: readonly number[],
  step: number,
  onProgress?: AnchorProgress,
): Float64Array[] {
  const n = V.rows;
  const d = V.cols;
  const kmax = excludeTop.length > 0 ? Math.max(...excludeTop) : 0;
  const K = excludeTop.length + perContext.length;
  const zetas = Array.from({ length: K }, () => new Float64Array(end - start));
  const fixed = zetas.slice(0, excludeTop.length);
  const bulkMax = kmax > 0 ? bulkExcluding(ranking.subarray(0, kmax), n) : null;
  const f32 = V.data instanceof Float32Array;
  let Vtop: FloatArray | null = null;
  if (kmax > 0 && excludeTop.some((k) => k < kmax)) {
    Vtop = f32 ? new Float32Array(kmax * d) : new Float64Array(kmax * d);
    for (let r = 0; r < kmax; r++) Vtop.set(V.data.subarray(ranking[r] * d, (ranking[r] + 1) * d), r * d);
  }
  for (let r0 = start; r0 < end; r0 += step) {
    const r1 = Math.min(end, r0 + step);
    const c = readCheckedRows(fn, hName, src, r0, r1);
    const ni = r1 - r0;
    const off = r0 - start;
    if (excludeTop.length > 0) {
      const zK = new Float64Array(ni);
      const bad = logPartitionBlocks(V, c, bulkMax, zK);
      if (bad >= 0) throw logitOverflow(fn, r0 + bad, V, c);
      if (Vtop) {
        const T: FloatArray = f32 && c.data instanceof Float32Array ? new Float32Array(ni * kmax) : new Float64Array(ni * kmax);
        gemm(false, true, ni, kmax, d, 1, c.data, 0, d, Vtop, 0, d, 0, T, 0, kmax);
        const badT = nestedBulkLseKernel(ni, kmax, zK, T, excludeTop, fixed, off);
        if (badT >= 0) throw logitOverflow(fn, r0 + badT, V, c);
      } else {
        for (const z of fixed) z.set(zK, off);
      }
    }
    if (perContext.length > 0) {
      const pc = perContextBulkLogPartitionsKernel(fn, V, c, perContext, undefined, r0);
      pc.forEach((z, j) => zetas[excludeTop.length + j].set(z, off));
    }
    onProgress?.('logPartition', r1 - start, end - start);
  }
  return zetas;
}
