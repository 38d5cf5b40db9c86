import type { FloatArray, Matrix } from '../core/matrix.js';
import { NumericalError } from '../core/errors.js';
import { checkFiniteArray, checkFloatVector, checkNumber, checkOptions, domainError } from '../core/check.js';
import { solveLeastSquares } from '../linalg/solveLeastSquares.js';
import { checkDesign, checkSampleWeights, checkScoringInput, linearScores } from './probeInputs.js';

/** Options of {@link fitRidgeProbe}. */
export interface RidgeProbeOptions {
  /**
   * Ridge `λ ≥ 0`: adds `λ‖w‖²` to the weighted mean squared error (the bias is not penalised), as
   * everywhere in the library (`docs/guide/conventions.md`).
   *
   * @defaultValue 0
   */
  readonly ridge?: number;
  /**
   * Non-negative per-context (per-sample) weights `μ`, one per row of `H`, with a positive sum.
   *
   * @defaultValue all 1
   */
  readonly weights?: FloatArray;
}

/** A fitted ridge probe. */
export interface RidgeProbe {
  /** The coefficients `w` (length `d`). */
  readonly coefficients: Float64Array;
  /** The bias `b`. */
  readonly bias: number;
  /** The ridge it was fitted with. */
  readonly ridge: number;
  /** `⟨w, h⟩ + b` for each row of `H` (a regression probe predicts values). */
  predict(H: Matrix): Float64Array;
  /** Mean squared error on `(H, y)`, weighted by `weights` when given (computed scaled; a `NumericalError` only when the mean square itself exceeds float64). */
  mse(H: Matrix, y: FloatArray, weights?: FloatArray): number;
}

/**
 * Ridge regression with an unpenalised intercept, the regression probe of `docs/theory.md#1-definitions`. It
 * minimises
 *
 *     (1/Σμ) Σ_i μ_i (y_i − ⟨w, h_i⟩ − b)²  +  λ ‖w‖²,
 *
 * in closed form (the mean squared error is normalised by the total weight, so `λ` means the same
 * thing whatever the number of contexts). Solved by `solveLeastSquares` with the same `ridge`, which
 * centres the design and factors the normal equations (Cholesky, or pivoted QR when they are
 * ill-conditioned).
 *
 * @param H - `m × d` representations (the learned `ĥ` on training contexts).
 * @param y - `m` targets.
 * @throws ShapeError / DomainError on malformed or non-finite input or a negative `ridge`;
 *   NumericalError when `ridge` is 0 and the centred design is rank-deficient (the message, from
 *   `solveLeastSquares`, is re-issued in this function's name and asks for a positive `ridge`).
 * @example
 * ```ts
 * const probe = fitRidgeProbe(fromRows([[0], [1], [2]]), Float64Array.of(1, 3, 5)); // ridge 0
 * probe.coefficients; // [2]
 * probe.bias;         // 1
 * probe.mse(fromRows([[3]]), Float64Array.of(7)); // 0
 * ```
 */
export function fitRidgeProbe(H: Matrix, y: FloatArray, opts?: RidgeProbeOptions): RidgeProbe {
  const fn = 'fitRidgeProbe';
  checkDesign(fn, H, y, 'y');
  checkOptions(fn, 'opts', opts);
  const ridge = opts?.ridge ?? 0;
  checkNumber(fn, 'opts.ridge', ridge, { min: 0 });
  const { w } = checkSampleWeights(fn, 'opts.weights', opts?.weights, H.rows);
  let fit: ReturnType<typeof solveLeastSquares>;
  try {
    fit = solveLeastSquares(H, y, { intercept: true, ridge, weights: w });
  } catch (e) {
    // The solver names itself; the caller called fitRidgeProbe (the option has the same name).
    if (e instanceof NumericalError) throw new NumericalError(e.message.replace(/^solveLeastSquares: /, `${fn}: `));
    throw e;
  }
  const coefficients = fit.coefficients;
  const bias = fit.intercept;
  const d = H.cols;
  return {
    coefficients,
    bias,
    ridge,
    predict(X: Matrix): Float64Array {
      checkScoringInput('RidgeProbe.predict', X, d);
      return linearScores(X, coefficients, bias);
    },
    mse(X: Matrix, t: FloatArray, sw?: FloatArray): number {
      const f = 'RidgeProbe.mse';
      checkScoringInput(f, X, d);
      checkFloatVector(f, 'y', t, X.rows, 'one per row of H');
      checkFiniteArray(f, 'y', t);
      if (X.rows === 0) throw domainError(f, 'H', 'at least one row', 'a 0-row matrix');
      const { w: mu, total: tot } = checkSampleWeights(f, 'weights', sw, X.rows);
      const p = linearScores(X, coefficients, bias);
      // Scaled by the largest residual so that residuals near 1e200 (whose squares overflow) still
      // give their mean square when it is a float64; only a true mean square beyond 1.8e308 throws.
      let emax = 0;
      for (let i = 0; i < X.rows; i++) if (mu[i] > 0) emax = Math.max(emax, Math.abs(p[i] - t[i]));
      if (emax === 0) return 0;
      let s = 0;
      if (Number.isFinite(emax)) for (let i = 0; i < X.rows; i++) s += mu[i] * ((p[i] - t[i]) / emax) ** 2;
      const mse = emax * ((s / tot) * emax);
      if (!Number.isFinite(mse)) throw new NumericalError(`${f}: the mean squared error overflows float64 (largest |prediction − y| = ${emax}); rescale y and H`);
      return mse;
    },
  };
}
