/**
 * The shared core of `anchorSweep` and `fitAnchorFromLogPartitions`: fits of several targets
 * `ζ₁ … ζ_K` (one per bulk) on the same contexts `H`, streamed in row chunks, with one
 * decomposition of the `d × d` statistics for all of them, and residual metrics recomputed from a
 * second pass over `H` (never over `V·H`).
 *
 * The held-out protocol (docs/guide/anchor-on-your-model.md#4-the-held-out-protocol): the training
 * contexts alone enter the statistics; every held-out number is the model fitted on the training
 * part, scored on the held-out part, and the constant self-normalisation baseline on the held-out
 * part is the TRAINING weighted mean of `ζ` (not the held-out mean), so both columns are
 * out-of-sample.
 *
 * @internal
 */
import { domainError } from '../core/check.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { r2Of, solveDecomposed, decomposeCovariance, STORAGE_ROUNDOFF } from './anchorStatsKernel.js';
import type { HiddenRowSource } from './hiddenRowSource.js';
import { emptySharedDesignStats, mergeSharedDesignStatsInto, sharedDesignChunkStats } from './sharedDesignStatsKernel.js';
import type { AnchorFit, AnchorResidualMetrics } from './types.js';

/**
 * Elements of `H` per chunk by default: 1,048,576 (4 MiB in float32, 8 MiB in float64; 1,365
 * contexts at d = 768), enough rows for the fused kernels to run at full speed, and small next to
 * size(V) so that the working set of a streamed run stays bounded.
 */
export const ANCHOR_CHUNK_ELEMENTS = 1 << 20;

/** Rows per chunk of a source with `d` columns. */
export function chunkRowsFor(d: number, chunkRows: number | undefined): number {
  return chunkRows ?? Math.max(1, Math.floor(ANCHOR_CHUNK_ELEMENTS / d));
}

/** Progress of a long phase: `phase`, work done and total (contexts). */
export type AnchorProgress = (phase: 'rank' | 'logPartition' | 'fit' | 'score', done: number, total: number) => void;

/** Settings of the shared-design fit (checked by the caller). */
export interface SharedDesignSettings {
  /** Unit roundoff of the storage of H (default: from the source's `storedDType`). */
  roundoff?: number;
  ridge: number;
  rcond: number | undefined;
  weights: FloatArray | null;
  chunkRows: number;
  residuals: boolean;
  onProgress?: AnchorProgress;
}

/** The fits, plus per-context residuals (all `m` contexts) when asked for. */
export interface SharedDesignResult {
  fits: AnchorFit[];
  residuals?: Float64Array[];
}

/**
 * Read rows `[r0, r1)` of `src` and check them: the right shape and finite entries (a non-finite
 * entry names its row and column in the whole of `H`).
 */
export function readCheckedRows(fn: string, name: string, src: HiddenRowSource, r0: number, r1: number): Matrix {
  const c = src.readRows(r0, r1);
  if (c.rows !== r1 - r0 || c.cols !== src.cols || c.data.length !== c.rows * c.cols) {
    throw domainError(fn, name, `a row source whose readRows(${r0}, ${r1}) returns a ${r1 - r0} × ${src.cols} matrix`, `${c.rows} × ${c.cols}`);
  }
  const a = c.data;
  for (let k = 0; k < a.length; k++) {
    const v = a[k];
    if (v - v !== 0) throw domainError(fn, name, 'finite in every entry', `${v} at [${r0 + Math.floor(k / c.cols)}, ${k % c.cols}]`);
  }
  return c;
}

/** Which part each context is in: 1 training, 2 held out. */
export function roleOf(m: number, train: Int32Array, test: Int32Array): Uint8Array {
  const role = new Uint8Array(m);
  for (let t = 0; t < train.length; t++) role[train[t]] = 1;
  for (let t = 0; t < test.length; t++) role[test[t]] = 2;
  return role;
}

/** Weighted mean of `z` over `rows` (0 when the weight is 0), summed in row order. */
function partMean(z: Float64Array, rows: Int32Array, weights: FloatArray | null): { W: number; mean: number } {
  let W = 0;
  let s = 0;
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    const w = weights ? weights[i] : 1;
    W += w;
    s += w * z[i];
  }
  return { W, mean: W > 0 ? s / W : 0 };
}

/**
 * Fit every target on the training rows of `src` and score it on both parts (see the module
 * comment). `zetas[k]` has one value per context of `src` (training and held out).
 */
