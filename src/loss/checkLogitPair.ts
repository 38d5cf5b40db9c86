/**
 * Shared argument checks of the two-matrix divergences (`klDivergenceRows`, `totalVariationRows`):
 * both well-formed, the same shape, at least one column, finite. Logits must be finite here (unlike
 * `softmaxRows`, which accepts `−Infinity`): a `−Infinity` logit in `q` where `p` has mass makes
 * the KL infinite, which is a modelling error to report, not a number to return.
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import { checkFiniteMatrix, checkMatrix, shapeError, shapeOf } from '../core/check.js';

/**
 * Check the two logit matrices of a row-wise divergence: both well-formed `Matrix` values of the
 * same shape, at least one column, every entry finite. Throws `ShapeError` or `DomainError` in the
 * library's message template, naming `fn` and `logitsP` / `logitsQ`.
 *
 * @example
 * ```ts
 * checkLogitPair('klDivergenceRows', fromRows([[0, 1]]), fromRows([[0, 1, 2]])); // throws ShapeError
 * ```
 */
export function checkLogitPair(fn: string, logitsP: Matrix, logitsQ: Matrix): void {
  checkMatrix(fn, 'logitsP', logitsP);
  checkMatrix(fn, 'logitsQ', logitsQ);
  if (logitsP.cols === 0) throw shapeError(fn, 'logitsP', 'a matrix with at least one column', shapeOf(logitsP));
  if (logitsQ.rows !== logitsP.rows || logitsQ.cols !== logitsP.cols) {
    throw shapeError(fn, 'logitsQ', `a ${logitsP.rows}×${logitsP.cols} matrix (the shape of logitsP)`, shapeOf(logitsQ));
  }
  checkFiniteMatrix(fn, 'logitsP', logitsP);
  checkFiniteMatrix(fn, 'logitsQ', logitsQ);
}
