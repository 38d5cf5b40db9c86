/**
 * Unchecked kernels of the anchor fit: the weighted sufficient statistics of `(h, ζ)` with
 * `ζ = log Z_B(s)` (docs/theory.md#3-the-anchor-vector), their exact merge, and the solve.
 *
 * The statistics are kept centred, as in Chan, Golub and LeVeque's pairwise algorithm for
 * variances ("Algorithms for computing the sample variance", 1983): the total weight `W = Σ μ`,
 * the means `h̄`, `ζ̄`, and the co-moments `Mhh = Σ μ (h − h̄)(h − h̄)ᵀ`, `Mhz = Σ μ (h − h̄)(ζ − ζ̄)`,
 * `Mzz = Σ μ (ζ − ζ̄)²`. They carry the same information as the raw sums `Σ μ hhᵀ, Σ μ hζ, Σ μ ζ,
 * Σ μ ζ², Σ μ` but avoid the cancellation of `Σ μ hhᵀ − W h̄h̄ᵀ` when `‖h̄‖` is large compared
 * with the spread of `h` (as for real hidden states), and two sets merge exactly:
 * `M = M_a + M_b + (W_a W_b / W) δ δᵀ`, `δ = mean_b − mean_a`.
 *
 * @internal
 */
import { gemm } from '../linalg/gemm.js';
import type { FloatArray } from '../core/matrix.js';
import { eigenCombination, eigenCoordinates, symmetricEigenFactored, type FactoredSymmetricEigen } from '../kernels/symmetricEigenKernel.js';
import type { AnchorStatsFit } from './types.js';

/** Centred weighted sufficient statistics of `(h, ζ)` over a set of contexts. */
export interface AnchorStats {
  dim: number;
  /** Number of contexts added (including those of weight 0). */
  count: number;
  /** `W = Σ μ`. */
  weight: number;
  meanH: Float64Array;
  meanZ: number;
  /** `d × d`, only the upper triangle (`j ≤ k`) is maintained. */
  mhh: Float64Array;
  mhz: Float64Array;
  mzz: number;
  /** Whether any added `H` was stored in float32 (this sets the default rank tolerance). */
  float32Hidden: boolean;
}

export function emptyStats(d: number): AnchorStats {
  return {
    dim: d,
    count: 0,
    weight: 0,
    meanH: new Float64Array(d),
    meanZ: 0,
    mhh: new Float64Array(d * d),
    mhz: new Float64Array(d),
    mzz: 0,
    float32Hidden: false,
  };
}

/** Contexts per block of the `d × d` co-moment product (256 × 768 float64 is 1.5 MB of scratch). */
export const STATS_BLOCK_ROWS = 256;

/** Columns per block row of `addUpperGram` (3 block rows at d = 768: 2/3 of the full product). */
export const GRAM_BLOCK_COLS = 256;

/**
 * `M += Xᵀ X` on and above the diagonal only (`X` is `rows × d` row-major, `M` `d × d`), through
 * `gemm` one block row at a time: block row `I` is `X[:, I]ᵀ X[:, I…d)`, so about half of the full
 * product is computed for large `d`. Entries below the diagonal are left as they are, except inside
 * the diagonal blocks.
 *
 * @example
 * ```ts
 * const M = new Float64Array(4);
 * addUpperGram(Float64Array.of(1, 2, 3, 4), 2, 2, M); // M = [10, 14, 14, 20]
 * ```
 */
export function addUpperGram(X: Float64Array, rows: number, d: number, M: Float64Array): void {
  for (let c0 = 0; c0 < d; c0 += GRAM_BLOCK_COLS) {
    const bc = Math.min(GRAM_BLOCK_COLS, d - c0);
    gemm(true, false, bc, d - c0, rows, 1, X, c0, d, X, c0, d, 1, M, c0 * d + c0, d);
  }
}

/**
 * Statistics of the rows `rows` (or all `m` rows when `rows` is null) of the row-major `h` (`d`
 * columns), with targets `zeta` and weights `weights` (null: all 1). Two passes over the rows:
 * means, then centred co-moments.
 */
