import { checkNumber } from '../core/check.js';
import { binaryKlFromProbs } from './binaryKlKernel.js';

/**
 * The binary Kullback–Leibler divergence `kl(p‖q) = p log(p/q) + (1 − p) log((1 − p)/(1 − q))`
 * between Bernoulli(`p`) and Bernoulli(`q`), in nats, with `0 log 0 = 0`. It is `+∞` when `q = 0 < p`
 * or `q = 1 > p`.
 *
 * Computed as `p·φ(q/p − 1) + (1 − p)·φ((p − q)/(1 − p))` with `φ(x) = x − log(1 + x)`, two
 * non-negative terms each evaluated in a form without harmful cancellation (a positive series,
 * `log1p`, `expm1`), so the result is accurate to a few ulps relative over the whole domain: `q`
 * close to `p`, `p` or `q` within `1e-300` of 0 or of 1 (the naive formula returns the difference of
 * two nearly equal numbers, or `+∞` for `binaryKl(1e-7, 1 − 1e-15)`). The error allowance used by the
 * certified bounds is stated in `docs/theory.md#soundness-under-rounding`. For probabilities that
 * underflow a double, use {@link binaryKlFromLogProb}, which works from `log p` and `log q`.
 *
 * @throws DomainError when `p` or `q` is outside `[0, 1]`.
 * @example
 * ```ts
 * binaryKl(0.5, 0.5);   // 0
 * binaryKl(0.5, 0.25);  // 0.5·log 2 + 0.5·log(2/3) = 0.1438…
 * binaryKl(1e-7, 1 - 1e-15); // 34.5396… (finite: 1 − q = 1e-15 is exact in double precision)
 * ```
 */
export function binaryKl(p: number, q: number): number {
  checkNumber('binaryKl', 'p', p, { min: 0, max: 1 });
  checkNumber('binaryKl', 'q', q, { min: 0, max: 1 });
  if (p === q) return 0;
  if (p === 0) return -Math.log1p(-q);
  if (p === 1) return -Math.log(q);
  if (q === 0 || q === 1) return Infinity;
  return binaryKlFromProbs(p, q);
}
