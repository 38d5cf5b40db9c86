/**
 * The shared core of `fitAnchor` and `fitAnchorFromLogPartition`: option checks, the seeded
 * hold-out split, the fit from sufficient statistics and the residual-based metrics.
 *
 * @internal
 */
import { checkFiniteArray, checkFiniteResult, checkFloatVector, checkNumber, checkOneOf, checkOptions, describeValue, domainError } from '../core/check.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { createRng } from '../random/createRng.js';
import { shuffleInPlace } from '../random/permutation.js';
import { logPartitionBlocks } from '../softmax/logPartitionBlocks.js';
import { chunkStats, r2Of, solveStats, STORAGE_ROUNDOFF } from './anchorStatsKernel.js';
import { logitOverflow } from './logitOverflow.js';
import type { AnchorFit, AnchorFitOptions, AnchorResidualMetrics } from './types.js';
import { countOf } from '../core/countOf.js';

/** Validated options. */
export interface AnchorFitSettings {
  ridge: number;
  rcond: number | undefined;
  /** Unit roundoff of the storage of H when given (`hiddenStorage`), else undefined. */
  roundoff: number | undefined;
  weights: FloatArray | null;
  holdout: number;
  seed: string | number;
}

/** Check `ridge` and `rcond` (shared with `AnchorAccumulator.fit`). */
export function checkSolveOptions(fn: string, opts: { ridge?: unknown; rcond?: unknown; hiddenStorage?: unknown } | undefined): { ridge: number; rcond: number | undefined; roundoff: number | undefined } {
  checkOptions(fn, 'opts', opts);
  const ridge = opts?.ridge ?? 0;
  checkNumber(fn, 'opts.ridge', ridge, { min: 0 });
  const rcond = opts?.rcond;
  if (rcond !== undefined) checkNumber(fn, 'opts.rcond', rcond, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const hs = opts?.hiddenStorage;
  if (hs !== undefined) checkOneOf(fn, 'opts.hiddenStorage', hs, ['float16', 'bfloat16', 'float32', 'float64'] as const);
  return { ridge, rcond, roundoff: hs === undefined ? undefined : STORAGE_ROUNDOFF[hs] };
}

/** Check context weights: finite, non-negative, not all zero, length `m`. */
export function checkWeights(fn: string, name: string, weights: unknown, m: number): FloatArray {
  checkFloatVector(fn, name, weights, m, 'one per context, H.rows');
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!Number.isFinite(w) || w < 0) throw domainError(fn, name, 'finite and non-negative', `${describeValue(w)} at [${i}]`);
    total += w;
  }
  if (!(total > 0)) throw domainError(fn, name, 'not all zero', 'all zeros');
  return weights;
}

/** Check every option of a full fit on `m` contexts. */
export function checkFitOptions(fn: string, opts: AnchorFitOptions | undefined, m: number): AnchorFitSettings {
  const { ridge, rcond, roundoff } = checkSolveOptions(fn, opts);
  const weights = opts?.weights === undefined ? null : checkWeights(fn, 'opts.weights', opts.weights, m);
  const holdout = opts?.holdout ?? 0;
  checkNumber(fn, 'opts.holdout', holdout, { min: 0, max: 1, maxExclusive: true });
  const seed = opts?.seed ?? 0;
  if (!(typeof seed === 'string' && seed.length > 0) && !(typeof seed === 'number' && Number.isFinite(seed))) {
    throw domainError(fn, 'opts.seed', 'a non-empty string or a finite number', describeValue(seed));
  }
  return { ridge, rcond, roundoff, weights, holdout, seed };
}

/**
 * The seeded split: a Fisher–Yates shuffle of `0..m−1` with `createRng(seed)`; the first
 * `round(holdout·m)` indices are held out. Both parts are returned sorted (accumulation in file
 * order is cache-friendly and makes the result independent of the shuffle's order within a part).
 */
export function holdoutSplit(fn: string, m: number, holdout: number, seed: string | number): { train: Int32Array; test: Int32Array } {
  const nTest = Math.round(holdout * m);
  if (holdout > 0 && (nTest < 1 || m - nTest < 1)) {
    throw domainError(fn, 'opts.holdout', `a fraction that leaves at least one context in each part of the ${countOf(m, 'context')}`, describeValue(holdout));
  }
  const perm = new Int32Array(m);
  for (let i = 0; i < m; i++) perm[i] = i;
  if (nTest > 0) shuffleInPlace(perm, createRng(seed));
  const test = perm.slice(0, nTest).sort();
  const train = perm.slice(nTest).sort();
  return { train, test };
}

/**
 * Residual metrics of `(anchor, intercept)` on the rows `rows` of `(H, zeta)`: weighted MSE,
 * max |residual| over rows of positive weight, and the constant baseline around `center` (the
 * set's own weighted mean when null, two-pass).
 */
