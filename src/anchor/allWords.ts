import { checkPositiveInt } from '../internal/check.js';

/**
 * The whole vocabulary `[0, n)` as a bulk (`B = [n]`: the whole partition function, docs/theory.md#3-the-anchor-vector).
 *
 * @param n - the vocabulary size, a positive integer.
 * @returns `Int32Array [0, 1, …, n−1]`.
 * @throws DomainError when `n` is not a positive integer.
 * @example
 * ```ts
 * allWords(4); // Int32Array [0, 1, 2, 3]
 * ```
 */
export function allWords(n: number): Int32Array {
  checkPositiveInt('allWords', 'n', n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
