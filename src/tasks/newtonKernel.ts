/**
 * Unchecked damped Newton iteration shared by the classification probes (logistic and softmax
 * regression), and the conditioning test that tells an unregularised fit with no unique minimiser.
 *
 * @internal
 */
import { choleskyInPlace, choleskySolveInPlace } from '../kernels/choleskyKernel.js';
import { estimateInverseOneNorm, oneNorm } from '../kernels/conditionKernel.js';

// Bound once: a global `Math` lookup costs ~0.5 µs inside jest's vm context (see logisticKernel.ts).
const { abs: mAbs, sqrt: mSqrt } = Math;

/** A smooth convex objective in `p` parameters, as the Newton iteration sees it. */
export interface NewtonProblem {
  readonly p: number;
  /** `J(θ)`. */
  objective(theta: Float64Array): number;
  /** Overwrite `grad` with `∇J(θ)` and the lower triangle of `hess` (row-major `p × p`) with `∇²J(θ)`. */
  gradientHessian(theta: Float64Array, grad: Float64Array, hess: Float64Array): void;
  /**
   * Called after every accepted step; returning true stops the iteration (the probes use it to stop
   * at an iterate that separates the classes when there is no ridge: no minimiser exists then).
   */
  stopAt?(theta: Float64Array): boolean;
}

/** Outcome of {@link dampedNewton}. */
export interface NewtonResult {
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly gradientNorm: number;
  readonly converged: boolean;
  readonly objective: number;
  /** Whether `stopAt` ended the iteration. */
  readonly stopped: boolean;
}

/**
 * Damped Newton with Armijo backtracking from `θ = 0`. For a strictly convex coercive `J` (the
 * probes with `ridge > 0`, or without ridge on classes that overlap) it converges globally, and
 * quadratically near the minimiser. Stops when `‖∇J‖₂ ≤ tol`, after `maxIter` steps, when no step
 * decreases `J` (the minimiser to rounding), or when `stopAt` says so.
 */
