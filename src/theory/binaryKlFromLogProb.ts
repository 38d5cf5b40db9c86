import { checkNumber } from '../core/check.js';
import { binaryKlFromLogs } from './binaryKlKernel.js';

/**
 * {@link binaryKl} from `log p` and `log q` instead of `p` and `q`, for callers that hold
 * log-probabilities: a rare word's `log p*(w|s) = −800` is exact as a log-probability but 0 as a
 * probability, and `log p = −1e-16` is `p = 1 − 1e-16`, which a double cannot hold. Taking `log p`
 * and `log q` as exact, the result is accurate to a few ulps relative when both probabilities are
 * normal doubles, and within `2⁻⁴⁰` relative when one of them underflows
 * (`docs/theory.md#soundness-under-rounding`).
 *
 * @param logP - `log p ∈ [−∞, 0]`.
 * @param logQ - `log q ∈ [−∞, 0]`.
 * @returns `kl(p‖q)` in nats (`+∞` when `q = 0 < p` or `q = 1 > p`).
 * @throws DomainError when `logP` or `logQ` is NaN or positive.
 * @example
 * ```ts
 * binaryKlFromLogProb(Math.log(0.5), Math.log(0.25)); // 0.1438…, as binaryKl(0.5, 0.25)
 * binaryKlFromLogProb(-700, -701);                   // ≈ e^{−701} = 3.6e-305 (p φ(e^{−1} − 1) = p/e; the other term is ~p²)
 * binaryKlFromLogProb(-1e-16, -1e-15);               // kl(1 − 1e-16 ‖ 1 − 1e-15), finite and accurate
 * ```
 */
export function binaryKlFromLogProb(logP: number, logQ: number): number {
  const fn = 'binaryKlFromLogProb';
  if (logP !== -Infinity) checkNumber(fn, 'logP', logP, { max: 0 });
  if (logQ !== -Infinity) checkNumber(fn, 'logQ', logQ, { max: 0 });
  return binaryKlFromLogs(logP, logQ);
}
