/**
 * Unchecked kernels of the logistic regression probe: the objective, its gradient and Hessian as a
 * {@link NewtonProblem}, and the separation test.
 *
 * Objective, with `η_i = ⟨w, h_i⟩ + b`, normalised weights `μ_i` (sum 1) and labels `l_i ∈ {0, 1}`:
 *
 *     J(w, b) = Σ_i μ_i (softplus(η_i) − l_i η_i) + λ ‖w‖²,
 *
 * the weighted mean log-loss plus the library's ridge term (`docs/guide/conventions.md`), where
 * `softplus(η) − l·η = −log σ(η)` for `l = 1` and `−log(1 − σ(η))` for `l = 0`: the log-loss,
 * computed without ever taking the log of a probability (which underflows for `|η| > 745`).
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import { sigmoid } from './classificationTask.js';
import { dampedNewton, type NewtonProblem, type NewtonResult } from './newtonKernel.js';

// Math functions bound once at module scope: hot loops then call a local binding instead of looking
// up the global `Math` each time, which costs ~0.5 µs per lookup inside jest's vm context (measured:
// Math.exp in a loop 528 ns/call under jest against 37 ns through a module-level binding).
const { exp: mExp, log1p: mLog1p } = Math;

/** `log(1 + e^x)` without overflow or loss of digits for either sign. */
export function softplus(x: number): number {
  return x > 0 ? x + mLog1p(mExp(-x)) : mLog1p(mExp(x));
}

/** Weighted mean log-loss `Σ μ_i (softplus(η_i) − l_i η_i)` of scores `eta`. */
export function meanLogLoss(eta: Float64Array, labels: ArrayLike<number>, mu: Float64Array): number {
  let s = 0;
  for (let i = 0; i < eta.length; i++) s += mu[i] * (softplus(eta[i]) - labels[i] * eta[i]);
  return s;
}

function scores(H: Matrix, theta: Float64Array, out: Float64Array): void {
  const d = H.cols;
  for (let i = 0; i < H.rows; i++) {
    let s = theta[d];
    for (let k = 0; k < d; k++) s += theta[k] * H.data[i * d + k];
    out[i] = s;
  }
}

/**
 * The logistic objective over `θ = (w, b)` (length `d + 1`) as a Newton problem. With `ridge = 0`
 * the iteration stops at the first iterate that puts every weighted context strictly on its side
 * (`(2l_i − 1) η_i > 0` whenever `μ_i > 0`): that iterate is a certificate that the classes are
 * linearly separable, so `J` has infimum 0 and no minimiser.
 */
export function logisticProblem(H: Matrix, labels: ArrayLike<number>, mu: Float64Array, ridge: number): NewtonProblem {
  const m = H.rows;
  const d = H.cols;
  const p = d + 1;
  const eta = new Float64Array(m);
  return {
    p,
    objective(theta: Float64Array): number {
      scores(H, theta, eta);
      let pen = 0;
      for (let k = 0; k < d; k++) pen += theta[k] * theta[k];
      return meanLogLoss(eta, labels, mu) + ridge * pen;
    },
    gradientHessian(theta: Float64Array, grad: Float64Array, hess: Float64Array): void {
      scores(H, theta, eta);
      grad.fill(0);
      hess.fill(0);
      for (let i = 0; i < m; i++) {
        const s = sigmoid(eta[i]);
        const r = mu[i] * (s - labels[i]);
        const c = mu[i] * s * (1 - s);
        const off = i * d;
        for (let a = 0; a < p; a++) {
          const xa = a < d ? H.data[off + a] : 1;
          grad[a] += r * xa;
          for (let b = 0; b <= a; b++) hess[a * p + b] += c * xa * (b < d ? H.data[off + b] : 1);
        }
      }
      for (let k = 0; k < d; k++) {
        grad[k] += 2 * ridge * theta[k];
        hess[k * p + k] += 2 * ridge;
      }
    },
    stopAt:
      ridge > 0
        ? undefined
        : (theta: Float64Array): boolean => {
            scores(H, theta, eta);
            for (let i = 0; i < m; i++) {
              if (mu[i] === 0) continue;
              if (labels[i] === 1 ? !(eta[i] > 0) : !(eta[i] < 0)) return false;
            }
            return true;
          },
  };
}

/** Damped Newton on {@link logisticProblem}. */
export function logisticNewton(H: Matrix, labels: ArrayLike<number>, mu: Float64Array, ridge: number, maxIter: number, tol: number): NewtonResult {
  return dampedNewton(logisticProblem(H, labels, mu, ridge), maxIter, tol);
}
