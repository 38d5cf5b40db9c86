import { checkFiniteMatrix, checkNonEmptyMatrix, checkOptions, shapeError, shapeOf } from '../core/check.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkWeights } from './fitAnchorKernel.js';
import { logitOverflow } from './logitOverflow.js';
import { accumulateWordProbabilities } from './accumulateWordProbabilities.js';
import { countOf } from '../core/countOf.js';

/** Result of `meanWordProbabilities`. */
export interface MeanWordProbabilities {
  /** `p̄_w = Σᵢ μᵢ p(w|sᵢ) / Σᵢ μᵢ` for every word `w` (length `n`). */
  mean: Float64Array;
  /** `log Z(sᵢ)` over all words for every context (length `m`), a by-product of the same pass. */
  logPartition: Float64Array;
}

/** Options of `meanWordProbabilities`. */
export interface MeanWordProbabilitiesOptions {
  /** Context weights `μ` (length `m`, non-negative, not all zero); default uniform. */
  weights?: Float64Array | Float32Array;
  /** Called after each block of contexts with the number of contexts done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The mean probability of every word over the contexts, `p̄_w = E_s p(w|s)`, which ranks the words
 * for `bulkExcludingTop` (docs/theory.md#3-the-anchor-vector).
 *
 * One pass over the contexts: each block's logits `z = V h` are computed once, `log Z(s)` by a
 * stable row log-sum-exp of the same logits (maximum subtracted, float64 sum; on the WebAssembly
 * backend the fused kernel of `logPartition`, so the two agree bitwise), and each probability as
 * `exp(z_w − log Z(s))`, never as a ratio of exponentials that could overflow. The probabilities are
 * accumulated in float64, each word's sum by one thread in row order, so the result does not depend
 * on the thread count. Doing the log-sum-exp on the block in hand (rather than calling
 * `logPartition` first) computes each logit once instead of twice; the `log Z(s)` it used is
 * returned as `logPartition`.
 *
 * @param V - `n × d` word embeddings, finite.
 * @param H - `m × d` context representations, finite, `m ≥ 1`.
 * @param opts - `weights`, `onProgress`.
 * @returns the mean probabilities (summing to 1 up to rounding) and `log Z(s)` per context.
 * @throws ShapeError when `V` or `H` is empty or `H.cols !== V.cols`.
 * @throws DomainError when an entry is not finite or the weights are invalid.
 * @throws NumericalError when a logit overflows.
 * @example
 * ```ts
 * const V = fromRows([[1, 0], [0, 1], [0, 0]]);
 * const H = fromRows([[2, 0], [0, 2]]);
 * meanWordProbabilities(V, H).mean; // word 0 and word 1 equally likely on average, word 2 less
 * ```
 */
export function meanWordProbabilities(V: Matrix, H: Matrix, opts?: MeanWordProbabilitiesOptions): MeanWordProbabilities {
  const fn = 'meanWordProbabilities';
  checkNonEmptyMatrix(fn, 'V', V);
  checkNonEmptyMatrix(fn, 'H', H);
  if (H.cols !== V.cols) throw shapeError(fn, 'H', `a matrix with ${countOf(V.cols, 'column')} (V.cols, the dimension d)`, shapeOf(H));
  checkOptions(fn, 'opts', opts);
  const weights = opts?.weights === undefined ? null : checkWeights(fn, 'opts.weights', opts.weights, H.rows);
  checkFiniteMatrix(fn, 'V', V);
  checkFiniteMatrix(fn, 'H', H);
  return meanWordProbabilitiesKernel(fn, V, H, weights, opts?.onProgress);
}

/** Unchecked body of `meanWordProbabilities` (also used by `bulkExcludingTop`). */
export function meanWordProbabilitiesKernel(
  fn: string,
  V: Matrix,
  H: Matrix,
  weights: FloatArray | null,
  onProgress?: (done: number, total: number) => void,
): MeanWordProbabilities {
  const n = V.rows;
  const m = H.rows;
  const mean = new Float64Array(n);
  const logZ = new Float64Array(m);
  const bad = accumulateWordProbabilities(V, H, null, weights, mean, logZ, onProgress);
  if (bad >= 0) throw logitOverflow(fn, bad, V, H);
  let W = 0;
  for (let i = 0; i < m; i++) W += weights ? weights[i] : 1;
  for (let k = 0; k < n; k++) mean[k] /= W;
  return { mean, logPartition: logZ };
}

/**
 * The `k` words of highest mean probability, highest first; ties go to the lower word index so the
 * choice is deterministic.
 */
export function topWords(mean: Float64Array, k: number): Int32Array {
  const idx = Array.from({ length: mean.length }, (_, i) => i);
  idx.sort((a, b) => mean[b] - mean[a] || a - b);
  return Int32Array.from(idx.slice(0, k));
}
