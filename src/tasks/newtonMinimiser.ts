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
 * Minimise `problem` by damped Newton and check the result.
 *
 * @param fn - the public function, for messages.
 * @param separated - what a separating iterate does, in the message (e.g. "separates every weighted context").
 * @throws NumericalError on a non-finite iterate, on separable classes, on separation up to boundary
 *   contexts, and on a numerically singular Hessian at `ridge = 0`.
 */
export function newtonMinimiser(fn: string, problem: NewtonProblem, H: Matrix, ridge: number, maxIter: number, tol: number, separated: string): NewtonResult {
  const res = dampedNewton(problem, maxIter, tol);
  for (let k = 0; k < res.theta.length; k++) {
    if (!Number.isFinite(res.theta[k])) throw new NumericalError(`${fn}: the Newton iteration produced a non-finite parameter after ${countOf(res.iterations, 'iteration')}`);
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
