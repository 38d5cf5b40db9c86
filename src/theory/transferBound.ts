import { checkNumber, describeValue, domainError } from '../core/check.js';
import { NumericalError } from '../core/errors.js';

/** The inputs of Theorem 1 part 4. */
export interface TransferBoundParams {
  /** `‖a‖₁ = Σ|a_w|`. */
  readonly aL1: number;
  /** `A = Σ a_w`; `|A| ≤ ‖a‖₁`. */
  readonly aSum: number;
  /** The excess pre-training loss `ε = E_s KL(p*‖p̂) ≥ 0`. */
  readonly epsilon: number;
  /**
   * A probability floor `γ ∈ [0, 1]` with `p*(X|s) ≥ γ` for every context and `X ∈ T ∪ {B}`. `γ = 0`
   * (a floor that underflowed a double) gives `klTerm = +∞`, or 0 when `ε = 0`.
   */
  readonly gamma: number;
  /** A bound `M ≥ 0` on `|log p(X|s)|` for `X ∈ T ∪ {B}`, both models, every context. */
  readonly M: number;
  /** `E_s ê(s)²`, the learned model's anchor MSE. */
  readonly anchorMseHat: number;
  /** `E_s e*(s)²`, the ground truth's anchor MSE. */
  readonly anchorMseStar: number;
}

/** Theorem 1 part 4, with its two terms. */
export interface TransferBoundResult {
  /** `klTerm + anchorTerm`, a bound on `E_s (ŷ − y)²`. */
  readonly bound: number;
  /** `16 ‖a‖₁² ((ln 2)² + M²) ε / γ²`. */
  readonly klTerm: number;
  /** `4 A² (E ê² + E e*²)`. */
  readonly anchorTerm: number;
}

/** `log(Number.MAX_VALUE)`, rounded down. */
const LOG_MAX = 709.78;

/**
 * Theorem 1 part 4: if `p*(X|s) ≥ γ` for every context and `X ∈ T ∪ {B}`, and
 * `|log p(X|s)| ≤ M` for both models, the transfer probe's mean squared error satisfies
 *
 *     E_s (ŷ − y)² ≤ 16 ‖a‖₁² ((ln 2)² + M²) ε / γ²  +  4 A² (E_s ê² + E_s e*²).
 *
 * The first term vanishes with the excess pre-training loss `ε`; the second is where the anchor fits
 * enter, and it vanishes for a contrast task (`A = 0`). The bound is worst-case and loose; the
 * certified bound of part 5 ({@link certifiedTransferBound}) is the one to draw.
 *
 * The KL term is formed in the log domain (so `aL1²` or `γ²` underflowing on their own, e.g.
 * `γ = e^{−700}`, does not turn it into 0/0) and rounded up by `2⁻³⁹`, the anchor term by `16u`
 * (`u = 2⁻⁵³`), so that the returned value is not below the exact one (`docs/theory.md#soundness-under-rounding`). `gamma = 0` is accepted: it is what
 * `transferErrorDecomposition(...).part4.gamma` reports when the floor underflows (`log p* < −745`),
 * and it gives `klTerm = +∞` (no finite bound is known), or 0 when `epsilon = 0`; a positive `gamma`
 * so small that `ε/γ²` overflows gives `+∞` as well (the bound is vacuous). Every other overflow is a
 * `NumericalError`: huge `aL1`, `aSum`, `M`, `epsilon` or MSEs (`docs/theory.md#overflow`).
 *
 * @throws DomainError when a parameter is not finite, `aL1 < |aSum|`, `gamma ∉ [0, 1]`, or `epsilon`,
 *   `M` or an MSE is negative.
 * @throws NumericalError when `16 aL1² ((ln 2)² + M²) ε`, the anchor term or their sum overflows a
 *   double (the message names the parameter to rescale).
 * @example
 * ```ts
 * transferBound({ aL1: 1, aSum: 1, epsilon: 1e-4, gamma: 0.1, M: 3, anchorMseHat: 0.01, anchorMseStar: 0.01 });
 * // { klTerm: 16·(0.4805 + 9)·1e-4/0.01 = 1.5169, anchorTerm: 0.08, bound: 1.5969 }
 * ```
 */
