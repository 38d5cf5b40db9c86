/** Log-partition function `log Z_A(s)` of a log-linear model, per context, in bounded memory. */
import type { Matrix } from '../core/matrix.js';
import { NumericalError } from '../core/errors.js';
import { checkFiniteMatrix, checkMatrix, checkNonEmptyMatrix, checkWordIndices, shapeError, shapeOf } from '../core/check.js';
import { logPartitionBlocks } from '../softmax/logPartitionBlocks.js';
import { countOf } from '../core/countOf.js';

/**
 * `log Z_A(s_i) = LSE_{w ∈ A} ⟨v_w, h(s_i)⟩` for every row `h(s_i)` of `H`, over all words (`A = [n]`)
 * or over the subset `words` (docs/theory.md#1-definitions), without materialising the `m × n` logits.
 *
 * The logits are computed block by block (64 contexts × 1024 words) with `gemm` and reduced with an
 * online log-sum-exp across word chunks (running maximum and rescaled sum, all in float64), so the
 * scratch memory is a few MB whatever `m` and `n` are; see `logPartitionBlocks.ts`. The result is a
 * reduction, so it is float64 for float32 inputs too.
 *
 * Invariance (docs/theory.md#1-definitions, invariance 1): replacing every `v_w` by `v_w − u` shifts each
 * `log Z_A(s)` by `−⟨u, h(s)⟩`.
 *
 * @param V - `n × d` word embeddings, `n, d ≥ 1`, finite.
 * @param H - `m × d` context representations, finite (`m = 0` gives an empty result).
 * @param words - optional distinct word indices in `[0, n)`: the set `A`. It must be non-empty:
 *   `log Z_∅ = −∞` is never what a caller means, so an empty set is rejected rather than returned.
 * @returns a `Float64Array` of length `m`.
 * @throws ShapeError when `V` is empty, `H.cols !== V.cols`, or `words` is empty.
 * @throws DomainError when `V` or `H` is not a Matrix or holds a non-finite value, or `words` is not
 *   an `Int32Array` of distinct indices in `[0, n)`.
 * @throws NumericalError when a logit `⟨v_w, h⟩` overflows (the inputs are finite but too large).
 * @example
 * ```ts
 * const V = fromRows([[1, 0], [0, 1], [0, 0]]);
 * const H = fromRows([[0, 0], [2, 0]]);
 * logPartition(V, H);                      // [log 3, log(e² + 2)]
 * logPartition(V, H, Int32Array.of(1, 2)); // [log 2, log 2]
 * ```
 */
export function logPartition(V: Matrix, H: Matrix, words?: Int32Array): Float64Array {
  const fn = 'logPartition';
  checkNonEmptyMatrix(fn, 'V', V);
  checkMatrix(fn, 'H', H);
  if (H.cols !== V.cols) throw shapeError(fn, 'H', `a matrix with ${countOf(V.cols, 'column')} (V.cols, the dimension d)`, shapeOf(H));
  if (words !== undefined) checkWordIndices(fn, 'words', words, V.rows, { nonEmpty: true, unique: true });
  checkFiniteMatrix(fn, 'V', V);
  checkFiniteMatrix(fn, 'H', H);
  const out = new Float64Array(H.rows);
  const bad = logPartitionBlocks(V, H, words ?? null, out);
  if (bad >= 0) {
    throw new NumericalError(
      `${fn}: the logits V·h for row ${bad} of 'H' must be finite; got an overflow (|⟨v_w, h⟩| beyond the ${
        V.data instanceof Float32Array && H.data instanceof Float32Array ? 'float32' : 'float64'
      } range): scale V or H down`,
    );
  }
  return out;
}
