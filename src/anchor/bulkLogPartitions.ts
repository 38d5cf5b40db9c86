import { checkFiniteMatrix, checkNonEmptyMatrix, checkOptions, checkWordIndices, describeValue, domainError, shapeError, shapeOf } from '../internal/check.js';
import type { Matrix } from '../matrix/matrix.js';
import { forEachLogitBlock, lseRow, overflow } from './logitBlocksKernel.js';

/** Options of `bulkLogPartitions`. */
export interface BulkLogPartitionsOptions {
  /** Called after each block of contexts with the number of contexts done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * `log Z_B(s) = LSE_{w∈B} ⟨v_w, h(s)⟩` for several bulks at once, in one pass over the logits: each
 * block of contexts' logits is computed once and reduced over every bulk with a stable
 * log-sum-exp. For a sweep over excluded top-`k` words this costs one product `H Vᵀ` instead of
 * one per bulk. For a single bulk, `logPartition(V, H, bulk)` computes the same values.
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
  if (H.cols !== V.cols) throw shapeError(fn, 'H', `a matrix with ${V.cols} columns (V.cols, the dimension d)`, shapeOf(H));
  const list: unknown = bulks;
  if (!Array.isArray(list)) throw domainError(fn, 'bulks', 'an array of Int32Array word sets', describeValue(bulks));
  bulks.forEach((b, j) => checkWordIndices(fn, `bulks[${j}]`, b, V.rows, { nonEmpty: true, unique: true }));
  checkOptions(fn, 'opts', opts);
  checkFiniteMatrix(fn, 'V', V);
  checkFiniteMatrix(fn, 'H', H);
  return bulkLogPartitionsKernel(fn, V, H, bulks, opts?.onProgress);
}

/** Unchecked body of `bulkLogPartitions` (also used by the CLI). A bulk of all `n` words skips the gather. */
export function bulkLogPartitionsKernel(
  fn: string,
  V: Matrix,
  H: Matrix,
  bulks: readonly Int32Array[],
  onProgress?: (done: number, total: number) => void,
): Float64Array[] {
  const n = V.rows;
  const m = H.rows;
  const out = bulks.map(() => new Float64Array(m));
  const idx = bulks.map((b) => (b.length === n ? null : b));
  forEachLogitBlock(
    V,
    H,
    (z, i0, ni) => {
      for (let r = 0; r < ni; r++) {
        for (let j = 0; j < bulks.length; j++) {
          const v = lseRow(z, r * n, n, idx[j]);
          if (Number.isNaN(v)) throw overflow(fn, i0 + r, V, H);
          out[j][i0 + r] = v;
        }
      }
    },
    onProgress ? (done) => onProgress(done, m) : undefined,
  );
  return out;
}
