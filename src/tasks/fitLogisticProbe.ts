import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkNumber, checkOptions, domainError } from '../core/check.js';
import { checkDesignMatrix, checkSampleWeights, checkScoringInput, linearScores } from './probeInputs.js';
import { logisticProblem, softplus } from './logisticKernel.js';
import { newtonMinimiser } from './newtonMinimiser.js';
import { sigmoid } from './classificationTask.js';
import { checkClassLabels, type ClassLabels } from './classLabels.js';

/** Options of {@link fitLogisticProbe}. */
export interface LogisticProbeOptions {
  /**
   * Ridge `λ ≥ 0`: adds `λ‖w‖²` to the weighted mean log-loss (the bias is not penalised), as
   * everywhere in the library (`docs/guide/conventions.md`). With `λ = 0` the minimiser exists only
   * when the classes overlap; on separable classes the fit throws a `NumericalError` asking for a
   * positive `ridge` (see {@link fitLogisticProbe}).
   *
   * @defaultValue 0
   */
  readonly ridge?: number;
  /**
   * Maximum Newton iterations.
   *
   * @defaultValue 100
   */
  readonly maxIter?: number;
  /**
   * Stop when the gradient norm `‖∇J‖₂ ≤ tol`.
   *
   * @defaultValue 1e-10
   */
  readonly tol?: number;
  /**
   * Non-negative per-context (per-sample) weights, one per row of `H`, with a positive sum.
   *
   * @defaultValue all 1
   */
  readonly weights?: FloatArray;
}

/** A fitted logistic probe. */
export interface LogisticProbe {
  /** The coefficients `w` (length `d`). */
  readonly coefficients: Float64Array;
  /** The bias `b`. */
  readonly bias: number;
  /** The ridge it was fitted with. */
  readonly ridge: number;
  /** Whether `‖∇J‖₂ ≤ tol` was reached. */
  readonly converged: boolean;
  /** Newton iterations taken. */
  readonly iterations: number;
  /** `‖∇J‖₂` at the returned parameters. */
  readonly gradientNorm: number;
  /** The objective `J` at the returned parameters. */
  readonly objective: number;
  /** The predicted label `[⟨w, h⟩ + b ≥ 0]` (0 or 1) for each row, as scikit-learn's `predict`. */
  predict(H: Matrix): Int32Array;
  /** `P(label = 1 | h) = σ(⟨w, h⟩ + b)` for each row, as scikit-learn's `predict_proba[:, 1]`. */
  predictProba(H: Matrix): Float64Array;
  /** Fraction of rows whose predicted label equals the label. */
  accuracy(H: Matrix, labels: ClassLabels): number;
  /** Mean log-loss `−mean log p(label | h)`, computed as `softplus(η) − l·η` (never from an underflowed probability). */
  logLoss(H: Matrix, labels: ClassLabels): number;
}

/**
 * Logistic regression with an unpenalised intercept, the binary classification probe of
 * `docs/theory.md#1-definitions`. It minimises
 *
 *     J(w, b) = (1/Σμ) Σ_i μ_i [softplus(η_i) − l_i η_i] + λ ‖w‖²,   η_i = ⟨w, h_i⟩ + b,
 *
 * by Newton's method (IRLS) with Armijo backtracking. Log-losses are computed by `softplus`, never
 * by the log of a probability.
 *
 * Without ridge (the default `λ = 0`) the minimiser exists exactly when the classes overlap. When
 * they are separable the log-loss can be driven to 0 only by weights of unbounded norm, so the fit
 * throws a `NumericalError` that asks for a positive `ridge`: as soon as a Newton iterate puts every
 * weighted context strictly on its side (a certificate of separability: scaling it up drives the loss to 0), or when the Hessian
 * at the last iterate is numerically singular (Jacobi-scaled condition above 1e12: separable up to
 * points on the boundary, or collinear features: no unique minimiser). With `λ > 0` and both classes
 * present, `J` is strictly convex and coercive, so the minimiser exists and is unique even on
 * separable data; the result reports `converged`, `iterations` and the final `gradientNorm`.
 *
 * @param H - `m × d` representations.
 * @param labels - `m` labels in `{0, 1}` (any {@link ClassLabels} container: `Float64Array`,
 *   `Int32Array`, the `Uint8Array` of a NumPy `bool` file, `number[]`, `boolean[]`, …), both classes
 *   present (positive total weight on each).
 * @throws DomainError on a label outside `{0, 1}`, a single class, a negative `ridge`, bad options;
 *   ShapeError on length mismatches; NumericalError on separable classes without ridge (see above)
 *   or on a feature of magnitude above 1e150 (the Newton Hessian sums squares of the features and
 *   would overflow: rescale `H`), or if the iteration produces a non-finite value.
 * @example
 * ```ts
 * const H = fromRows([[-2], [-1], [0.5], [1], [-0.5], [2]]);
 * const probe = fitLogisticProbe(H, [0, 0, 0, 1, 1, 1]); // overlapping classes: no ridge needed
 * probe.converged;                                      // true
 * probe.predict(fromRows([[-3], [3]]));                 // Int32Array [0, 1]
 * probe.predictProba(fromRows([[0]]));                  // P(label 1 | h = 0)
 * const sep = fitLogisticProbe(fromRows([[-1], [1]]), [false, true], { ridge: 1e-3 }); // separable: needs ridge
 * ```
 */
