/**
 * Seed validation that names the calling function and argument. `createRng` validates its seed too,
 * but its message names `createRng`, not the option the user actually passed (`generateWorld`'s
 * `opts.seed`, `train`'s `opts.seed`); the rule here is the same as `createRng`'s.
 *
 * @internal
 */
import { describeValue, domainError } from '../internal/check.js';

/** Throw a `DomainError` unless `seed` is a non-empty string or a finite number (what `createRng` accepts). */
export function checkSeed(fn: string, name: string, seed: unknown): asserts seed is string | number {
  if (typeof seed === 'number' && Number.isFinite(seed)) return;
  if (typeof seed === 'string' && seed.length > 0) return;
  throw domainError(fn, name, 'a non-empty string or a finite number', seed === '' ? 'an empty string' : describeValue(seed));
}
