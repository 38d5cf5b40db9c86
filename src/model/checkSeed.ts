/**
 * Seed validation that names the calling function and argument (`generateWorld`'s `opts.seed`,
 * `train`'s `opts.seed`). The rule is `createRng`'s own, so the two can never disagree.
 *
 * @internal
 */
import { canonicalSeed } from '../random/createRng.js';

/** Throw a `DomainError` unless `seed` is a non-empty string or a finite number (what `createRng` accepts). */
export function checkSeed(fn: string, name: string, seed: unknown): asserts seed is string | number {
  canonicalSeed(fn, name, seed);
}
