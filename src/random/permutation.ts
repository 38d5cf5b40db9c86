import type { Rng } from './createRng.js';
import { checkNumber, domainError, describeValue } from '../core/check.js';

/**
 * Shuffle `out` in place into a uniformly random order (Fisher–Yates, from the last position down:
 * position `i` swaps with `rng.int(i + 1)`). Every seeded shuffle in the library goes through here,
 * so the same stream always gives the same order.
 *
 * @internal
 */
export function shuffleInPlace(out: Int32Array, rng: Rng): void {
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
}

/**
 * The largest `n` that {@link permutation} shuffles: 2^27 = 134,217,728 (a 512 MiB `Int32Array`
 * and `n − 1` draws, a few seconds). Larger `n` is refused at once rather than left running for
 * minutes (2^31 would take about a minute and an 8 GiB buffer).
 */
export const PERMUTATION_MAX_LENGTH = 2 ** 27;

/**
 * A uniformly random permutation of `0..n−1`, drawn from `rng` (Fisher–Yates: `n − 1` calls of
 * `rng.int`). `n` is at most 2^27 = 134,217,728.
 *
 * @example
 * ```ts
 * const order = permutation(5, createRng(1)); // e.g. Int32Array [3, 0, 4, 1, 2]; the same for seed 1 every time
 * ```
 * @throws DomainError when `n` is not an integer in `[0, 2^27]` or `rng` is not an `Rng`
 */
export function permutation(n: number, rng: Rng): Int32Array {
  checkNumber('permutation', 'n', n, { integer: true, min: 0, max: PERMUTATION_MAX_LENGTH });
  if (rng === null || typeof rng !== 'object' || typeof (rng as Partial<Rng>).int !== 'function') {
    throw domainError('permutation', 'rng', 'an Rng from createRng', describeValue(rng));
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  shuffleInPlace(out, rng);
  return out;
}