export function chunkStats(
  h: FloatArray,
  d: number,
  m: number,
  rows: Int32Array | null,
  zeta: FloatArray,
  weights: FloatArray | null,
): AnchorStats {
  const s = emptyStats(d);
  s.float32Hidden = h instanceof Float32Array;
  const count = rows ? rows.length : m;
  s.count = count;
  const row = (t: number): number => (rows ? rows[t] : t);
  let W = 0;
  const mean = s.meanH;
  let mz = 0;
  for (let t = 0; t < count; t++) {
    const i = row(t);
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    W += w;
    mz += w * zeta[i];
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += w * h[o + j];
  }
  if (W === 0) return s;
  for (let j = 0; j < d; j++) mean[j] /= W;
  mz /= W;
  s.weight = W;
  s.meanZ = mz;

  const M = s.mhh;
  const mhz = s.mhz;
  let mzz = 0;
  // The d × d co-moment Σ μ (h − h̄)(h − h̄)ᵀ as a product Xᵀ X of blocks of centred rows scaled by
  // √μ, through `gemm` (which the accelerated backend takes over): m·d² multiply-adds at BLAS speed
  // rather than in a scalar loop, only the upper triangle's block rows (`addUpperGram`).
  const block = Math.max(1, Math.min(STATS_BLOCK_ROWS, count));
  const X = new Float64Array(block * d);
  let filled = 0;
  const flush = (): void => {
    addUpperGram(X, filled, d, M);
    filled = 0;
  };
  for (let t = 0; t < count; t++) {
    const i = row(t);
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    const o = i * d;
    const xo = filled * d;
    const sw = Math.sqrt(w);
    const dz = zeta[i] - mz;
    for (let j = 0; j < d; j++) {
      const v = h[o + j] - mean[j];
      X[xo + j] = sw * v;
      mhz[j] += w * v * dz;
    }
    mzz += w * dz * dz;
    filled++;
    if (filled === block) flush();
  }
  if (filled > 0) flush();
  s.mzz = mzz;
  return s;
}

/**
 * The hidden-state half of Chan et al.'s pairwise merge, shared by every statistics type: adds
 * `b`'s centred scatter `Σ (h − h̄)(h − h̄)ᵀ` (upper triangle) to `a`'s with the cross term
 * `f·δδᵀ`, `f = w_a w_b / (w_a + w_b)`, and returns `δ = h̄_b − h̄_a` (the means are not moved yet:
 * the caller's cross moments need the old `h̄_a`).
 */
export function mergeHiddenScatter(d: number, aMeanH: Float64Array, aMhh: Float64Array, bMeanH: Float64Array, bMhh: Float64Array, f: number): Float64Array {
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) delta[j] = bMeanH[j] - aMeanH[j];
  for (let j = 0; j < d; j++) {
    const fj = f * delta[j];
    const o = j * d;
    for (let k = j; k < d; k++) aMhh[o + k] += bMhh[o + k] + fj * delta[k];
  }
  return delta;
}

/** Merge `b` into `a` (Chan et al.'s pairwise update); `b` is not modified. */
export function mergeStatsInto(a: AnchorStats, b: AnchorStats): void {
  const d = a.dim;
  a.count += b.count;
  a.float32Hidden ||= b.float32Hidden;
  if (b.weight === 0) return;
  if (a.weight === 0) {
    a.weight = b.weight;
    a.meanH.set(b.meanH);
    a.meanZ = b.meanZ;
    a.mhh.set(b.mhh);
    a.mhz.set(b.mhz);
    a.mzz = b.mzz;
    return;
  }
  const W = a.weight + b.weight;
  const fb = b.weight / W;
  const f = (a.weight * b.weight) / W;
  const delta = mergeHiddenScatter(d, a.meanH, a.mhh, b.meanH, b.mhh, f);
  const dz = b.meanZ - a.meanZ;
  for (let j = 0; j < d; j++) a.mhz[j] += b.mhz[j] + f * delta[j] * dz;
  a.mzz += b.mzz + f * dz * dz;
  for (let j = 0; j < d; j++) a.meanH[j] += fb * delta[j];
  a.meanZ += fb * dz;
  a.weight = W;
}

