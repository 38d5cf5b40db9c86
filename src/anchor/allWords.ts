import { checkAllocatable, checkPositiveInt, domainError } from '../core/check.js';

/**
 * The whole vocabulary `[0, n)` as a bulk (`B = [n]`: the whole partition function, docs/theory.md#3-the-anchor-vector).
 *
 * @param n - the vocabulary size, a positive integer.
 * @returns `Int32Array [0, 1, …, n−1]`.
 * @throws DomainError when `n` is not a positive integer, or above 2^31 (an `Int32Array` of word
 *   indices holds at most `2^31 − 1`).
 * @example
 * ```ts
 * allWords(4); // Int32Array [0, 1, 2, 3]
 * ```
 */
export function allWords(n: number): Int32Array {
  checkPositiveInt('allWords', 'n', n);
  // Word indices are Int32: n − 1 must be at most 2^31 − 1.
  if (n > 2 ** 31) throw domainError('allWords', 'n', 'at most 2^31 = 2147483648 (word indices are Int32)', String(n));
  checkAllocatable('allWords', 'n', n, 4);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
