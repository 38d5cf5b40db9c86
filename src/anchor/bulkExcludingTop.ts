import { checkFiniteMatrix, checkNonEmptyMatrix, checkNumber, shapeError, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { bulkExcluding } from './bulkExcluding.js';
import { meanWordProbabilitiesKernel, topWords } from './meanWordProbabilities.js';
import { countOf } from '../core/countOf.js';

/**
 * The bulk `B` = all words except the `k` with the highest mean probability over the contexts,
 * `p̄_w = E_s p(w|s)` (docs/theory.md#3-the-anchor-vector). The excluded set is fixed across contexts, as Theorem 1
 * needs. Ties at the boundary go to the lower word index. `k = 0` gives all words.
 *
 * The mean probabilities come from `meanWordProbabilities` (one pass over the contexts in blocks,
 * `p(w|s) = exp(z_w − log Z(s))` with a stable log-sum-exp, float64 sums).
 *
 * @param V - `n × d` word embeddings, finite.
 * @param H - `m × d` context representations, finite, `m ≥ 1`.
 * @param k - how many words to exclude, an integer in `[0, n − 1]`.
 * @returns the bulk, increasing word indices, length `n − k`.
 * @throws ShapeError when `V` or `H` is empty or `H.cols !== V.cols`.
 * @throws DomainError when `k` is not an integer in `[0, n − 1]` or an entry is not finite.
 * @throws NumericalError when a logit overflows.
 * @example
 * ```ts
 * const V = fromRows([[3, 0], [0, 1], [0, 0]]);
 * const H = fromRows([[1, 0], [1, 1]]);
 * bulkExcludingTop(V, H, 1); // Int32Array [1, 2]: word 0 is the most probable on average
 * ```
 */
export function bulkExcludingTop(V: Matrix, H: Matrix, k: number): Int32Array {
  const fn = 'bulkExcludingTop';
  checkNonEmptyMatrix(fn, 'V', V);
  checkNonEmptyMatrix(fn, 'H', H);
  if (H.cols !== V.cols) throw shapeError(fn, 'H', `a matrix with ${countOf(V.cols, 'column')} (V.cols, the dimension d)`, shapeOf(H));
  checkNumber(fn, 'k', k, { integer: true, min: 0, max: V.rows - 1 });
  checkFiniteMatrix(fn, 'V', V);
  checkFiniteMatrix(fn, 'H', H);
  if (k === 0) return bulkExcluding(new Int32Array(0), V.rows);
  const { mean } = meanWordProbabilitiesKernel(fn, V, H, null);
  return bulkExcluding(topWords(mean, k), V.rows);
}
