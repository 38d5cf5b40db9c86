import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkNumber, checkOptions, domainError } from '../core/check.js';
import { checkDesignMatrix, checkSampleWeights, checkScoringInput } from './probeInputs.js';
import { newtonMinimiser } from './newtonMinimiser.js';
import { rowLogSumExp, softmaxLayout, softmaxProblem, softmaxScores } from './softmaxProbeKernel.js';
import { checkClassLabels, type ClassLabels } from './classLabels.js';

/** Options of {@link fitSoftmaxProbe}. */
export interface SoftmaxProbeOptions {
  /**
   * Ridge `λ ≥ 0`: adds `λ Σ_k ‖w_k‖²` to the weighted mean log-loss (biases are not penalised), as
   * everywhere in the library (`docs/guide/conventions.md`). With `λ = 0` the minimiser exists only
   * when the classes overlap; on separable classes the fit throws a `NumericalError` asking for a
   * positive `ridge`.
   *
   * @defaultValue 0
   */
  readonly ridge?: number;
  /**
   * The number of classes `K ≥ 2`; every class `0…K−1` must occur with positive weight.
   *
   * @defaultValue the largest label + 1
   */
  readonly classes?: number;
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

/** A fitted softmax (multinomial logistic) probe. */
export interface SoftmaxProbe {
  /** The number of classes `K`. */
  readonly classes: number;
  /** The coefficients: row `k` is `w_k` (`K × d`). Without ridge, row `K−1` is 0 (the reference class). */
  readonly coefficients: Matrix;
  /** The biases `b_k` (length `K`; `b_{K−1} = 0`, since a common shift changes nothing). */
  readonly bias: Float64Array;
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
  /** The most probable class for each row (the smallest index on a tie), as scikit-learn's `predict`. */
  predict(H: Matrix): Int32Array;
  /** `P(class k | h)` (`m × K`, rows sum to 1), as scikit-learn's `predict_proba`. */
  predictProba(H: Matrix): Matrix<Float64Array>;
  /** Fraction of rows whose predicted class equals the label. */
  accuracy(H: Matrix, labels: ClassLabels): number;
  /** Mean log-loss `−mean log p(label | h)`, computed as `logΣexp η − η_label` (never from an underflowed probability). */
  logLoss(H: Matrix, labels: ClassLabels): number;
}

/**
 * Softmax regression (multinomial logistic regression, not one-vs-rest) with unpenalised biases:
 * the probe for a downstream task with `K ≥ 2` classes. It minimises
 *
 *     J(W, b) = (1/Σμ) Σ_i μ_i [logΣexp_k η_ik − η_{i,y_i}] + λ Σ_k ‖w_k‖²,   η_ik = ⟨w_k, h_i⟩ + b_k,
 *
 * by Newton's method with the exact Hessian and Armijo backtracking (cost `O(m·p²)` per iteration
 * with `p ≈ K(d+1)` parameters, so it suits probes with up to a few hundred parameters).
 *
 * Without ridge (the default) the minimiser exists exactly when the classes overlap; on separable
 * classes the fit throws a `NumericalError` asking for a positive `ridge`, as
 * {@link fitLogisticProbe} does (an iterate under which every weighted context scores its own class
 * highest is a certificate of separability; a numerically singular Hessian at the last iterate means
 * no unique minimiser). For `K = 2` the penalty falls on both classes' vectors, which settle at
 * `±w/2`: the softmax probe with ridge `λ` is the logistic probe with ridge `λ/2`.
 *
 * @param H - `m × d` representations.
 * @param labels - `m` class indices in `[0, K)` (any {@link ClassLabels} container; a NumPy `int64`
 *   file read by `readNpy` can be passed as it is).
 * @throws DomainError on a label that is not a class index, a class without weight, a negative
 *   `ridge`, bad options; ShapeError on length mismatches; NumericalError on separable classes
 *   without ridge, on a feature of magnitude above 1e150 (the Newton Hessian sums squares of the
 *   features and would overflow: rescale `H`), or a non-finite iterate.
 * @example
 * ```ts
 * const H = fromRows([[0, 0], [1, 0], [0, 1], [0.2, 0.1], [0.9, 0.2], [0.1, 0.8]]);
 * const probe = fitSoftmaxProbe(H, Int32Array.of(0, 1, 2, 0, 1, 2), { ridge: 1e-3 });
 * probe.predict(fromRows([[1, 0]]));      // Int32Array [1]
 * probe.predictProba(fromRows([[1, 0]])); // 1 × 3 matrix of probabilities
 * ```
 */
export function fitSoftmaxProbe(H: Matrix, labels: ClassLabels, opts?: SoftmaxProbeOptions): SoftmaxProbe {
  const fn = 'fitSoftmaxProbe';
  checkDesignMatrix(fn, H);
  const y = checkClassLabels(fn, 'labels', labels, H.rows);
  checkOptions(fn, 'opts', opts);
  let maxLabel = 0;
  for (let i = 0; i < y.length; i++) if (y[i] > maxLabel) maxLabel = y[i];
  const K = opts?.classes ?? maxLabel + 1;
  checkNumber(fn, 'opts.classes', K, { integer: true, min: 2 });
  if (maxLabel >= K) throw domainError(fn, 'labels', `class indices in [0, ${K}) (opts.classes = ${K})`, `${maxLabel} at [${y.indexOf(maxLabel)}]`);
  const ridge = opts?.ridge ?? 0;
  checkNumber(fn, 'opts.ridge', ridge, { min: 0 });
  const maxIter = opts?.maxIter ?? 100;
  checkNumber(fn, 'opts.maxIter', maxIter, { integer: true, min: 1 });
  const tol = opts?.tol ?? 1e-10;
  checkNumber(fn, 'opts.tol', tol, { min: 0 });
  const { w, total } = checkSampleWeights(fn, 'opts.weights', opts?.weights, H.rows);
  const mu = new Float64Array(H.rows);
  const classWeight = new Float64Array(K);
  for (let i = 0; i < H.rows; i++) {
    mu[i] = w[i] / total;
    classWeight[y[i]] += mu[i];
  }
  for (let k = 0; k < K; k++) {
    // A class with no weight has no minimiser: its unpenalised bias is driven to −∞.
    if (!(classWeight[k] > 0)) throw domainError(fn, 'labels', `every class 0…${K - 1} present (with positive weight)`, `no weight on class ${k}`);
  }
  const d = H.cols;
  const problem = softmaxProblem(H, y, K, mu, ridge);
  const res = newtonMinimiser(fn, problem, H, ridge, maxIter, tol, "scores every weighted context's own class highest");
  const L = softmaxLayout(K, d, ridge);
  const theta = res.theta;
  const coefData = new Float64Array(K * d);
  coefData.set(theta.subarray(0, L.Kw * d));
  const bias = new Float64Array(K);
  bias.set(theta.subarray(L.Kw * d, L.Kw * d + K - 1));
  const coefficients: Matrix<Float64Array> = { rows: K, cols: d, data: coefData };
  const scoreRows = (f: string, X: Matrix): Float64Array => {
    checkScoringInput(f, X, d);
    const eta = new Float64Array(X.rows * K);
    softmaxScores(X, L, theta, eta);
    return eta;
  };
  const argmax = (eta: Float64Array, i: number): number => {
    let best = 0;
    for (let k = 1; k < K; k++) if (eta[i * K + k] > eta[i * K + best]) best = k;
    return best;
  };
  const scored = (f: string, X: Matrix, lab: unknown) => {
    const eta = scoreRows(f, X);
    const li = checkClassLabels(f, 'labels', lab, X.rows, K - 1);
    if (X.rows === 0) throw domainError(f, 'H', 'at least one row', 'a 0-row matrix');
    return { eta, li };
  };
  return {
    classes: K,
    coefficients,
    bias,
    ridge,
    converged: res.converged,
    iterations: res.iterations,
    gradientNorm: res.gradientNorm,
    objective: res.objective,
    predict(X: Matrix): Int32Array {
      const eta = scoreRows('SoftmaxProbe.predict', X);
      const out = new Int32Array(X.rows);
      for (let i = 0; i < X.rows; i++) out[i] = argmax(eta, i);
      return out;
    },
    predictProba(X: Matrix): Matrix<Float64Array> {
      const eta = scoreRows('SoftmaxProbe.predictProba', X);
      for (let i = 0; i < X.rows; i++) {
        const lse = rowLogSumExp(eta, i * K, K);
        for (let k = 0; k < K; k++) eta[i * K + k] = Math.exp(eta[i * K + k] - lse);
      }
      return { rows: X.rows, cols: K, data: eta };
    },
    accuracy(X: Matrix, lab: ClassLabels): number {
      const { eta, li } = scored('SoftmaxProbe.accuracy', X, lab);
      let right = 0;
      for (let i = 0; i < X.rows; i++) if (argmax(eta, i) === li[i]) right++;
      return right / X.rows;
    },
    logLoss(X: Matrix, lab: ClassLabels): number {
      const { eta, li } = scored('SoftmaxProbe.logLoss', X, lab);
      let s = 0;
      for (let i = 0; i < X.rows; i++) s += rowLogSumExp(eta, i * K, K) - eta[i * K + li[i]];
      return s / X.rows;
    },
  };
}
