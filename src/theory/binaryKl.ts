import { checkNumber } from '../internal/check.js';
import { binaryKlFromLog } from './binaryKlKernel.js';

/**
 * The binary Kullback–Leibler divergence `kl(p‖q) = p log(p/q) + (1 − p) log((1 − p)/(1 − q))`
 * between Bernoulli(`p`) and Bernoulli(`q`), in nats, with `0 log 0 = 0`. It is `+∞` when `q = 0 < p`
 * or `q = 1 > p`.
 *
 * Computed as `p·φ(q/p − 1) + (1 − p)·φ((p − q)/(1 − p))` with `φ(x) = x − log(1 + x)` evaluated by
 * its series near 0, so that `kl` keeps full relative precision when `q` is close to `p` (the naive
 * formula returns the difference of two nearly equal numbers).
 *
 * @throws DomainError when `p` or `q` is outside `[0, 1]`.
 * @example
 * ```ts
 * binaryKl(0.5, 0.5);   // 0
 * binaryKl(0.5, 0.25);  // 0.5·log 2 + 0.5·log(2/3) = 0.1438…
 * ```
 */
export function binaryKl(p: number, q: number): number {
  checkNumber('binaryKl', 'p', p, { min: 0, max: 1 });
  checkNumber('binaryKl', 'q', q, { min: 0, max: 1 });
  if (p === q) return 0;
  if (p === 0) return -Math.log1p(-q);
  if (p === 1) return -Math.log(q);
  if (q === 0 || q === 1) return Infinity;
  return binaryKlFromLog(Math.log(p), Math.log(q) - Math.log(p));
}