/**
 * Unit roundoff of each storage precision a hidden state can arrive in: the rank tolerance follows
 * the precision the data was STORED in (a float16 file widened to float32 still carries float16
 * rounding, 2⁻¹¹ relative, in every entry).
 */
export const STORAGE_ROUNDOFF = { float16: 2 ** -11, bfloat16: 2 ** -8, float32: 2 ** -24, float64: 2 ** -53 } as const;

/** A storage precision of `H` (sets the default rank tolerance). */
export type StoragePrecision = keyof typeof STORAGE_ROUNDOFF;

const EPS64 = 2 ** -52;

/**
 * The symmetric eigendecomposition of the centred covariance `C = Mhh / W` of `h`, with the
 * numerical rank: computed once and shared by the fits of every target `ζ` on the same `h`
 * (several bulks of one sweep differ only in `ζ`).
 */
export interface CovarianceDecomposition {
  d: number;
  /** `C`, full `d × d`. */
  C: Float64Array;
  /**
   * The eigenvectors `qᵢ` (of `lambda[i]`) in factored form (`symmetricEigenFactored`): the fits
   * need only `Qᵀr` and `Q·a` for a few vectors, `O(d²)` each, so `Q` itself (about `2·d³` more
   * operations to form) is never built.
   */
  Q: FactoredSymmetricEigen;
  lambda: Float64Array;
  meanH: Float64Array;
  /** Absolute eigenvalue threshold of the rank. */
  tol: number;
  /** Eigenvalues above `tol`. */
  rankC: number;
  /** `√(λ_max / λ_min)` over the eigenvalues above `tol` (the identified directions). */
  conditionNumber: number;
  /** Index of the smallest eigenvalue. */
  imin: number;
}

/**
 * Decompose `C = Mhh / W` (upper triangle of `mhh` read) and set the rank tolerance from `rcond`,
 * or from the storage roundoff `u`: `max(10·d·2⁻⁵²·λ_max, 100·u²·tr(E hhᵀ))`.
 */
export function decomposeCovariance(d: number, W: number, meanH: Float64Array, mhh: Float64Array, u: number, rcond: number | undefined): CovarianceDecomposition {
  // C = Mhh / W, full (the eigen kernel reads the lower triangle, the products below use all of it).
  const C = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = mhh[j * d + k] / W;
      C[j * d + k] = v;
      C[k * d + j] = v;
    }
  }
  const Q = symmetricEigenFactored(C.slice(), d, gemm);
  const lambda = Q.values;
  let lmax = 0;
  let lmin = Infinity;
  let imin = 0;
  for (let i = 0; i < d; i++) {
    if (lambda[i] > lmax) lmax = lambda[i];
    if (lambda[i] < lmin) {
      lmin = lambda[i];
      imin = i;
    }
  }
  let trS = 0;
  for (let j = 0; j < d; j++) trS += C[j * d + j] + meanH[j] * meanH[j];
  const tol = rcond !== undefined ? rcond * lmax : Math.max(10 * d * EPS64 * lmax, 100 * u * u * trS);
  let rankC = 0;
  // The condition number over the identified directions only: a null eigenvalue (a final layer
  // norm) would make it meaningless (1e8 where the identified part has 50).
  let lminId = Infinity;
  for (let i = 0; i < d; i++) {
    if (lambda[i] > tol) {
      rankC++;
      if (lambda[i] < lminId) lminId = lambda[i];
    }
  }
  const conditionNumber = rankC > 0 ? Math.sqrt(lmax / lminId) : Infinity;
  return { d, C, Q, lambda, meanH, tol, rankC, conditionNumber, imin };
}