export function transferBound(params: TransferBoundParams): TransferBoundResult {
  const fn = 'transferBound';
  if (params === null || typeof params !== 'object') {
    throw domainError(fn, 'params', 'an object { aL1, aSum, epsilon, gamma, M, anchorMseHat, anchorMseStar }', describeValue(params));
  }
  const { aL1, aSum, epsilon, gamma, M, anchorMseHat, anchorMseStar } = params;
  checkNumber(fn, 'params.aL1', aL1, { min: 0 });
  checkNumber(fn, 'params.aSum', aSum);
  if (Math.abs(aSum) > aL1 * (1 + 1e-12)) throw domainError(fn, 'params.aSum', `at most aL1 = ${aL1} in absolute value (|Σ a| ≤ Σ |a|)`, String(aSum));
  checkNumber(fn, 'params.epsilon', epsilon, { min: 0 });
  checkNumber(fn, 'params.gamma', gamma, { min: 0, max: 1 });
  checkNumber(fn, 'params.M', M, { min: 0 });
  checkNumber(fn, 'params.anchorMseHat', anchorMseHat, { min: 0 });
  checkNumber(fn, 'params.anchorMseStar', anchorMseStar, { min: 0 });
  const ln2 = Math.LN2;
  // γ = 0 is a floor that underflowed a double (transferErrorDecomposition reports exp(log γ), which is
  // 0 below e^{−745}): no positive floor is known, so the bound is vacuous (+∞) unless ε = 0, where
  // the KL term is 0 for every γ > 0. A tiny positive γ gives +∞ by overflow, consistently.
  // Otherwise the KL term is formed in the log domain: aL1² or γ² alone can underflow (γ = e^{−700})
  // or overflow while the quotient is an ordinary number. Each log carries a relative error of an
  // ulp, so exp of their sum (|sum| < 3000) is within 3000·2⁻⁵³ < 2⁻⁴⁰ relative: rounded up by 2⁻³⁹.
  let klTerm: number;
  // Overflow (docs/theory.md#overflow): the numerator 16‖a‖₁²((ln 2)² + M²)ε alone beyond the
  // largest double means huge inputs (rescale them): typed. A finite numerator over a floor so small
  // that the quotient overflows is the vacuous bound of a tiny γ, +∞ as for γ = 0 (documented).
  const logNumerator = aL1 === 0 || epsilon === 0 ? -Infinity : Math.log(16) + 2 * Math.log(aL1) + Math.log(ln2 * ln2 + M * M) + Math.log(epsilon);
  if (logNumerator > LOG_MAX) {
    throw new NumericalError(
      `${fn}: klTerm overflows a double: 16·aL1²·((ln 2)² + M²)·epsilon = e^${logNumerator.toFixed(1)} before dividing by gamma²; rescale params.aL1 (the task coefficients; the bound scales with their square)${M > 1e100 ? ' or params.M' : ''}`,
    );
  }
  if (logNumerator === -Infinity) klTerm = 0;
  else if (gamma === 0) klTerm = Infinity;
  else klTerm = Math.exp(logNumerator - 2 * Math.log(gamma)) * (1 + 2 ** -39);
  // The anchor term is a product of at most 5 roundings; rounding up by 16u keeps it a bound.
  const safe = 1 + 16 * 2 ** -53;
  const anchorTerm = 4 * aSum * aSum * (anchorMseHat + anchorMseStar) * safe;
  if (anchorTerm === Infinity) {
    throw new NumericalError(
      `${fn}: anchorTerm = 4·aSum²·(anchorMseHat + anchorMseStar) overflows a double; rescale params.aSum (the task coefficients) or the anchors whose MSEs are ${anchorMseHat} and ${anchorMseStar}`,
    );
  }
  // klTerm + anchorTerm, both finite, can still overflow by a factor ≤ 2: then it is typed too.
  const bound = (klTerm + anchorTerm) * safe;
  if (bound === Infinity && klTerm !== Infinity) {
    throw new NumericalError(`${fn}: bound = klTerm + anchorTerm overflows a double (${klTerm} + ${anchorTerm}); rescale params.aL1 and params.aSum (the task coefficients)`);
  }
  return { bound, klTerm, anchorTerm };
}
