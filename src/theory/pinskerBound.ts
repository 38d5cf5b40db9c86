import { checkNumber } from '../core/check.js';

/**
 * Lemma 1 (Pinsker's inequality): the total variation distance between two distributions is at most
 * `sqrt(κ / 2)`, where `κ` is their Kullback–Leibler divergence (in nats).
 *
 * The constant 1/2 is sharp: for two Bernoulli distributions with means `1/2 ± δ` the ratio of the
 * two sides tends to 1 as `δ → 0` (see `docs/theory.md`, Lemma 1).
 *
 * @param kl - `KL(p‖q) ≥ 0`, in nats.
 * @returns `sqrt(kl / 2)`, an upper bound on `TV(p, q)`.
 * @throws DomainError when `kl` is not a finite number `≥ 0`.
 * @example
 * ```ts
 * pinskerBound(0.02); // 0.1
 * ```
 */
export function pinskerBound(kl: number): number {
  checkNumber('pinskerBound', 'kl', kl, { min: 0 });
  return Math.sqrt(kl / 2);
}
