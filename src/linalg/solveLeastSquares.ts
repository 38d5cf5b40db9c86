import { NumericalError } from '../core/errors.js';
import {
  checkFiniteArray,
  checkFiniteMatrix,
  checkFloatVector,
  checkNonEmptyMatrix,
  checkNumber,
  checkOptions,
  describeValue,
  domainError,
} from '../core/check.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { choleskyInPlace, choleskySolveInPlace } from '../kernels/choleskyKernel.js';
import { estimateInverseOneNorm, oneNorm } from '../kernels/conditionKernel.js';
import { gemm } from './gemm.js';
import {
  applyQTransposeInPlace,
  householderQrPivoted,
  numericalRank,
  solveUpperInPlace,
  solveUpperTransposeInPlace,
} from '../kernels/qrKernel.js';
import { countOf } from '../core/countOf.js';

/** Options of {@link solveLeastSquares}. */
export interface LeastSquaresOptions {
  /**
   * Ridge penalty `λ ≥ 0` on the coefficients (not on the intercept), added to the weighted *mean*
   * squared error: the objective is `Σ wᵢ eᵢ² / Σ wᵢ + λ‖β‖²` (see `docs/guide/conventions.md`).
   *
   * @defaultValue 0
   */
  ridge?: number;
  /**
   * Non-negative, finite per-row (per-context) weights `wᵢ` (length `X.rows`, not all zero).
   *
   * @defaultValue all 1
   */
  weights?: FloatArray;
  /**
   * Fit an unpenalised intercept `b`.
   *
   * @defaultValue false
   */
  intercept?: boolean;
}

/** Result of {@link solveLeastSquares}. */
export interface LeastSquaresResult {
  /** The coefficients `β`, length `X.cols`. */
  coefficients: Float64Array;
  /** The intercept `b` (0 when `intercept` is false). */
  intercept: number;
  /** Which factorisation produced the solution. */
  method: 'cholesky' | 'qr';
  /**
   * An estimate of the 1-norm condition number `κ₁(G)` of the (centred, weighted, ridge-shifted)
   * normal matrix `G = X̃ᵀWX̃ + λ(Σw)I`, by Hager's estimator (a lower bound, usually within a factor 3).
   * The coefficients' relative error is about `κ₁(G)·2.2e-16` on the Cholesky path and about
   * `√κ₁(G)·2.2e-16` (times a residual-dependent factor) on the QR path.
   */
  conditionEstimate: number;
  /** `Σ wᵢ (yᵢ − xᵢ·β − b)²` (a sum, not a mean), recomputed from the data in float64. */
  residualSumOfSquares: number;
}

/**
 * Condition number of `G` below which the normal equations are solved by Cholesky. The forward
 * error of the Cholesky solution is about `κ(G)·u` (Higham, "Accuracy and Stability of Numerical
 * Algorithms", 2nd ed., Thm 10.5 with `u = 2^-53`): at `κ = 1e10` that is ≈ 1e-6 relative, the point
 * at which the QR route (error ≈ `κ(X)·u = √κ(G)·u` for small residuals) is clearly worth its extra
 * cost. Exported for the tests and for callers who want to report it.
 */
export const CHOLESKY_CONDITION_LIMIT = 1e10;

/**
 * Weighted, optionally ridge-penalised least squares with an optional intercept:
 *
 *     minimise over β, b   (1/Σᵢ wᵢ) Σᵢ wᵢ (yᵢ − xᵢ·β − b)² + λ‖β‖²
 *
 * The ridge penalty is added to the weighted *mean* squared error, so `λ` means the same thing
 * whatever the number of rows and the scale of the weights (the library's convention,
 * `docs/guide/conventions.md`). The intercept is not penalised: with `intercept`, the columns and `y` are centred by their
 * weighted means, the centred problem is solved, and `b = ȳ − x̄·β`.
 *
 * Method. The weighted normal matrix `G = X̃ᵀWX̃ + λ(Σw)I` (`X̃` the centred design; the
 * mean-scaled objective times `Σw`) is formed in
 * float64 and factored by Cholesky; its 1-norm condition number is estimated with Hager's
 * estimator. When the factorisation succeeds and `κ₁(G) < CHOLESKY_CONDITION_LIMIT` (1e10), the
 * Cholesky solution is returned (`method: 'cholesky'`). Otherwise the problem is re-solved by
 * Householder QR with column pivoting on `√W·X̃` (stacked on `√(λΣw)·I` when `λ > 0`), which squares
 * no condition number (`method: 'qr'`). The numerical rank is the number of `|R_kk|` above
 * `max(rows, cols)·ε·|R₀₀|` (ε = 2⁻⁵²); below full rank a `NumericalError` names the rank and asks
 * for `ridge`, because the minimiser is then not unique.
 *
 * Rows with weight 0 are ignored. Float32 inputs are widened to float64; the result is float64
 * (a fit is a reduction).
 *
 * @param X - design matrix, `m × n`, non-empty and finite (float64 or float32)
 * @param y - targets, length `m`, finite
 * @param opts - `ridge` (≥ 0, default 0), `weights` (length `m`, ≥ 0, not all 0), `intercept` (default false)
 * @returns coefficients, intercept, the method used, the condition estimate and the weighted RSS
 * @throws ShapeError when `X` is empty, or `y` / `weights` do not have `X.rows` entries
 * @throws DomainError when `X`, `y` or `weights` is malformed or not finite, a weight is negative,
 *   all weights are 0, `ridge` is negative or not finite, or `intercept` is not a boolean
 * Data beyond `2^±128` (values near 1e200 whose squares overflow, or tiny ones whose squares
 * underflow) are solved scaled by powers of two and scaled back, so the results stay finite.
 *
 * @throws NumericalError when the (centred, weighted) design is rank-deficient and `ridge` is 0, e.g.
 *   `solveLeastSquares: the design is rank-deficient (numerical rank 2 of 3 columns, tolerance 3·ε·|R₀₀|); pass a positive 'ridge' option to regularise it`;
 *   or when a coefficient or the residual sum of squares is beyond float64 (rescale `y` or `X`)
 *
 * @example
 * ```ts
 * import { fromRows, solveLeastSquares } from 'lmtransfer';
 * const X = fromRows([[0], [1], [2], [3]]);
 * const fit = solveLeastSquares(X, new Float64Array([1, 3, 5, 7]), { intercept: true });
 * fit.coefficients[0]; // 2
 * fit.intercept;       // 1
 * ```
 */
