import { checkNumber, domainError } from '../core/check.js';

/**
 * Lemma 2, total-variation form: `φ_γ(t) = −log(1 − t/γ)`. If `p*(A) ≥ γ > t ≥ TV(p*, p̂)`, then
 * `|log p̂(A) − log p*(A)| ≤ φ_γ(t)`. The bound is attained when `γ = p*(A)` and all the moved mass
 * leaves `A` (`p̂(A) = p*(A) − t`).
 *
 * @param gamma - the probability floor `γ ∈ (0, 1]`.
 * @param tv - the total variation `t ∈ [0, γ)`.
 * @returns `−log(1 − t/γ)`, computed as `−log1p(−t/γ)` so that small `t` keeps its digits.
 * @throws DomainError when `gamma ∉ (0, 1]`, `tv < 0`, or `tv ≥ gamma` (the lemma's hypothesis
 *   `t < γ` fails and no finite bound exists).
 * @example
 * ```ts
 * logStabilityBound(0.5, 0.25); // −log(1/2) = 0.6931…
 * ```
 */
export function logStabilityBound(gamma: number, tv: number): number {
  const fn = 'logStabilityBound';
  checkNumber(fn, 'gamma', gamma, { min: 0, max: 1, minExclusive: true });
  checkNumber(fn, 'tv', tv, { min: 0 });
  if (tv >= gamma) throw domainError(fn, 'tv', `below gamma = ${gamma} (Lemma 2 needs t < γ)`, String(tv));
  return -Math.log1p(-tv / gamma);
}