/**
 * Solve the centred normal equations `(C + λI) v₀ = r`, `C = Mhh / W`, `r = Mhz / W`, through the
 * symmetric eigendecomposition `C = Σ λᵢ qᵢqᵢᵀ` (`symmetricEigenKernel.ts`: Householder
 * tridiagonalisation and implicit QL, JAMA's algorithm on a flat array, the eigenvectors kept as
 * the reflectors and rotations that define them). Without ridge the solution is
 * `Σ_{λᵢ > tol} qᵢ (qᵢᵀr) / λᵢ`, the minimum-norm anchor (the limit of the ridge solution as
 * `λ → 0`; the intercept is never penalised); with ridge it is `Σᵢ qᵢ (qᵢᵀr) / (λᵢ + λ)`. Then
 * `c = ζ̄ − ⟨v₀, h̄⟩`, and the MSE from the statistics is `Var ζ − 2⟨v₀, r⟩ + v₀ᵀCv₀` (clipped at 0).
 * `roundoff` is the unit roundoff of the storage of `H` (default: float32 or float64 as added).
 */
export function solveStats(s: AnchorStats, ridge: number, rcond: number | undefined, roundoff?: number): AnchorStatsFit {
  const u = roundoff ?? (s.float32Hidden ? STORAGE_ROUNDOFF.float32 : STORAGE_ROUNDOFF.float64);
  const dec = decomposeCovariance(s.dim, s.weight, s.meanH, s.mhh, u, rcond);
  return solveDecomposed(dec, s.mhz, s.meanZ, s.mzz, s.weight, s.count, ridge);
}

/**
 * The fit of one target from a shared decomposition: `mhz = Σ μ (h − h̄)(ζ − ζ̄)` (length `d`),
 * `meanZ = ζ̄`, `mzz = Σ μ (ζ − ζ̄)²`, total weight `W` over `count` contexts.
 */
export function solveDecomposed(dec: CovarianceDecomposition, mhz: Float64Array, meanZ: number, mzz: number, W: number, count: number, ridge: number): AnchorStatsFit {
  const { d, C, Q, lambda, tol, meanH } = dec;
  const r = new Float64Array(d);
  for (let j = 0; j < d; j++) r[j] = mhz[j] / W;
  const varZ = mzz / W;
  // v₀ = Q·diag(1/(λᵢ + ridge))·Qᵀr over the directions kept.
  const y = eigenCoordinates(Q, r);
  for (let i = 0; i < d; i++) {
    const li = Math.max(lambda[i], 0);
    y[i] = ridge === 0 && !(lambda[i] > tol) ? 0 : y[i] / (li + ridge);
  }
  const anchor = eigenCombination(Q, y);
  let intercept = meanZ;
  for (let j = 0; j < d; j++) intercept -= anchor[j] * meanH[j];
  let quad = 0;
  let lin = 0;
  for (let j = 0; j < d; j++) {
    let cb = 0;
    for (let k = 0; k < d; k++) cb += C[j * d + k] * anchor[k];
    quad += anchor[j] * cb;
    lin += anchor[j] * r[j];
  }
  const mse = Math.max(0, varZ - 2 * lin + quad);
  const fit: AnchorStatsFit = {
    anchor,
    intercept,
    mse,
    rmse: Math.sqrt(mse),
    r2: r2Of(mse, varZ),
    selfNormalizationMse: varZ,
    n: count,
    weight: W,
    rank: dec.rankC + 1,
    conditionNumber: dec.conditionNumber,
    rankTolerance: tol,
  };
  if (dec.rankC < d) {
    const unit = new Float64Array(d);
    unit[dec.imin] = 1;
    const g = eigenCombination(Q, unit);
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(g[j]) > Math.abs(big)) big = g[j];
    let norm = 0;
    for (let j = 0; j < d; j++) norm += g[j] * g[j];
    // Normalise to unit length with the largest component positive, so the direction is reproducible.
    const scale = (big < 0 ? -1 : 1) / Math.sqrt(norm);
    let off = 0;
    for (let j = 0; j < d; j++) {
      g[j] *= scale;
      off += g[j] * meanH[j];
    }
    fit.unidentifiedDirection = g;
    fit.unidentifiedOffset = off;
  }
  return fit;
}

/**
 * `1 − mse / baseline`. When the baseline is 0 the target is constant: R² is 1 if the fit is exact
 * too and −Infinity otherwise (never NaN).
 */
export function r2Of(mse: number, baseline: number): number {
  if (baseline > 0) return 1 - mse / baseline;
  return mse === 0 ? 1 : -Infinity;
}
