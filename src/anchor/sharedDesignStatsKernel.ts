/**
 * Unchecked kernels of fits that share one design: the weighted, centred sufficient statistics of
 * `h` together with those of `K` targets `ζ₁ … ζ_K` (several bulks of one sweep), accumulated
 * chunk by chunk and merged exactly (Chan, Golub and LeVeque's pairwise update, as
 * `anchorStatsKernel.ts` does for one target). The `d × d` co-moment of `h` is formed once for all
 * targets; each target adds only `d + 2` numbers.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { addUpperGram, mergeHiddenScatter, STATS_BLOCK_ROWS } from './anchorStatsKernel.js';

/** Centred statistics of `h` and of `K` targets over a set of contexts. */
export interface SharedDesignStats {
  dim: number;
  targets: number;
  count: number;
  weight: number;
  meanH: Float64Array;
  /** `d × d`, upper triangle maintained. */
  mhh: Float64Array;
  /** `ζ̄_k`, length `K`. */
  meanZ: Float64Array;
  /** `Σ μ (h − h̄)(ζ_k − ζ̄_k)`, target `k` at `[k·d, (k+1)·d)`. */
  mhz: Float64Array;
  /** `Σ μ (ζ_k − ζ̄_k)²`, length `K`. */
  mzz: Float64Array;
}

export function emptySharedDesignStats(d: number, K: number): SharedDesignStats {
  return { dim: d, targets: K, count: 0, weight: 0, meanH: new Float64Array(d), mhh: new Float64Array(d * d), meanZ: new Float64Array(K), mhz: new Float64Array(K * d), mzz: new Float64Array(K) };
}

/**
 * Statistics of the rows `rows` (local indices, increasing) of the row-major chunk `h` (`d`
 * columns). Target `k` of local row `i` is `zetas[k][zOffset + i]`; the weight is
 * `weights[zOffset + i]` (null: 1). Two passes over the rows: means, then centred co-moments.
 */
export function sharedDesignChunkStats(
  h: FloatArray,
  d: number,
  rows: Int32Array,
  zetas: readonly Float64Array[],
  zOffset: number,
  weights: FloatArray | null,
): SharedDesignStats {
  const K = zetas.length;
  const s = emptySharedDesignStats(d, K);
  s.count = rows.length;
  let W = 0;
  const mean = s.meanH;
  const mz = s.meanZ;
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    const w = weights ? weights[zOffset + i] : 1;
    if (w === 0) continue;
    W += w;
    for (let k = 0; k < K; k++) mz[k] += w * zetas[k][zOffset + i];
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += w * h[o + j];
  }
  if (W === 0) return s;
  for (let j = 0; j < d; j++) mean[j] /= W;
  for (let k = 0; k < K; k++) mz[k] /= W;
  s.weight = W;
  // Σ μ (h − h̄)(h − h̄)ᵀ as Xᵀ X over blocks of centred rows scaled by √μ, upper triangle through `gemm`.
  const block = Math.max(1, Math.min(STATS_BLOCK_ROWS, rows.length));
  const X = new Float64Array(block * d);
  const v = new Float64Array(d);
  let filled = 0;
  const flush = (): void => {
    addUpperGram(X, filled, d, s.mhh);
    filled = 0;
  };
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    const w = weights ? weights[zOffset + i] : 1;
    if (w === 0) continue;
    const o = i * d;
    const xo = filled * d;
    const sw = Math.sqrt(w);
    for (let j = 0; j < d; j++) {
      v[j] = h[o + j] - mean[j];
      X[xo + j] = sw * v[j];
    }
    for (let k = 0; k < K; k++) {
      const dz = zetas[k][zOffset + i] - mz[k];
      const wdz = w * dz;
      const base = k * d;
      for (let j = 0; j < d; j++) s.mhz[base + j] += wdz * v[j];
      s.mzz[k] += wdz * dz;
    }
    filled++;
    if (filled === block) flush();
  }
  if (filled > 0) flush();
  return s;
}

/** Merge `b` into `a` (same `d` and `K`; `b` is not modified). */
export function mergeSharedDesignStatsInto(a: SharedDesignStats, b: SharedDesignStats): void {
  const d = a.dim;
  const K = a.targets;
  a.count += b.count;
  if (b.weight === 0) return;
  if (a.weight === 0) {
    a.weight = b.weight;
    a.meanH.set(b.meanH);
    a.mhh.set(b.mhh);
    a.meanZ.set(b.meanZ);
    a.mhz.set(b.mhz);
    a.mzz.set(b.mzz);
    return;
  }
  const W = a.weight + b.weight;
  const fb = b.weight / W;
  const f = (a.weight * b.weight) / W;
  const delta = mergeHiddenScatter(d, a.meanH, a.mhh, b.meanH, b.mhh, f);
  for (let k = 0; k < K; k++) {
    const dz = b.meanZ[k] - a.meanZ[k];
    const base = k * d;
    for (let j = 0; j < d; j++) a.mhz[base + j] += b.mhz[base + j] + f * delta[j] * dz;
    a.mzz[k] += b.mzz[k] + f * dz * dz;
    a.meanZ[k] += fb * dz;
  }
  for (let j = 0; j < d; j++) a.meanH[j] += fb * delta[j];
  a.weight = W;
}