export function fitSharedDesign(
  fn: string,
  hName: string,
  src: HiddenRowSource,
  zetas: readonly Float64Array[],
  train: Int32Array,
  test: Int32Array,
  st: SharedDesignSettings,
): SharedDesignResult {
  const m = src.rows;
  const d = src.cols;
  const K = zetas.length;
  const role = roleOf(m, train, test);
  const w = st.weights;
  const step = st.chunkRows;
  // Pass over H: the training rows' statistics, chunk by chunk, merged exactly.
  const total = emptySharedDesignStats(d, K);
  for (let r0 = 0; r0 < m; r0 += step) {
    const r1 = Math.min(m, r0 + step);
    const c = readCheckedRows(fn, hName, src, r0, r1);
    let nTrain = 0;
    for (let i = r0; i < r1; i++) if (role[i] === 1) nTrain++;
    const rows = new Int32Array(nTrain);
    let p = 0;
    for (let i = r0; i < r1; i++) if (role[i] === 1) rows[p++] = i - r0;
    mergeSharedDesignStatsInto(total, sharedDesignChunkStats(c.data, d, rows, zetas, r0, w));
    st.onProgress?.('fit', r1, m);
  }
  // One decomposition for all targets.
  const dec = decomposeCovariance(d, total.weight, total.meanH, total.mhh, st.roundoff ?? STORAGE_ROUNDOFF[src.storedDType], st.rcond);
  const cores = zetas.map((_, k) => solveDecomposed(dec, total.mhz.subarray(k * d, (k + 1) * d), total.meanZ[k], total.mzz[k], total.weight, total.count, st.ridge));

  // Second pass over H: residual metrics in row order (the order of `fitAnchor`'s), and residuals.
  const trainMean = zetas.map((z) => partMean(z, train, w));
  const testMean = zetas.map((z) => partMean(z, test, w));
  const acc = zetas.map(() => ({ sse: 0, sbase: 0, max: 0, hsse: 0, hsbase: 0, hmax: 0 }));
  const residuals = st.residuals ? zetas.map(() => new Float64Array(m)) : undefined;
  for (let r0 = 0; r0 < m; r0 += step) {
    const r1 = Math.min(m, r0 + step);
    const h = readCheckedRows(fn, hName, src, r0, r1).data;
    for (let k = 0; k < K; k++) {
      const { anchor, intercept } = cores[k];
      const z = zetas[k];
      const a = acc[k];
      const c0 = trainMean[k].mean;
      for (let i = r0; i < r1; i++) {
        const wi = w ? w[i] : 1;
        if (wi === 0 && !residuals) continue;
        let f = intercept;
        const o = (i - r0) * d;
        for (let j = 0; j < d; j++) f += anchor[j] * h[o + j];
        const e = z[i] - f;
        if (residuals) residuals[k][i] = e;
        if (wi === 0) continue;
        const b = z[i] - c0;
        if (role[i] === 1) {
          a.sse += wi * e * e;
          a.sbase += wi * b * b;
          if (Math.abs(e) > a.max) a.max = Math.abs(e);
        } else {
          a.hsse += wi * e * e;
          a.hsbase += wi * b * b;
          if (Math.abs(e) > a.hmax) a.hmax = Math.abs(e);
        }
      }
    }
    st.onProgress?.('score', r1, m);
  }
  const fits = cores.map((core, k): AnchorFit => {
    const a = acc[k];
    const W = trainMean[k].W;
    const mse = W > 0 ? a.sse / W : 0;
    const base = W > 0 ? a.sbase / W : 0;
    const fit: AnchorFit = { ...core, mse, rmse: Math.sqrt(mse), r2: r2Of(mse, base), selfNormalizationMse: base, maxAbsResidual: a.max, n: train.length };
    if (test.length > 0) {
      const Wt = testMean[k].W;
      const hm = Wt > 0 ? a.hsse / Wt : 0;
      const hb = Wt > 0 ? a.hsbase / Wt : 0;
      const ho: AnchorResidualMetrics = { mse: hm, rmse: Math.sqrt(hm), r2: r2Of(hm, hb), selfNormalizationMse: hb, maxAbsResidual: a.hmax, n: test.length };
      fit.heldOut = ho;
    }
    return fit;
  });
  return residuals ? { fits, residuals } : { fits };
}

/** Every part that has contexts must have positive total weight (the error names `flag`). */
export function checkPartWeights(fn: string, flag: string, weights: FloatArray | null, train: Int32Array, test: Int32Array): void {
  if (!weights) return;
  for (const [part, rows] of [['training', train], ['held-out', test]] as const) {
    if (rows.length === 0) continue;
    let s = 0;
    for (let t = 0; t < rows.length; t++) s += weights[rows[t]];
    if (!(s > 0)) throw domainError(fn, flag, `positive on some ${part} context`, `all zeros on the ${rows.length} ${part} contexts`);
  }
}
