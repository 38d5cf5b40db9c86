import { checkFiniteMatrix, checkNonEmptyMatrix, checkNumber, checkOptions, describeValue, domainError, shapeError, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { gemm } from '../linalg/gemm.js';
import type { FloatArray } from '../core/matrix.js';
import { logitOverflow } from './logitOverflow.js';
import { topKExcludedLse, topKScratch } from './topKExcludedLseKernel.js';
import { countOf } from '../core/countOf.js';

/** Options of `perContextBulkLogPartitions`. */
export interface PerContextBulkLogPartitionsOptions {
  /** Called after each block of contexts with the number of contexts done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * `log Z_{B_k(s)}(s) = log Σ_{w ∉ top_k(s)} exp⟨v_w, h(s)⟩`, where `top_k(s)` is the set of the `k`
 * words with the largest logits **for that context** — the per-context bulk of docs/theory.md#3-the-anchor-vector, one
 * array per requested `k`, all from one pass over the logits.
 *
 * **Outside Theorem 1.** The theorems need a bulk that is fixed across contexts (`bulkExcludingTop`
 * ranks words by their mean probability over all contexts). A per-context bulk changes with `s`, so
 * an anchor fitted to these values (`fitAnchorFromLogPartition(H, z)`) describes how the tail of
 * each next-word distribution behaves, but Theorem 1's bounds do not apply to it. It is offered
 * because it is the natural question for a real model ("is the log-mass beyond each context's own
 * top-k an affine function of h?"), and it is never larger than the fixed-bulk value with the same
 * `k`: removing a context's own top `k` removes the most mass any `k` words can.
 *
 * Numerics: the excluded words are found with a heap and left out of the sum, never subtracted
 * from a total (which would cancel catastrophically when the top words carry almost all the mass);
 * the sum is a stable log-sum-exp in float64. Ties at the boundary do not matter (tied logits are
 * equal). Logits are computed in blocks of rows (never `m × n`), in float32 when `V` and `H` are
 * float32, else float64.
 *
 * @param V - `n × d` word embeddings, finite.
 * @param H - `m × d` context representations, finite, `m ≥ 1`.
 * @param ks - how many words to exclude per context, each an integer in `[0, n − 1]`; duplicates are allowed.
 * @param opts - `onProgress`.
 * @returns one `Float64Array` of length `m` per entry of `ks`, in the order of `ks`.
 * @throws ShapeError when `V` or `H` is empty or `H.cols !== V.cols`.
 * @throws DomainError when `ks` is not a non-empty array of integers in `[0, n − 1]`, or an entry of `V` or `H` is not finite.
 * @throws NumericalError when a logit overflows.
 * @example
 * ```ts
 * const V = fromRows([[2, 0], [0, 2], [0, 0]]);
 * const H = fromRows([[1, 0], [0, 1]]);
 * const [all, rest] = perContextBulkLogPartitions(V, H, [0, 1]);
 * // rest[0] = log(e⁰ + e⁰) = log 2: context 0 drops word 0, context 1 drops word 1
 * ```
 */
export function perContextBulkLogPartitions(V: Matrix, H: Matrix, ks: readonly number[], opts?: PerContextBulkLogPartitionsOptions): Float64Array[] {
  const fn = 'perContextBulkLogPartitions';
  checkNonEmptyMatrix(fn, 'V', V);
  checkNonEmptyMatrix(fn, 'H', H);
  if (H.cols !== V.cols) throw shapeError(fn, 'H', `a matrix with ${countOf(V.cols, 'column')} (V.cols, the dimension d)`, shapeOf(H));
  const list: unknown = ks;
  if (!Array.isArray(list) || list.length === 0) throw domainError(fn, 'ks', 'a non-empty array of integers k in [0, n − 1]', describeValue(ks));
  // An index loop, not forEach, so that a hole in a sparse array is checked (and rejected) too.
  for (let j = 0; j < ks.length; j++) checkNumber(fn, `ks[${j}]`, ks[j], { integer: true, min: 0, max: V.rows - 1 });
  checkOptions(fn, 'opts', opts);
  if (opts?.onProgress !== undefined && typeof opts.onProgress !== 'function') throw domainError(fn, 'opts.onProgress', 'a function or undefined', describeValue(opts.onProgress));
  checkFiniteMatrix(fn, 'V', V);
  checkFiniteMatrix(fn, 'H', H);
  return perContextBulkLogPartitionsKernel(fn, V, H, ks, opts?.onProgress);
}

/**
 * Unchecked body of `perContextBulkLogPartitions` (also used by `anchorSweep` on chunks of `H`); `fn`
 * names the caller in errors, `rowOffset` is the chunk's first row in the whole of `H`.
 */
export function perContextBulkLogPartitionsKernel(
  fn: string,
  V: Matrix,
  H: Matrix,
  ks: readonly number[],
  onProgress?: (done: number, total: number) => void,
  rowOffset = 0,
): Float64Array[] {
  const n = V.rows;
  const m = H.rows;
  // Distinct k values in decreasing order, computed once for all rows; results are mapped back.
  const distinct = Int32Array.from(new Set(ks)).sort().reverse();
  const slot = new Map<number, number>();
  distinct.forEach((k, j) => slot.set(k, j));
  const K = distinct.length;
  const byK = new Float64Array(m * K);
  const scratch = topKScratch(distinct[0]);
  // Logits in blocks of 64 contexts (a 64 × n buffer, never m × n); float32 when V and H both are.
  const d = V.cols;
  const mb = Math.max(1, Math.min(64, m));
  const z: FloatArray = V.data instanceof Float32Array && H.data instanceof Float32Array ? new Float32Array(mb * n) : new Float64Array(mb * n);
  for (let i0 = 0; i0 < m; i0 += mb) {
    const ni = Math.min(mb, m - i0);
    gemm(false, true, ni, n, d, 1, H.data, i0 * d, d, V.data, 0, d, 0, z, 0, n);
    for (let r = 0; r < ni; r++) {
      if (!topKExcludedLse(z, r * n, n, distinct, scratch, byK, (i0 + r) * K, 1)) throw logitOverflow(fn, rowOffset + i0 + r, V, H);
    }
    onProgress?.(i0 + ni, m);
  }
  return ks.map((k) => {
    const j = slot.get(k) as number;
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) out[i] = byK[i * K + j];
    return out;
  });
}
