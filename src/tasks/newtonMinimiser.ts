/**
 * The Newton fit of a classification probe, with the checks that make its answer trustworthy: a
 * finite iterate, and — without ridge — an actual minimiser (not separable classes whose
 * coefficients diverge, nor a singular Hessian). Shared by the logistic and the softmax probe, so
 * both say the same thing in the same words.
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import { NumericalError } from '../core/errors.js';
import { dampedNewton, diagnoseMinimiser, maxAugmentedRowNorm, SINGULAR_HESSIAN_CONDITION, type NewtonProblem, type NewtonResult } from './newtonKernel.js';
import { countOf } from '../core/countOf.js';

/** The advice every "no minimiser" message ends with. */
const PASS_RIDGE = "pass a positive 'ridge' option (e.g. { ridge: 1e-4 })";

/**
 * The largest feature magnitude the Newton fit accepts. The Hessian entries are weighted sums of
 * products `h_ia h_ib` (at most `max|h|² / 4` for both probes, as the weights sum to 1) and the
 * gradient norm sums the squares of `d + 1` entries of size up to `max|h|`, so with `|h| ≤ 1e150`
 * both stay below `1e300 · (d + 1)`, finite for any design that fits in memory; beyond it they
 * overflow to `+∞` and the iteration could only return a non-finite `gradientNorm`.
 */
export const NEWTON_FEATURE_LIMIT = 1e150;

/**
 * Minimise `problem` by damped Newton and check the result.
 *
 * @param fn - the public function, for messages.
 * @param separated - what a separating iterate does, in the message (e.g. "separates every weighted context").
 * @throws NumericalError on a feature beyond {@link NEWTON_FEATURE_LIMIT}, on a non-finite iterate, on separable classes, on separation up to boundary
 *   contexts, and on a numerically singular Hessian at `ridge = 0`.
 */
export function newtonMinimiser(fn: string, problem: NewtonProblem, H: Matrix, ridge: number, maxIter: number, tol: number, separated: string): NewtonResult {
  let big = 0;
  let at = 0;
  for (let k = 0; k < H.data.length; k++) {
    const v = Math.abs(H.data[k]);
    if (v > big) {
      big = v;
      at = k;
    }
  }
  if (big > NEWTON_FEATURE_LIMIT) {
    const i = Math.floor(at / H.cols);
    throw new NumericalError(
      `${fn}: argument 'H' has an entry of magnitude ${big.toPrecision(3)} (at [${i}, ${at - i * H.cols}]); the Newton fit's Hessian and gradient norm sum squares of the features, which overflow float64 beyond |h| = ${NEWTON_FEATURE_LIMIT}: rescale H (e.g. standardise its columns)`,
    );
  }
  const res = dampedNewton(problem, maxIter, tol);
  for (let k = 0; k < res.theta.length; k++) {
    if (!Number.isFinite(res.theta[k])) throw new NumericalError(`${fn}: the Newton iteration produced a non-finite parameter after ${countOf(res.iterations, 'iteration')}`);
  }
  // Defence in depth: the limit above keeps these finite, but a result is never returned with a
  // non-finite statistic.
  if (!Number.isFinite(res.gradientNorm) || !Number.isFinite(res.objective)) {
    throw new NumericalError(`${fn}: the Newton iteration produced a non-finite ${Number.isFinite(res.objective) ? 'gradient norm' : 'objective'} after ${countOf(res.iterations, 'iteration')}; rescale H (e.g. standardise its columns)`);
  }
  if (res.stopped) {
    throw new NumericalError(`${fn}: the classes are linearly separable (Newton iterate ${res.iterations} ${separated}), so without ridge the log-loss has no minimiser and the coefficients diverge; ${PASS_RIDGE}`);
  }
  if (ridge === 0) {
    const diag = diagnoseMinimiser(problem, res.theta, maxAugmentedRowNorm(H.data, H.rows, H.cols));
    if (diag.kind === 'recession') {
      throw new NumericalError(
        `${fn}: the classes are separable up to contexts on the boundary (the log-loss keeps decreasing along the Newton direction after ${countOf(res.iterations, 'iteration')}), so without ridge it has no minimiser and the coefficients diverge; ${PASS_RIDGE}`,
      );
    }
    if (diag.kind === 'singular') {
      throw new NumericalError(
        `${fn}: without ridge the log-loss has no unique minimiser (the Hessian is numerically singular: scaled condition ${diag.condition.toPrecision(3)} > ${SINGULAR_HESSIAN_CONDITION} after ${res.iterations} Newton iterations; collinear or nearly collinear features, or classes separable up to contexts on the boundary); ${PASS_RIDGE}`,
      );
    }
  }
  return res;
}
