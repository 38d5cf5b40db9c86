/** Result types and options of the anchor-vector estimators (docs/theory.md#3-the-anchor-vector). */

/** Options of a fit from sufficient statistics (`AnchorAccumulator.fit`). */
export interface AnchorSolveOptions {
  /**
   * Ridge penalty `λ ≥ 0` on the anchor (not on the intercept): the fit minimises
   * `Σ μᵢ eᵢ² / Σ μᵢ + λ‖v₀‖²`, so `λ` does not depend on the number of contexts. Default 0.
   */
  ridge?: number;
  /**
   * Relative tolerance for the numerical rank: eigenvalues of the centred covariance of `h` below
   * `rcond · λ_max` count as zero. Default: see `AnchorStatsFit.rankTolerance`.
   */
  rcond?: number;
}

/** Options of `fitAnchor` and `fitAnchorFromLogPartition`. */
export interface AnchorFitOptions extends AnchorSolveOptions {
  /** Non-negative context weights `μ` (length `m`, not all zero); default uniform. */
  weights?: Float64Array | Float32Array;
  /** Fraction of contexts in `[0, 1)` held out by a seeded shuffle and scored, not fitted. Default 0. */
  holdout?: number;
  /** Seed of the hold-out shuffle (`createRng(seed)`); default 0. */
  seed?: string | number;
}

/** Fit quality on a set of contexts. */
export interface AnchorMetrics {
  /** Weighted mean squared residual `Σ μ e² / Σ μ` (the anchor MSE). */
  mse: number;
  /** `√mse`. */
  rmse: number;
  /** `1 − mse / selfNormalizationMse` (1 when both are 0). */
  r2: number;
  /**
   * MSE of the best constant, the self-normalisation baseline: in sample `Var_μ(log Z_B)`; held out,
   * the MSE of the training mean of `log Z_B` on the held-out contexts.
   */
  selfNormalizationMse: number;
  /** Number of contexts. */
  n: number;
}

/** Metrics that need the individual residuals (not available from sufficient statistics alone). */
export interface AnchorResidualMetrics extends AnchorMetrics {
  /** `max |e(s)|` over contexts with positive weight: the empirical `δ` of docs/theory.md#3-the-anchor-vector. */
  maxAbsResidual: number;
}

/** An anchor fitted from sufficient statistics. */
export interface AnchorStatsFit extends AnchorMetrics {
  /** The anchor `v₀` (length `d`). Minimum-norm (or ridge) when the design is rank-deficient. */
  anchor: Float64Array;
  /** The intercept `c`. */
  intercept: number;
  /**
   * Numerical rank of the design `[h 1]`: `d + 1` when the anchor is identified, `d` when every
   * `h` lies in one affine hyperplane (a final layer norm).
   */
  rank: number;
  /**
   * `√(λ_max / λ_min)` for the eigenvalues of the weighted, centred covariance of `h`: the
   * condition number of the centred design (Infinity when `λ_min ≤ 0`).
   */
  conditionNumber: number;
  /**
   * The absolute eigenvalue threshold used for `rank`: `rcond · λ_max` when `rcond` is given, else
   * `max(10·d·2⁻⁵²·λ_max, 100·u²·tr(E hhᵀ))` with `u` the unit roundoff of the storage of `H`
   * (2⁻²⁴ for float32, 2⁻⁵³ for float64). The first term is the accuracy of a computed eigenvalue;
   * the second covers rounding of `h` itself in storage (a direction that is exactly null before
   * rounding to float32 has variance of order `u²·E‖h‖²` after it).
   */
  rankTolerance: number;
  /**
   * When `rank ≤ d`: the unit eigenvector `g` of the smallest eigenvalue. Every `h` satisfies
   * `⟨g, h⟩ ≈ unidentifiedOffset`, and `(anchor + t g, intercept − t·unidentifiedOffset)` fits
   * equally well for every `t`.
   */
  unidentifiedDirection?: Float64Array;
  /** `⟨g, h̄⟩`, the offset of the hyperplane `⟨g, h⟩ = b` (with `unidentifiedDirection`). */
  unidentifiedOffset?: number;
  /** Sum of the context weights used in the fit. */
  weight: number;
}

/** An anchor fitted by `fitAnchor` / `fitAnchorFromLogPartition`, with residual-based metrics. */
export interface AnchorFit extends AnchorStatsFit, AnchorResidualMetrics {
  /** The same metrics on the held-out contexts (when `holdout > 0`). */
  heldOut?: AnchorResidualMetrics;
}
