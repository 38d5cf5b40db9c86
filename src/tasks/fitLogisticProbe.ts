import type { Matrix } from '../matrix/matrix.js';
import { NumericalError } from '../errors/errors.js';
import { checkFloatVector, checkNumber, checkOptions, describeValue, domainError } from '../internal/check.js';
import { checkDesign, checkSampleWeights, checkScoringInput, linearScores } from './probeInputs.js';
import { logisticNewton, softplus } from './logisticKernel.js';
import { sigmoid } from './classificationTask.js';

/** Options of {@link fitLogisticProbe}. */
export interface LogisticProbeOptions {
  /** L2 penalty `λ > 0` on the weights (not on the bias). Positive, so a minimiser exists even on separable data. */
  readonly lambda: number;
  /** Maximum Newton iterations (default 100). */
  readonly maxIter?: number;
  /** Stop when the gradient norm `‖∇J‖₂ ≤ tol` (default 1e-10). */
  readonly tol?: number;
  /** Optional non-negative context weights (default uniform). */
  readonly sampleWeights?: Float64Array;
}

/** A fitted logistic probe. */
export interface LogisticProbe {
  readonly weights: Float64Array;
  readonly bias: number;
  readonly lambda: number;
  /** Whether `‖∇J‖₂ ≤ tol` was reached. */
  readonly converged: boolean;
  /** Newton iterations taken. */
  readonly iterations: number;
  /** `‖∇J‖₂` at the returned parameters. */
  readonly gradientNorm: number;
  /** The objective `J` at the returned parameters. */
  readonly objective: number;
  /** `P(label = 1 | h) = σ(⟨w, h⟩ + b)` for each row. */
  predict(H: Matrix): Float64Array;
  /** Fraction of rows where `[σ(⟨w, h⟩ + b) ≥ 1/2]` equals the label. */
  accuracy(H: Matrix, labels: Float64Array): number;
  /** Mean log-loss `−mean log p(label | h)`, computed as `softplus(η) − l·η` (never from an underflowed probability). */
  logLoss(H: Matrix, labels: Float64Array): number;
}

function checkLabels(fn: string, labels: unknown, m: number): asserts labels is Float64Array {
  checkFloatVector(fn, 'labels', labels, m, 'one per row of H');
  for (let i = 0; i < m; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) throw domainError(fn, 'labels', 'labels in {0, 1}', `${describeValue(l)} at [${i}]`);
  }
}

/**
 * L2-regularised logistic regression with an unpenalised intercept, the classification probe of
 * docs/theory.md#1-definitions. It minimises
 *
 *     J(w, b) = (1/Σμ) Σ_i μ_i [softplus(η_i) − l_i η_i] + (λ/2) ‖w‖²,   η_i = ⟨w, h_i⟩ + b,
 *
 * by Newton's method (IRLS) with Armijo backtracking. With `λ > 0` and both classes present, `J` is
 * strictly convex and coercive, so the minimiser exists and is unique even for separable data, and
 * the damped Newton iteration converges to it; the result reports `converged`, `iterations` and the
 * final `gradientNorm`. Log-losses are computed by `softplus`, never by the log of a probability.
 *
 * @param H - `m × d` representations.
 * @param labels - `m` labels in `{0, 1}`, both classes present (positive total weight on each).
 * @throws DomainError on a label outside `{0, 1}`, a single class, `lambda ≤ 0`, bad options;
 *   ShapeError on length mismatches; NumericalError if the iteration produces a non-finite value.
 * @example
 * ```ts
 * const probe = fitLogisticProbe(fromRows([[-2], [-1], [1], [2]]), Float64Array.of(0, 0, 1, 1), { lambda: 0.1 });
 * probe.converged;                                        // true
 * probe.accuracy(fromRows([[-3], [3]]), Float64Array.of(0, 1)); // 1
 * ```
 */
export function fitLogisticProbe(H: Matrix, labels: Float64Array, opts: LogisticProbeOptions): LogisticProbe {
  const fn = 'fitLogisticProbe';
  checkDesign(fn, H, labels, 'labels');
  checkLabels(fn, labels, H.rows);
  if (opts === undefined || opts === null || typeof opts !== 'object') throw domainError(fn, 'opts', 'an options object { lambda }', describeValue(opts));
  checkOptions(fn, 'opts', opts);
  checkNumber(fn, 'opts.lambda', opts.lambda, { min: 0, minExclusive: true });
  const maxIter = opts.maxIter ?? 100;
  checkNumber(fn, 'opts.maxIter', maxIter, { integer: true, min: 1 });
  const tol = opts.tol ?? 1e-10;
  checkNumber(fn, 'opts.tol', tol, { min: 0 });
  const { w, total } = checkSampleWeights(fn, 'opts.sampleWeights', opts.sampleWeights, H.rows);
  const mu = new Float64Array(H.rows);
  let pos = 0;
  for (let i = 0; i < H.rows; i++) {
    mu[i] = w[i] / total;
    pos += mu[i] * labels[i];
  }
  if (!(pos > 0 && pos < 1)) {
    throw domainError(fn, 'labels', 'both classes present (with positive weight)', `a fraction ${pos} of label 1`);
  }
  const res = logisticNewton(H, labels, mu, opts.lambda, maxIter, tol);
  for (let k = 0; k < res.theta.length; k++) {
    if (!Number.isFinite(res.theta[k])) throw new NumericalError(`${fn}: the Newton iteration produced a non-finite parameter after ${res.iterations} iterations`);
  }
  const d = H.cols;
  const weights = res.theta.slice(0, d);
  const bias = res.theta[d];
  const scoreRows = (f: string, X: Matrix) => {
    checkScoringInput(f, X, d);
    return linearScores(X, weights, bias);
  };
  return {
    weights,
    bias,
    lambda: opts.lambda,
    converged: res.converged,
    iterations: res.iterations,
    gradientNorm: res.gradientNorm,
    objective: res.objective,
    predict(X: Matrix): Float64Array {
      const eta = scoreRows('LogisticProbe.predict', X);
      for (let i = 0; i < eta.length; i++) eta[i] = sigmoid(eta[i]);
      return eta;
    },
    accuracy(X: Matrix, l: Float64Array): number {
      const f = 'LogisticProbe.accuracy';
      const eta = scoreRows(f, X);
      checkLabels(f, l, X.rows);
      if (X.rows === 0) throw domainError(f, 'H', 'at least one row', 'a 0-row matrix');
      let right = 0;
      for (let i = 0; i < eta.length; i++) if ((eta[i] >= 0 ? 1 : 0) === l[i]) right++;
      return right / eta.length;
    },
    logLoss(X: Matrix, l: Float64Array): number {
      const f = 'LogisticProbe.logLoss';
      const eta = scoreRows(f, X);
      checkLabels(f, l, X.rows);
      if (X.rows === 0) throw domainError(f, 'H', 'at least one row', 'a 0-row matrix');
      let s = 0;
      for (let i = 0; i < eta.length; i++) s += softplus(eta[i]) - l[i] * eta[i];
      return s / eta.length;
    },
  };
}
