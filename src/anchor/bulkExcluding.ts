import { checkAllocatable, checkPositiveInt, checkWordIndices, shapeError } from '../core/check.js';
import { countOf } from '../core/countOf.js';

/**
 * The bulk `B = [n] \ excluded`, the complement of an explicit word set (docs/theory.md#3-the-anchor-vector), in
 * increasing order. Repeated indices in `excluded` are allowed (excluded once).
 *
 * @param excluded - word indices in `[0, n)`.
 * @param n - the vocabulary size.
 * @returns the remaining words, increasing.
 * @throws DomainError when `n` is not a positive integer, too large for an `Int32Array` of 4 GiB, or an index is out of range.
 * @throws ShapeError when nothing would remain (an empty bulk has `log Z_B = −∞`).
 * @example
 * ```ts
 * bulkExcluding(Int32Array.of(0, 2), 5); // Int32Array [1, 3, 4]
 * ```
 */
export function bulkExcluding(excluded: Int32Array, n: number): Int32Array {
  const fn = 'bulkExcluding';
  checkPositiveInt(fn, 'n', n);
  checkAllocatable(fn, 'n', n, 4);
  checkWordIndices(fn, 'excluded', excluded, n);
  const mark = new Uint8Array(n);
  let k = 0;
  for (let i = 0; i < excluded.length; i++) {
    if (!mark[excluded[i]]) k++;
    mark[excluded[i]] = 1;
  }
  if (k === n) throw shapeError(fn, 'excluded', 'a set leaving at least one word of the vocabulary', `all ${countOf(n, 'word')}`);
  const out = new Int32Array(n - k);
  let p = 0;
  for (let w = 0; w < n; w++) if (!mark[w]) out[p++] = w;
  return out;
}