export function fitLogisticProbe(H: Matrix, labels: ClassLabels, opts?: LogisticProbeOptions): LogisticProbe {
  const fn = 'fitLogisticProbe';
  checkDesignMatrix(fn, H);
  const l = checkClassLabels(fn, 'labels', labels, H.rows, 1);
  checkOptions(fn, 'opts', opts);
  const ridge = opts?.ridge ?? 0;
  checkNumber(fn, 'opts.ridge', ridge, { min: 0 });
  const maxIter = opts?.maxIter ?? 100;
  checkNumber(fn, 'opts.maxIter', maxIter, { integer: true, min: 1 });
  const tol = opts?.tol ?? 1e-10;
  checkNumber(fn, 'opts.tol', tol, { min: 0 });
  const { w, total } = checkSampleWeights(fn, 'opts.weights', opts?.weights, H.rows);
  const mu = new Float64Array(H.rows);
  let pos = 0;
  for (let i = 0; i < H.rows; i++) {
    mu[i] = w[i] / total;
    pos += mu[i] * l[i];
  }
  if (!(pos > 0 && pos < 1)) {
    throw domainError(fn, 'labels', 'both classes present (with positive weight)', `a fraction ${pos} of label 1`);
  }
  const problem = logisticProblem(H, l, mu, ridge);
  const res = newtonMinimiser(fn, problem, H, ridge, maxIter, tol, "separates every weighted context");
  const d = H.cols;
  const coefficients = res.theta.slice(0, d);
  const bias = res.theta[d];
  const scoreRows = (f: string, X: Matrix) => {
    checkScoringInput(f, X, d);
    return linearScores(X, coefficients, bias);
  };
  const scored = (f: string, X: Matrix, lab: unknown) => {
    const eta = scoreRows(f, X);
    const li = checkClassLabels(f, 'labels', lab, X.rows, 1);
    if (X.rows === 0) throw domainError(f, 'H', 'at least one row', 'a 0-row matrix');
    return { eta, li };
  };
  return {
    coefficients,
    bias,
    ridge,
    converged: res.converged,
    iterations: res.iterations,
    gradientNorm: res.gradientNorm,
    objective: res.objective,
    predict(X: Matrix): Int32Array {
      const eta = scoreRows('LogisticProbe.predict', X);
      const out = new Int32Array(eta.length);
      for (let i = 0; i < eta.length; i++) out[i] = eta[i] >= 0 ? 1 : 0;
      return out;
    },
    predictProba(X: Matrix): Float64Array {
      const eta = scoreRows('LogisticProbe.predictProba', X);
      for (let i = 0; i < eta.length; i++) eta[i] = sigmoid(eta[i]);
      return eta;
    },
    accuracy(X: Matrix, lab: ClassLabels): number {
      const { eta, li } = scored('LogisticProbe.accuracy', X, lab);
      let right = 0;
      for (let i = 0; i < eta.length; i++) if ((eta[i] >= 0 ? 1 : 0) === li[i]) right++;
      return right / eta.length;
    },
    logLoss(X: Matrix, lab: ClassLabels): number {
      const { eta, li } = scored('LogisticProbe.logLoss', X, lab);
      let s = 0;
      for (let i = 0; i < eta.length; i++) s += softplus(eta[i]) - li[i] * eta[i];
      return s / eta.length;
    },
  };
}