export function solveLeastSquares(X: Matrix, y: FloatArray, opts?: LeastSquaresOptions): LeastSquaresResult {
  const fn = 'solveLeastSquares';
  checkNonEmptyMatrix(fn, 'X', X);
  checkFiniteMatrix(fn, 'X', X);
  const m = X.rows;
  const n = X.cols;
  checkFloatVector(fn, 'y', y, m, 'X.rows');
  checkFiniteArray(fn, 'y', y);
  checkOptions(fn, 'opts', opts);
  const ridge = opts?.ridge ?? 0;
  checkNumber(fn, 'opts.ridge', ridge, { min: 0 });
  const intercept = opts?.intercept ?? false;
  if (typeof intercept !== 'boolean') throw domainError(fn, 'opts.intercept', 'a boolean', describeValue(intercept));
  const weights = opts?.weights;
  if (weights !== undefined) {
    checkFloatVector(fn, 'opts.weights', weights, m, 'X.rows');
    let total = 0;
    for (let i = 0; i < m; i++) {
      const w = weights[i];
      if (!Number.isFinite(w) || w < 0) throw domainError(fn, 'opts.weights', 'finite and non-negative', `${describeValue(w)} at [${i}]`);
      total += w;
    }
    if (!(total > 0)) throw domainError(fn, 'opts.weights', 'weights with at least one positive entry', 'all zeros');
  }

  // Values near 1e200 are finite but their Gram products are not (κ came out NaN, the RSS ∞). Least
  // squares is equivariant under X → sx·X, y → sy·y, λ → sx²·λ (β → β·sx/sy, b → b/sy), so data
  // far from 1 are solved scaled by powers of two (exact) and the result scaled back.
  const sx = pow2Scale(X.data);
  const sy = pow2Scale(y);
  const ridgeScaled = ridge * sx * sx;
  // (A ridge that overflows when scaled up to tiny X dominates XᵀX; the unscaled solve is then fine.)
  if ((sx !== 1 || sy !== 1) && Number.isFinite(ridgeScaled)) {
    const scaled = solveLeastSquares({ rows: m, cols: n, data: X.data.map((v) => v * sx) }, y.map((v) => v * sy), { ridge: ridgeScaled, intercept, weights });
    const k = sx / sy;
    const coefficients = scaled.coefficients.map((c) => c * k);
    const rss = scaled.residualSumOfSquares / (sy * sy);
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(coefficients[j])) {
        throw new NumericalError(`${fn}: coefficient ${j} overflows float64 (|y| is too large relative to |X|); rescale y or X`);
      }
    }
    if (!Number.isFinite(rss)) throw new NumericalError(`${fn}: the residual sum of squares overflows float64 (|y| up to about 2^${-Math.log2(sy)}); rescale y`);
    return { ...scaled, coefficients, intercept: scaled.intercept / sy, residualSumOfSquares: rss };
  }

  // Weighted means (zero when there is no intercept, so that centring is a no-op).
  const w = new Float64Array(m);
  let wSum = 0;
  for (let i = 0; i < m; i++) {
    w[i] = weights === undefined ? 1 : weights[i];
    wSum += w[i];
  }
  const xMean = new Float64Array(n);
  let yMean = 0;
  if (intercept) {
    const xd = X.data;
    for (let i = 0; i < m; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const r = i * n;
      for (let j = 0; j < n; j++) xMean[j] += wi * xd[r + j];
      yMean += wi * y[i];
    }
    for (let j = 0; j < n; j++) xMean[j] /= wSum;
    yMean /= wSum;
  }

  // The mean-scaled objective times Σw is Σ w e² + λΣw‖β‖²: the solver works with that sum form,
  // whose ridge shift is λ·Σw.
  const shift = ridge * wSum;
  // Z = √W·(X − x̄) and t = √W·(y − ȳ), in float64. With ridge, Z gets n more rows, √(λΣw)·I, so that
  // the QR path can use it as the augmented design without another copy; the Gram product below
  // reads only the first m rows.
  const rowsZ = ridge > 0 ? m + n : m;
  const Z = new Float64Array(rowsZ * n);
  const t = new Float64Array(rowsZ);
  for (let i = 0; i < m; i++) {
    const s = Math.sqrt(w[i]);
    const r = i * n;
    for (let j = 0; j < n; j++) Z[r + j] = s * (X.data[r + j] - xMean[j]);
    t[i] = s * (y[i] - yMean);
  }
  if (ridge > 0) {
    const sr = Math.sqrt(shift);
    for (let j = 0; j < n; j++) Z[(m + j) * n + j] = sr;
  }

  // Normal equations: G = ZᵀZ + λΣw·I (only the data rows), rhs = Zᵀt.
  const G = new Float64Array(n * n);
  gemm(true, false, n, n, m, 1, Z, 0, n, Z, 0, n, 0, G, 0, n);
  for (let j = 0; j < n; j++) G[j * n + j] += shift;
  const rhs = new Float64Array(n);
  gemm(true, false, n, 1, m, 1, Z, 0, n, t, 0, 1, 0, rhs, 0, 1);
  const normG = oneNorm(G, n);

  let coefficients: Float64Array;
  let method: 'cholesky' | 'qr';
  let conditionEstimate: number;
  const L = Float64Array.from(G);
  const failed = choleskyInPlace(L, n);
  let kappa = Infinity;
  if (failed < 0) {
    const solve = (v: Float64Array): void => choleskySolveInPlace(L, n, v);
    kappa = normG * estimateInverseOneNorm(n, solve, solve);
  }
  if (failed < 0 && kappa < CHOLESKY_CONDITION_LIMIT) {
    coefficients = rhs;
    choleskySolveInPlace(L, n, coefficients);
    method = 'cholesky';
    conditionEstimate = kappa;
  } else {
    const tau = new Float64Array(Math.min(rowsZ, n));
    const perm = new Int32Array(n);
    householderQrPivoted(Z, rowsZ, n, tau, perm);
    const rank = numericalRank(Z, rowsZ, n);
    if (rank < n) {
      const tolWhat = `${Math.max(rowsZ, n)}·ε·|R₀₀|`;
      const advice =
        ridge > 0
          ? `even with ridge ${ridge}; pass a larger 'ridge' option`
          : `pass a positive 'ridge' option to regularise it`;
      throw new NumericalError(
        `${fn}: the design is rank-deficient (numerical rank ${rank} of ${countOf(n, 'column')}${intercept ? ' after centring for the intercept' : ''}, tolerance ${tolWhat}); ${advice}`,
      );
    }
    applyQTransposeInPlace(Z, rowsZ, n, tau, t);
    const sol = t.subarray(0, n);
    solveUpperInPlace(Z, n, n, sol);
    coefficients = new Float64Array(n);
    for (let k = 0; k < n; k++) coefficients[perm[k]] = sol[k];
    method = 'qr';
    // κ₁(G) with G = Pᵀ·RᵀR·P; a permutation changes neither 1-norm, so solve with RᵀR.
    const solve = (v: Float64Array): void => {
      solveUpperTransposeInPlace(Z, n, n, v);
      solveUpperInPlace(Z, n, n, v);
    };
    conditionEstimate = normG * estimateInverseOneNorm(n, solve, solve);
  }
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(coefficients[j])) {
      throw new NumericalError(`${fn}: the solution is not finite (coefficient ${j} is ${coefficients[j]}); the design is too ill-conditioned, pass a positive 'ridge' option`);
    }
  }

  let b = 0;
  if (intercept) {
    b = yMean;
    for (let j = 0; j < n; j++) b -= xMean[j] * coefficients[j];
  }
  let rss = 0;
  for (let i = 0; i < m; i++) {
    if (w[i] === 0) continue;
    const r = i * n;
    let f = b;
    for (let j = 0; j < n; j++) f += X.data[r + j] * coefficients[j];
    const e = y[i] - f;
    rss += w[i] * e * e;
  }
  if (!Number.isFinite(rss)) throw new NumericalError(`${fn}: the residual sum of squares overflows float64; rescale y`);
  return { coefficients, intercept: b, method, conditionEstimate, residualSumOfSquares: rss };
}

/**
 * A power of two that brings the largest |value| into `[1, 2)`, or 1 when it is already within
 * `2^±128` of 1 (or all values are 0). Capped at `2^±1000`, which is itself a float64.
 */
function pow2Scale(values: ArrayLike<number>): number {
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  if (maxAbs === 0 || (maxAbs >= 2 ** -128 && maxAbs < 2 ** 128)) return 1;
  const e = Math.floor(Math.log2(maxAbs));
  return Math.pow(2, Math.min(1000, Math.max(-1000, -e)));
}
