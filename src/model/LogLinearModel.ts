/**
 * The log-linear language model `p(w|s) = softmax(V h(s))_w` of docs/theory.md#1-definitions.
 */
import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkFiniteMatrix, checkMatrix, checkNonEmptyMatrix, checkWordIndices, describeValue, shapeError, shapeOf } from '../core/check.js';
import { NumericalError } from '../core/errors.js';
import { gemm } from '../linalg/gemm.js';
import { logSoftmaxRows } from '../softmax/index.js';
import { logPartitionBlocks } from '../softmax/logPartitionBlocks.js';
import { countOf } from '../core/countOf.js';

/**
 * A log-linear model over a vocabulary of `n` words with output embeddings `V` (`n × d`, one row
 * per word): logits `z(s) = V h(s)`, `log p(w|s) = z_w(s) − LSE(z(s))`.
 *
 * The model keeps a reference to `V` (no copy, so a 50,257 × 768 matrix is not duplicated) and never
 * writes to it. Precision follows the inputs, with the rule of `matmul`: the logits are float32 only
 * when `V` and `H` are both float32 (products still accumulate in float64 inside `gemm`), float64
 * otherwise; log-partitions are float64 reductions.
 *
 * @example
 * ```ts
 * const model = new LogLinearModel(fromRows([[1, 0], [0, 1], [-1, -1]])); // n = 3, d = 2
 * const H = fromRows([[0.5, 2]]);                                          // one context
 * model.logits(H);        // 1×3: [[0.5, 2, -2.5]]
 * model.logProbs(H);      // 1×3 log-softmax of the logits
 * model.logPartition(H);  // Float64Array [LSE(0.5, 2, -2.5)]
 * ```
 */
export class LogLinearModel {
  /** Output embeddings, `n × d`. Not copied; the model never mutates it. */
  readonly V: Matrix;

  /**
   * @param V - the `n × d` output embeddings, finite, with `n ≥ 1` and `d ≥ 1`.
   * @throws DomainError when `V` is not a Matrix or holds a non-finite value.
   * @throws ShapeError when `V` is empty or its data length is not `rows·cols`.
   */
  constructor(V: Matrix) {
    const fn = 'LogLinearModel';
    checkNonEmptyMatrix(fn, 'V', V);
    checkFiniteMatrix(fn, 'V', V);
    this.V = V;
  }

  /** Vocabulary size (rows of `V`). */
  get n(): number {
    return this.V.rows;
  }

  /** Representation dimension (columns of `V`). */
  get d(): number {
    return this.V.cols;
  }

  /**
   * Logits `Z = H Vᵀ` (`m × n`), one row per context.
   *
   * @param H - `m × d` representations, finite.
   * @throws ShapeError when `H.cols ≠ d`.
   * @throws DomainError when `H` is not a Matrix or holds a non-finite value.
   * @throws NumericalError when a logit overflows (finite but huge `V` or `H`).
   * @example
   * ```ts
   * new LogLinearModel(fromRows([[1, 0], [0, 1]])).logits(fromRows([[3, 4]])); // [[3, 4]]
   * ```
   */
  logits(H: Matrix): Matrix {
    this.checkH('LogLinearModel.logits', H);
    return checkedLogits('LogLinearModel.logits', this.V, H);
  }

  /**
   * Log-probabilities `log p(w|s)` (`m × n`): the stable log-softmax of each row of logits.
   *
   * @param H - `m × d` representations, finite.
   * @throws ShapeError when `H.cols ≠ d`.
   * @throws DomainError when `H` is not a Matrix or holds a non-finite value.
   * @example
   * ```ts
   * const lp = new LogLinearModel(fromRows([[1, 0], [0, 1]])).logProbs(fromRows([[0, 0]]));
   * lp.data; // [log ½, log ½]
   * ```
   */
  logProbs(H: Matrix): Matrix {
    this.checkH('LogLinearModel.logProbs', H);
    return logSoftmaxRows(checkedLogits('LogLinearModel.logProbs', this.V, H));
  }

  /**
   * `log Z_A(s)` per context (float64), over all words or over the word set `words`, computed in
   * row blocks without materialising the `m × n` logits.
   *
   * @param H - `m × d` representations, finite.
   * @param words - optional distinct word indices in `[0, n)`.
   * @throws ShapeError when `H.cols ≠ d` or `words` is empty.
   * @throws DomainError when `H` holds a non-finite value, or `words` is not an `Int32Array` of
   *   distinct indices in `[0, n)`.
   * @throws NumericalError when a logit overflows (finite but huge `V` or `H`).
   * @example
   * ```ts
   * const model = new LogLinearModel(fromRows([[0, 0], [0, 0]]));
   * model.logPartition(fromRows([[1, 2]]));                      // [log 2]
   * model.logPartition(fromRows([[1, 2]]), Int32Array.of(0));    // [0]
   * ```
   */
  logPartition(H: Matrix, words?: Int32Array): Float64Array {
    const fn = 'LogLinearModel.logPartition';
    this.checkH(fn, H);
    if (words !== undefined) checkWordIndices(fn, 'words', words, this.n, { nonEmpty: true, unique: true });
    // The kernel directly: `V` was validated by the constructor, and the public `logPartition` would
    // re-scan all n·d entries on every call and name itself in its messages.
    const out = new Float64Array(H.rows);
    const bad = logPartitionBlocks(this.V, H, words ?? null, out);
    if (bad >= 0) {
      throw new NumericalError(`${fn}: the logits V·h of row ${bad} of 'H' must be finite; got an overflow: scale V or H down`);
    }
    return out;
  }

  private checkH(fn: string, H: Matrix): void {
    checkMatrix(fn, 'H', H);
    if (H.cols !== this.V.cols) throw shapeError(fn, 'H', `a matrix with ${countOf(this.V.cols, 'column')} (V.cols)`, shapeOf(H));
    checkFiniteMatrix(fn, 'H', H);
  }
}

/**
 * `logitsUnchecked`, then a NumericalError if any logit overflowed: the inputs were finite, so the
 * product is the culprit, and a silent ±Infinity would become NaN downstream.
 *
 * @internal
 */
export function checkedLogits(fn: string, V: Matrix, H: Matrix): Matrix {
  const Z = logitsUnchecked(V, H);
  const z = Z.data;
  for (let i = 0; i < z.length; i++) {
    if (z[i] - z[i] !== 0) {
      throw new NumericalError(`${fn}: the logits V·h of row ${Math.floor(i / Z.cols)} of 'H' must be finite; got ${describeValue(z[i])} (an overflow): scale V or H down`);
    }
  }
  return Z;
}

/**
 * `H Vᵀ` through `gemm`, float32 only when both operands are stored in float32 (as `matmul`). Unchecked: the caller
 * has validated that `H.cols === V.cols`.
 *
 * @internal
 */
export function logitsUnchecked(V: Matrix, H: Matrix): Matrix {
  const m = H.rows;
  const n = V.rows;
  const d = V.cols;
  const f32 = V.data instanceof Float32Array && H.data instanceof Float32Array;
  const out: FloatArray = f32 ? new Float32Array(m * n) : new Float64Array(m * n);
  if (m > 0) gemm(false, true, m, n, d, 1, H.data, 0, d, V.data, 0, d, 0, out, 0, n);
  return { rows: m, cols: n, data: out };
}
