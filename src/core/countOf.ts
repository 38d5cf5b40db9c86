/**
 * A count with its noun agreeing in number: `1 note`, `2 notes`, `0 notes`. Every message in
 * `src/` that prints a count that can be 1 goes through this one helper (it lives in `core` so that
 * the domain layers' error messages can use it as well as the CLI).
 */

/**
 * `n` followed by `singular` when `n` is 1 and by `plural` otherwise; `plural` defaults to the
 * singular with an `s`.
 *
 * @example
 * ```ts
 * countOf(1, 'tensor'); // → '1 tensor'
 * countOf(0, 'tensor'); // → '0 tensors'
 * countOf(3, 'matrix', 'matrices'); // → '3 matrices'
 * ```
 */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
