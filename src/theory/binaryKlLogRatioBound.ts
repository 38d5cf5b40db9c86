import { checkNumber } from '../core/check.js';
import { binaryKlLogRatioKernel } from './binaryKlKernel.js';

/**
 * Lemma 2, tight (data-processing) form: `ψ(p, κ)`, the largest `|log q − log p|` over all `q` with
 * `kl(p‖q) ≤ κ`. If `κ = KL(p*(·|s) ‖ p̂(·|s))` and `p = p*(A|s)` for any word set `A`, then
 * `|log p̂(A|s) − log p*(A|s)| ≤ ψ(p, κ)`, because merging words into `A` and its complement cannot
 * increase a KL divergence. The bound is attained when `p̂` rescales the probabilities inside `A`
 * and inside its complement by one factor each (then the binary KL equals the full KL).
 *
 * The binary KL is inverted on each side of `p` in the log-ratio `r = log q − log p` (it is strictly
 * monotone on each side): bracketing, bisection to a relative width of 1e-2, then Newton's method
 * from outside the root, which by convexity of `kl` in `r` never crosses it. The larger of the two
 * distances is returned (it is always the one below `p`; see `docs/theory.md`, Lemma 2). The result
 * is sound under rounding: never below the exact `ψ`, because the root search aims at
 * `κ(1 + 2η) + τ` with `η = 2⁻⁴⁰` the stated error allowance of the binary KL and `log p` is lowered
 * by two ulps (`docs/theory.md#soundness-under-rounding`); it exceeds `ψ` by about a relative `1e-12`.
 * It is `+∞` when `p = 0 < κ` (no finite bound exists) and 0 when `κ = 0`; `ψ(1, κ) = κ` exactly.
 *
 * @param p - `p*(A) ∈ [0, 1]`. To pass a probability that underflows, use
 *   {@link binaryKlLogRatioBoundFromLogProb} with `log p` instead.
 * @param kl - `κ ≥ 0`, in nats.
 * @throws DomainError when `p ∉ [0, 1]` or `kl` is negative or not finite.
 * @example
 * ```ts
 * binaryKlLogRatioBound(0.5, 0);     // 0
 * binaryKlLogRatioBound(0.5, 0.01);  // 0.15166: q = 0.5·e^{−0.15166} = 0.4295 has kl(0.5‖q) = 0.01
 * ```
 */
export function binaryKlLogRatioBound(p: number, kl: number): number {
  checkNumber('binaryKlLogRatioBound', 'p', p, { min: 0, max: 1 });
  checkNumber('binaryKlLogRatioBound', 'kl', kl, { min: 0 });
  // ψ(p, κ) decreases in p (docs/theory.md#soundness-under-rounding), so it is evaluated at a lower
  // bound of log p: Math.log is within one ulp, and 2 ulps are taken (log 1 = 0 is exact).
  const lp = Math.log(p);
  const lpLow = lp === 0 ? 0 : lp - (Math.abs(lp) * 2 ** -51 + Number.MIN_VALUE);
  const { below, above } = binaryKlLogRatioKernel(lpLow, kl);
  return Math.max(below, above);
}
