import { checkFiniteMatrix, checkNonEmptyMatrix, checkOptions, checkWordIndices, describeValue, domainError, shapeError, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { logPartitionBlocks } from '../softmax/logPartitionBlocks.js';
import { logitOverflow } from './logitOverflow.js';
import { countOf } from '../core/countOf.js';

/** Options of `bulkLogPartitions`. */
export interface BulkLogPartitionsOptions {
  /** Called after each block of contexts with the number of contexts done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * `log Z_B(s) = LSE_{w∈B} ⟨v_w, h(s)⟩` for several arbitrary bulks: each is `logPartition(V, H, bulk)`
 * (the library's fused, blocked, stable kernel), bitwise. For the nested bulks of a sweep (all words
 * but the top `k`, for several `k`), `anchorSweep` computes every bulk in one pass over `V·H`.
 *
 * @param V - `n × d` word embeddings, finite.
 * @param H - `m × d` context representations, finite, `m ≥ 1`.
 * @param bulks - non-empty sets of distinct word indices in `[0, n)`.
 * @param opts - `onProgress`.
 * @returns one `Float64Array` of length `m` per bulk.
 * @throws ShapeError when `V` or `H` is empty, `H.cols !== V.cols`, or a bulk is empty.
 * @throws DomainError when `bulks` is not an array of `Int32Array`s of distinct indices in range, or an entry is not finite.
 * @throws NumericalError when a logit overflows.
 * @example
 * ```ts
 * const [zAll, zRest] = bulkLogPartitions(V, H, [allWords(V.rows), Int32Array.of(1, 2)]);
 * ```
 */
export function bulkLogPartitions(V: Matrix, H: Matrix, bulks: readonly Int32Array[], opts?: BulkLogPartitionsOptions): Float64Array[] {
  const fn = 'bulkLogPartitions';
  checkNonEmptyMatrix(fn, 'V', V);
  checkNonEmptyMatrix(fn, 'H', H);
  if (H.cols !== V.cols) throw shapeError(fn, 'H', `a matrix with ${countOf(V.cols, 'column')} (V.cols, the dimension d)`, shapeOf(H));
  const list: unknown = bulks;
  if (!Array.isArray(list)) throw domainError(fn, 'bulks', 'an array of Int32Array word sets', describeValue(bulks));
  bulks.forEach((b, j) => checkWordIndices(fn, `bulks[${j}]`, b, V.rows, { nonEmpty: true, unique: true }));
  checkOptions(fn, 'opts', opts);
  checkFiniteMatrix(fn, 'V', V);
  checkFiniteMatrix(fn, 'H', H);
  return bulkLogPartitionsKernel(fn, V, H, bulks, opts?.onProgress);
}

/**
 * Unchecked body of `bulkLogPartitions`: one call of the library's fused `logPartitionBlocks` per
 * bulk (a bulk of all `n` words skips the gather). For nested bulks (all words but the top `k`, for
 * several `k`) `anchorSweep` needs one pass only.
 */
export function bulkLogPartitionsKernel(
  fn: string,
  V: Matrix,
  H: Matrix,
  bulks: readonly Int32Array[],
  onProgress?: (done: number, total: number) => void,
): Float64Array[] {
  const n = V.rows;
  const m = H.rows;
  return bulks.map((b, j) => {
    const out = new Float64Array(m);
    const bad = logPartitionBlocks(V, H, b.length === n ? null : b, out);
    if (bad >= 0) throw logitOverflow(fn, bad, V, H);
    onProgress?.(Math.round(((j + 1) * m) / bulks.length), m);
    return out;
  });
}
