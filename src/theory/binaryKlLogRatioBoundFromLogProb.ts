import { checkNumber } from '../core/check.js';
import { binaryKlLogRatioKernel } from './binaryKlKernel.js';

/**
 * {@link binaryKlLogRatioBound} from `log p` instead of `p`, for probabilities that underflow a
 * double (a rare word's `log p*(w|s)` of −800 is exact as a log-probability but 0 as a probability).
 * This is the form the certified bound of Theorem 1 part 5 uses. `logP` is taken as exact; the result
 * is never below the exact `ψ(e^{logP}, κ)` (sound under rounding,
 * `docs/theory.md#soundness-under-rounding`), including `logP` within 1e-15 of 0 and subnormal `p`.
 *
 * @param logP - `log p ∈ [−∞, 0]`.
 * @param kl - `κ ≥ 0`, in nats.
 * @throws DomainError when `logP` is NaN or positive, or `kl` is negative or not finite.
 * @example
 * ```ts
 * binaryKlLogRatioBoundFromLogProb(Math.log(0.5), 0.01); // 0.15166, as binaryKlLogRatioBound(0.5, 0.01) (to ~1e-15)
 * binaryKlLogRatioBoundFromLogProb(-800, 1e-300); // 2.74e47: finite, although e^{−800} = 0 in double precision
 * binaryKlLogRatioBoundFromLogProb(-800, 1e-6);   // +∞: the root κ/p ≈ 1e341 is beyond a double
 * ```
 */
export function binaryKlLogRatioBoundFromLogProb(logP: number, kl: number): number {
  const fn = 'binaryKlLogRatioBoundFromLogProb';
  if (logP !== -Infinity) checkNumber(fn, 'logP', logP, { max: 0 });
  checkNumber(fn, 'kl', kl, { min: 0 });
  const { below, above } = binaryKlLogRatioKernel(logP, kl);
  return Math.max(below, above);
}
