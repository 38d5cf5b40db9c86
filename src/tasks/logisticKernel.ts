/**
 * Unchecked kernels of the L2-regularised logistic regression probe: the objective, its gradient and
 * Hessian, and the damped Newton iteration.
 *
 * Objective, with `η_i = ⟨w, h_i⟩ + b`, normalised weights `μ_i` (sum 1) and labels `l_i ∈ {0, 1}`:
 *
 *     J(w, b) = Σ_i μ_i (softplus(η_i) − l_i η_i) + (λ/2) ‖w‖²,
 *
 * where `softplus(η) − l·η = −log σ(η)` for `l = 1` and `−log(1 − σ(η))` for `l = 0`: the log-loss,
 * computed without ever taking the log of a probability (which underflows for `|η| > 745`).
 *
 * @internal
 */
import { choleskyInPlace, choleskySolveInPlace } from '../linalg/choleskyKernel.js';
import type { Matrix } from '../matrix/matrix.js';
import { sigmoid } from './classificationTask.js';

// Math functions bound once at module scope: hot loops then call a local binding instead of looking
// up the global `Math` each time, which costs ~0.5 µs per lookup inside jest's vm context (measured:
// Math.exp in a loop 528 ns/call under jest against 37 ns through a module-level binding).
const { abs: mAbs, exp: mExp, log1p: mLog1p, sqrt: mSqrt } = Math;


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

/** State of the Newton iteration: parameters `θ = (w, b)` of length `d + 1`. */
export interface NewtonResult {
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly gradientNorm: number;
  readonly converged: boolean;
  readonly objective: number;
}

function scores(H: Matrix, theta: Float64Array, out: Float64Array): void {
  const d = H.cols;
  for (let i = 0; i < H.rows; i++) {
    let s = theta[d];
    for (let k = 0; k < d; k++) s += theta[k] * H.data[i * d + k];
    out[i] = s;
  }
}

function objective(H: Matrix, labels: ArrayLike<number>, mu: Float64Array, lambda: number, theta: Float64Array, eta: Float64Array): number {
  scores(H, theta, eta);
  let pen = 0;
  for (let k = 0; k < H.cols; k++) pen += theta[k] * theta[k];
  return meanLogLoss(eta, labels, mu) + 0.5 * lambda * pen;
}

/**
 * Damped Newton (IRLS) with Armijo backtracking. `J` is strictly convex and, with `λ > 0` and both
 * classes present, coercive, so it has a unique minimiser and Newton with a backtracking line search
 * converges to it (globally, and quadratically near it) even on linearly separable data, where the
 * unregularised problem has no minimiser. Stops when `‖∇J‖₂ ≤ tol`.
 */
export function logisticNewton(H: Matrix, labels: ArrayLike<number>, mu: Float64Array, lambda: number, maxIter: number, tol: number): NewtonResult {
  const m = H.rows;
  const d = H.cols;
  const p = d + 1;
  const theta = new Float64Array(p);
  const eta = new Float64Array(m);
  const trialEta = new Float64Array(m);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const step = new Float64Array(p);
  const trial = new Float64Array(p);
  let J = objective(H, labels, mu, lambda, theta, eta);
  let gnorm = Infinity;
  let it = 0;
  for (;;) {
    // Gradient and Hessian at θ (η is current).
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
      grad[k] += lambda * theta[k];
      hess[k * p + k] += lambda;
    }
    gnorm = 0;
    for (let a = 0; a < p; a++) gnorm += grad[a] * grad[a];
    gnorm = mSqrt(gnorm);
    if (gnorm <= tol || it >= maxIter || !Number.isFinite(gnorm)) break;
    it++;
    // Newton direction; if the Hessian is numerically singular (all curvature underflowed), fall
    // back to steepest descent, which the line search still makes a descent step.
    for (let a = 0; a < p; a++) step[a] = -grad[a];
    if (choleskyInPlace(hess, p) < 0) choleskySolveInPlace(hess, p, step);
    let slope = 0;
    for (let a = 0; a < p; a++) slope += grad[a] * step[a];
    let t = 1;
    let accepted = false;
    if (-slope <= 1e-12 * (1 + mAbs(J))) {
      // The predicted decrease is below the rounding of J itself: the line search cannot tell
      // better from worse here, and this close to the minimiser the full Newton step converges
      // quadratically, so take it.
      for (let a = 0; a < p; a++) theta[a] += step[a];
      J = objective(H, labels, mu, lambda, theta, eta);
      continue;
    }
    for (let halvings = 0; halvings < 60; halvings++) {
      for (let a = 0; a < p; a++) trial[a] = theta[a] + t * step[a];
      const Jt = objective(H, labels, mu, lambda, trial, trialEta);
      if (Jt <= J + 1e-4 * t * slope) {
        theta.set(trial);
        eta.set(trialEta);
        J = Jt;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    // No decrease at all is possible only at the minimiser to rounding: stop there.
    if (!accepted) break;
  }
  return { theta, iterations: it, gradientNorm: gnorm, converged: gnorm <= tol, objective: J };
}