export function dampedNewton(problem: NewtonProblem, maxIter: number, tol: number): NewtonResult {
  const p = problem.p;
  const theta = new Float64Array(p);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const step = new Float64Array(p);
  const trial = new Float64Array(p);
  let J = problem.objective(theta);
  let gnorm = Infinity;
  let it = 0;
  let stopped = false;
  for (;;) {
    problem.gradientHessian(theta, grad, hess);
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
    if (-slope <= 1e-12 * (1 + mAbs(J))) {
      // The predicted decrease is below the rounding of J itself: the line search cannot tell
      // better from worse here, and this close to the minimiser the full Newton step converges
      // quadratically, so take it.
      for (let a = 0; a < p; a++) theta[a] += step[a];
      J = problem.objective(theta);
      if (problem.stopAt?.(theta)) {
        stopped = true;
        break;
      }
      continue;
    }
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++) {
      for (let a = 0; a < p; a++) trial[a] = theta[a] + t * step[a];
      const Jt = problem.objective(trial);
      if (Jt <= J + 1e-4 * t * slope) {
        theta.set(trial);
        J = Jt;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    // No decrease at all is possible only at the minimiser to rounding: stop there.
    if (!accepted) break;
    if (problem.stopAt?.(theta)) {
      stopped = true;
      break;
    }
  }
  if (stopped) {
    problem.gradientHessian(theta, grad, hess);
    gnorm = 0;
    for (let a = 0; a < p; a++) gnorm += grad[a] * grad[a];
    gnorm = mSqrt(gnorm);
  }
  return { theta, iterations: it, gradientNorm: gnorm, converged: gnorm <= tol, objective: J, stopped };
}

/**
 * Jacobi-scaled Hessian condition above which an unregularised probe's minimiser is taken as not
 * unique (collinear features, or curvature that has vanished along a direction). The scaled
 * condition of a regular fit is that of the curvature-weighted design's correlation matrix; 1e12 is
 * 100 times the Cholesky limit of `solveLeastSquares` (1e10), beyond which a least-squares fit on
 * the same design would already have lost all but a few digits.
 */
export const SINGULAR_HESSIAN_CONDITION = 1e12;

/**
 * How far (in units of the largest `‖(h_i, 1)‖₂`) the recession test moves along the final Newton
 * direction: margins change by up to this much, far beyond any point's log-loss scale (a margin of
 * 40 already makes a log-loss term ~e^-40), yet small enough that a direction which agrees with a
 * separating one to ~1e-16 moves boundary points by only ~1e-13.
 */
export const RECESSION_STEP = 1e3;

/** Why an unregularised fit has no unique minimiser, if it has none. */
export interface MinimiserDiagnosis {
  /** `'ok'`; `'recession'`: the objective does not increase along the final Newton direction (the classes are separable up to points on the boundary, so the weights diverge); `'singular'`: the scaled Hessian is numerically singular. */
  readonly kind: 'ok' | 'recession' | 'singular';
  /** The Jacobi-scaled 1-norm condition estimate of the Hessian at `θ` (`Infinity` when singular). */
  readonly condition: number;
}

/**
 * Check that `θ` is (to rounding) the unique minimiser of an unregularised, convex, non-negative
 * objective. Two tests:
 *
 * 1. Conditioning: the Jacobi-scaled Hessian (independent of feature units) has condition above
 *    `SINGULAR_HESSIAN_CONDITION`, or is not positive definite: (nearly) collinear features, whose
 *    coefficients no float64 solve determines to more than a few digits.
 * 2. Recession: on data that are separable except for points on the separating hyperplane
 *    (quasi-complete separation), the iterates diverge along a separating direction `v` while the
 *    gradient decays like `e^{−margin}`, so `‖∇J‖ ≤ tol` is met at a finite, meaningless point. The
 *    Newton direction there points along `v`; moving `RECESSION_STEP / max‖(h_i,1)‖` along it does
 *    not increase `J` exactly when it is (to ~1e-13 in the margins) a separating direction. At a
 *    true minimiser every direction increases `J`.
 */
export function diagnoseMinimiser(problem: NewtonProblem, theta: Float64Array, maxRowNorm: number): MinimiserDiagnosis {
  const p = problem.p;
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  problem.gradientHessian(theta, grad, hess);
  const s = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    const h = hess[a * p + a];
    if (!(h > 0) || !Number.isFinite(h)) return { kind: 'singular', condition: Infinity };
    s[a] = 1 / mSqrt(h);
  }
  // Scaled Hessian (lower triangle is all the factorisation reads; mirror for the 1-norm).
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      const v = hess[a * p + b] * s[a] * s[b];
      hess[a * p + b] = v;
      hess[b * p + a] = v;
    }
  }
  const norm = oneNorm(hess, p);
  if (choleskyInPlace(hess, p) >= 0) return { kind: 'singular', condition: Infinity };
  const solve = (v: Float64Array): void => choleskySolveInPlace(hess, p, v);
  const condition = norm * estimateInverseOneNorm(p, solve, solve);
  // Numerically singular first: along a near-null direction the objective is flat to rounding, and
  // the recession test below would then blame separation for what is collinearity.
  if (!(condition <= SINGULAR_HESSIAN_CONDITION)) return { kind: 'singular', condition };
  // Newton direction −∇²J⁻¹∇J = −D^{-1/2} Ĥ⁻¹ D^{-1/2} ∇J.
  const dir = new Float64Array(p);
  for (let a = 0; a < p; a++) dir[a] = -grad[a] * s[a];
  solve(dir);
  let dn = 0;
  for (let a = 0; a < p; a++) {
    dir[a] *= s[a];
    dn += dir[a] * dir[a];
  }
  dn = mSqrt(dn);
  if (dn > 0 && Number.isFinite(dn)) {
    const J0 = problem.objective(theta);
    const t = RECESSION_STEP / (maxRowNorm * dn);
    const moved = new Float64Array(p);
    for (let a = 0; a < p; a++) moved[a] = theta[a] + t * dir[a];
    if (problem.objective(moved) <= J0) return { kind: 'recession', condition };
  }
  return { kind: 'ok', condition };
}

/** The largest `‖(h_i, 1)‖₂` over the rows of a row-major `m × d` design. */
export function maxAugmentedRowNorm(data: ArrayLike<number>, m: number, d: number): number {
  let best = 1;
  for (let i = 0; i < m; i++) {
    let s = 1;
    for (let a = 0; a < d; a++) s += data[i * d + a] * data[i * d + a];
    if (s > best) best = s;
  }
  return mSqrt(best);
}
