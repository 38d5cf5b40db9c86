/**
 * Unchecked kernels of the softmax (multinomial logistic) regression probe: the objective, its exact
 * gradient and Hessian as a {@link NewtonProblem}, and the scores.
 *
 * Classes `0…K−1`; class `k` has scores `η_ik = ⟨w_k, h_i⟩ + b_k`. Objective, with normalised
 * weights `μ_i` (sum 1) and labels `y_i`:
 *
 *     J(W, b) = Σ_i μ_i (logΣexp_k η_ik − η_{i,y_i}) + λ Σ_k ‖w_k‖²,
 *
 * the weighted mean log-loss (computed as a log-sum-exp minus a score, never as the log of a
 * probability) plus the library's ridge term. Shifting every `b_k` by one constant changes
 * nothing, so `b_{K−1} = 0` is fixed; without ridge, shifting every `w_k` by one vector changes
 * nothing either, so `w_{K−1} = 0` is fixed too (class `K−1` is the reference class). With ridge the
 * penalty identifies all `K` coefficient vectors (their sum is 0 at the minimiser).
 *
 * Parameter layout `θ`: the `Kw` free coefficient vectors (`Kw = K` with ridge, `K − 1` without),
 * `d` entries each, then the `K − 1` free biases.
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import type { NewtonProblem } from './newtonKernel.js';

// Bound once: a global `Math` lookup costs ~0.5 µs inside jest's vm context (see logisticKernel.ts).
const { exp: mExp, log: mLog } = Math;

/** Where each class's parameters sit in `θ`. */
export interface SoftmaxLayout {
  readonly K: number;
  readonly d: number;
  /** Number of free coefficient vectors (`K` with ridge, `K − 1` without). */
  readonly Kw: number;
  readonly p: number;
}

/** The layout for `K` classes in dimension `d`. */
export function softmaxLayout(K: number, d: number, ridge: number): SoftmaxLayout {
  const Kw = ridge > 0 ? K : K - 1;
  return { K, d, Kw, p: Kw * d + K - 1 };
}

/** Scores `η` (`m × K`, row-major) of the rows of `H` under `θ`. */
export function softmaxScores(H: Matrix, L: SoftmaxLayout, theta: Float64Array, out: Float64Array): void {
  const { K, d, Kw } = L;
  const xd = H.data;
  for (let i = 0; i < H.rows; i++) {
    const off = i * d;
    for (let k = 0; k < K; k++) {
      let s = k < K - 1 ? theta[Kw * d + k] : 0;
      if (k < Kw) {
        const wk = k * d;
        for (let a = 0; a < d; a++) s += theta[wk + a] * xd[off + a];
      }
      out[i * K + k] = s;
    }
  }
}

/** `logΣexp` of `eta[off … off+K)`, shifted by the maximum (no overflow; `−∞` entries allowed). */
export function rowLogSumExp(eta: Float64Array, off: number, K: number): number {
  let mx = -Infinity;
  for (let k = 0; k < K; k++) if (eta[off + k] > mx) mx = eta[off + k];
  let s = 0;
  for (let k = 0; k < K; k++) s += mExp(eta[off + k] - mx);
  return mx + mLog(s);
}

/**
 * The softmax objective as a Newton problem. With `ridge = 0` the iteration stops at the first
 * iterate under which every weighted context scores its own class strictly highest: a certificate
 * that the classes are linearly separable, so `J` has infimum 0 and no minimiser.
 */
export function softmaxProblem(H: Matrix, labels: Int32Array, K: number, mu: Float64Array, ridge: number): NewtonProblem {
  const m = H.rows;
  const d = H.cols;
  const L = softmaxLayout(K, d, ridge);
  const { Kw, p } = L;
  const eta = new Float64Array(m * K);
  const prob = new Float64Array(K);
  const g = new Float64Array(K);
  const v = new Float64Array(p);
  const cls = new Int32Array(p);
  for (let j = 0; j < p; j++) cls[j] = j < Kw * d ? Math.floor(j / d) : j - Kw * d;
  return {
    p,
    objective(theta: Float64Array): number {
      softmaxScores(H, L, theta, eta);
      let loss = 0;
      for (let i = 0; i < m; i++) {
        if (mu[i] === 0) continue;
        loss += mu[i] * (rowLogSumExp(eta, i * K, K) - eta[i * K + labels[i]]);
      }
      let pen = 0;
      for (let j = 0; j < Kw * d; j++) pen += theta[j] * theta[j];
      return loss + ridge * pen;
    },
    gradientHessian(theta: Float64Array, grad: Float64Array, hess: Float64Array): void {
      softmaxScores(H, L, theta, eta);
      grad.fill(0);
      hess.fill(0);
      for (let i = 0; i < m; i++) {
        const w = mu[i];
        if (w === 0) continue;
        const lse = rowLogSumExp(eta, i * K, K);
        for (let k = 0; k < K; k++) {
          prob[k] = mExp(eta[i * K + k] - lse);
          g[k] = w * (prob[k] - (labels[i] === k ? 1 : 0));
        }
        // v_j: the feature parameter j multiplies in row i (h_ia for a coefficient, 1 for a bias).
        const off = i * d;
        for (let j = 0; j < Kw * d; j++) v[j] = H.data[off + (j % d)];
        for (let j = Kw * d; j < p; j++) v[j] = 1;
        for (let j = 0; j < p; j++) {
          const kj = cls[j];
          const vj = v[j];
          grad[j] += g[kj] * vj;
          // ∂²J/∂θ_j∂θ_j' = μ_i (p_k δ_kl − p_k p_l) v_j v_j'.
          const pk = prob[kj];
          const row = j * p;
          for (let jj = 0; jj <= j; jj++) {
            const kl = cls[jj];
            const c = kl === kj ? pk - pk * pk : -pk * prob[kl];
            hess[row + jj] += w * c * vj * v[jj];
          }
        }
      }
      for (let j = 0; j < Kw * d; j++) {
        grad[j] += 2 * ridge * theta[j];
        hess[j * p + j] += 2 * ridge;
      }
    },
    stopAt:
      ridge > 0
        ? undefined
        : (theta: Float64Array): boolean => {
            softmaxScores(H, L, theta, eta);
            for (let i = 0; i < m; i++) {
              if (mu[i] === 0) continue;
              const own = eta[i * K + labels[i]];
              for (let k = 0; k < K; k++) if (k !== labels[i] && !(own > eta[i * K + k])) return false;
            }
            return true;
          },
  };
}
