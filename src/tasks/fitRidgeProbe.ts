import type { Matrix } from '../matrix/matrix.js';
import { NumericalError } from '../errors/errors.js';
import { checkFiniteArray, checkFloatVector, checkNumber, checkOptions, describeValue, domainError } from '../internal/check.js';
import { solveLeastSquares } from '../linalg/solveLeastSquares.js';
import { checkDesign, checkSampleWeights, checkScoringInput, linearScores } from './probeInputs.js';

/** Options of {@link fitRidgeProbe}. */
export interface RidgeProbeOptions {
  /** Ridge penalty `λ ≥ 0` on the weights (not on the bias). */
  readonly lambda: number;
  /** Optional non-negative context weights `μ` (default uniform). */
  readonly sampleWeights?: Float64Array;
}

/** A fitted ridge probe. */
export interface RidgeProbe {
  /** The weights `w` (length `d`). */
  readonly weights: Float64Array;
  /** The bias `b`. */
  readonly bias: number;
  /** The penalty it was fitted with. */
  readonly lambda: number;
  /** `⟨w, h⟩ + b` for each row of `H`. */
  predict(H: Matrix): Float64Array;
  /** Mean squared error on `(H, y)`, weighted by `sampleWeights` when given. */
  mse(H: Matrix, y: Float64Array, sampleWeights?: Float64Array): number;
}

/**
 * Ridge regression with an unpenalised intercept, the regression probe of docs/theory.md#1-definitions. It minimises
 *
 *     (1/Σμ) Σ_i μ_i (y_i − ⟨w, h_i⟩ − b)²  +  λ ‖w‖²,
 *
 * in closed form (the mean squared error is normalised by the total weight, so `λ` means the same
 * thing whatever the number of contexts). Solved by `solveLeastSquares` with ridge `λ·Σμ`, which
 * centres the design and factors the normal equations (Cholesky, or pivoted QR when they are
 * ill-conditioned).
 *
 * @param H - `m × d` representations (the learned `ĥ` on training contexts).
 * @param y - `m` targets.
 * @throws ShapeError / DomainError on malformed or non-finite input or a negative `lambda`;
 *   NumericalError when `λ = 0` and the centred design is rank-deficient (the message, from
 *   `solveLeastSquares`, is re-issued in this function's name and asks for a positive `lambda`).
 * @example
 * ```ts
 * const probe = fitRidgeProbe(fromRows([[0], [1], [2]]), Float64Array.of(1, 3, 5), { lambda: 0 });
 * probe.weights; // [2]
 * probe.bias;    // 1
 * probe.mse(fromRows([[3]]), Float64Array.of(7)); // 0
 * ```
 */
export function fitRidgeProbe(H: Matrix, y: Float64Array, opts: RidgeProbeOptions): RidgeProbe {
  const fn = 'fitRidgeProbe';
  checkDesign(fn, H, y, 'y');
  if (opts === undefined || opts === null || typeof opts !== 'object') throw domainError(fn, 'opts', 'an options object { lambda }', describeValue(opts));
  checkOptions(fn, 'opts', opts);
  checkNumber(fn, 'opts.lambda', opts.lambda, { min: 0 });
  const { w, total } = checkSampleWeights(fn, 'opts.sampleWeights', opts.sampleWeights, H.rows);
  let fit: ReturnType<typeof solveLeastSquares>;
  try {
    fit = solveLeastSquares(H, y, { intercept: true, ridge: opts.lambda * total, weights: w });
  } catch (e) {
    // The solver names itself and its own option; the caller called fitRidgeProbe and sets lambda.
    if (e instanceof NumericalError) {
      throw new NumericalError(
        e.message.replace(/^solveLeastSquares: /, `${fn}: `).replace(/'ridge' option/g, "'lambda' option").replace(/with ridge /g, 'with ridge λ·Σμ = '),
      );
    }
    throw e;
  }
  const weights = fit.coefficients;
  const bias = fit.intercept;
  const d = H.cols;
  return {
    weights,
    bias,
    lambda: opts.lambda,
    predict(X: Matrix): Float64Array {
      checkScoringInput('RidgeProbe.predict', X, d);
      return linearScores(X, weights, bias);
    },
    mse(X: Matrix, t: Float64Array, sw?: Float64Array): number {
      const f = 'RidgeProbe.mse';
      checkScoringInput(f, X, d);
      checkFloatVector(f, 'y', t, X.rows, 'one per row of H');
      checkFiniteArray(f, 'y', t);
      if (X.rows === 0) throw domainError(f, 'H', 'at least one row', 'a 0-row matrix');
      const { w: mu, total: tot } = checkSampleWeights(f, 'sampleWeights', sw, X.rows);
      const p = linearScores(X, weights, bias);
      let s = 0;
      for (let i = 0; i < X.rows; i++) s += mu[i] * (p[i] - t[i]) ** 2;
      return s / tot;
    },
  };
}