export function residualMetrics(
  H: Matrix,
  zeta: FloatArray,
  rows: Int32Array,
  weights: FloatArray | null,
  anchor: Float64Array,
  intercept: number,
  center: number | null,
): AnchorResidualMetrics & { mean: number } {
  const d = H.cols;
  const h = H.data;
  let W = 0;
  let mean = 0;
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    const w = weights ? weights[i] : 1;
    W += w;
    mean += w * zeta[i];
  }
  mean = W > 0 ? mean / W : 0;
  const c0 = center ?? mean;
  let sse = 0;
  let sbase = 0;
  let maxAbs = 0;
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    let f = intercept;
    const o = i * d;
    for (let j = 0; j < d; j++) f += anchor[j] * h[o + j];
    const e = zeta[i] - f;
    sse += w * e * e;
    const b = zeta[i] - c0;
    sbase += w * b * b;
    if (Math.abs(e) > maxAbs) maxAbs = Math.abs(e);
  }
  const mse = W > 0 ? sse / W : 0;
  const base = W > 0 ? sbase / W : 0;
  return { mse, rmse: Math.sqrt(mse), r2: r2Of(mse, base), selfNormalizationMse: base, maxAbsResidual: maxAbs, n: rows.length, mean };
}

/** What to do when an anchor fit's statistics overflow (the squares of log-partitions beyond ~1e154). */
export const ANCHOR_RESCALE_ADVICE = 'the log-partitions ζ(s) (or their residuals) are too large to square in float64; rescale V or H (or ζ) so that |ζ| stays below about 1e150';

/** Fields of an anchor fit that may be infinite as their true value: κ of a singular design, R² of a constant target. */
export const ANCHOR_INFINITE_FIELDS: readonly string[] = ['conditionNumber', 'r2'];

/**
 * Fit on `(H, zeta)` with validated settings: split, statistics of the training rows, solve, and
 * the metrics recomputed from the residuals (more accurate than the statistics' MSE when R² ≈ 1).
 */
export function fitAnchorCore(fn: string, H: Matrix, zeta: FloatArray, st: AnchorFitSettings): AnchorFit {
  const m = H.rows;
  const { train, test } = holdoutSplit(fn, m, st.holdout, st.seed);
  if (st.weights) {
    for (const [part, rows] of [['training', train], ['held-out', test]] as const) {
      if (rows.length === 0) continue;
      let w = 0;
      for (let t = 0; t < rows.length; t++) w += st.weights[rows[t]];
      if (!(w > 0)) throw domainError(fn, 'opts.weights', `positive on some ${part} context`, `all zeros on the ${countOf(rows.length, `${part} context`)}`);
    }
  }
  const stats = chunkStats(H.data, H.cols, m, test.length > 0 ? train : null, zeta, st.weights);
  const core = solveStats(stats, st.ridge, st.rcond, st.roundoff);
  const inSample = residualMetrics(H, zeta, train, st.weights, core.anchor, core.intercept, null);
  const fit: AnchorFit = {
    ...core,
    mse: inSample.mse,
    rmse: inSample.rmse,
    r2: inSample.r2,
    selfNormalizationMse: inSample.selfNormalizationMse,
    maxAbsResidual: inSample.maxAbsResidual,
    n: train.length,
  };
  if (test.length > 0) {
    const ho = residualMetrics(H, zeta, test, st.weights, core.anchor, core.intercept, inSample.mean);
    fit.heldOut = { mse: ho.mse, rmse: ho.rmse, r2: ho.r2, selfNormalizationMse: ho.selfNormalizationMse, maxAbsResidual: ho.maxAbsResidual, n: ho.n };
  }
  // Log-partitions near 1e200 are finite but their squared residuals are not (issue 13 item 3).
  checkFiniteResult(fn, fit, ANCHOR_RESCALE_ADVICE, ANCHOR_INFINITE_FIELDS);
  return fit;
}

/** Check a vector of log-partition values: float, length `m`, finite. */
export function checkLogPartitionValues(fn: string, name: string, zeta: unknown, m: number): asserts zeta is FloatArray {
  checkFloatVector(fn, name, zeta, m, 'one per context, H.rows');
  checkFiniteArray(fn, name, zeta);
}

/**
 * `ζ = log Z_B(s)` for every row of `H` by `logPartitionBlocks` (blocked, stable, float64) on
 * checked inputs; an overflowing logit is a `NumericalError` naming `fn`, the caller, rather than
 * `logPartition`.
 */
export function bulkLogPartitionChecked(fn: string, V: Matrix, H: Matrix, bulk: Int32Array): Float64Array {
  const zeta = new Float64Array(H.rows);
  const bad = logPartitionBlocks(V, H, bulk, zeta);
  if (bad >= 0) throw logitOverflow(fn, bad, V, H);
  return zeta;
}
