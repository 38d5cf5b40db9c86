import { checkTransferInstance } from './checkTransferInstance.js';
import { transferTerms, weightedMeanSquare } from './transferKernel.js';
import type { TransferInstance } from './types.js';

/** Theorem 1 part 5, per context and in expectation. */
export interface CertifiedTransferBound {
  /** `D̄(s) = max_{w∈T} ψ(p*(w|s), κ(s)) + ψ(p*(B|s), κ(s))`. */
  readonly dBar: Float64Array;
  /**
   * `‖a‖₁ D̄(s) + |A| (|ê(s)| + |e*(s)|)` plus the rounding allowances of the anchor term and of the
   * computed error: a bound on both the exact and the computed `|ŷ(s) − y(s)|` at every context.
   */
  readonly perContext: Float64Array;
  /** `|ŷ(s) − y(s)|` at every context, for comparison. */
  readonly absError: Float64Array;
  /** `E_s [perContext(s)²]`, rounded up: a bound on the mean squared error. */
  readonly expectedSquaredBound: number;
  /** `E_s (ŷ − y)²`. */
  readonly meanSquaredError: number;
  /** `E_s [(‖a‖₁ D̄(s))²]`: the bound with the anchor residuals removed. */
  readonly klPartSquared: number;
  /** `E_s [(|A| (|ê| + |e*|))²]`: the bound with the log-odds part removed. */
  readonly anchorPartSquared: number;
  /** Normalised context weights `μ`. */
  readonly contextWeights: Float64Array;
}

/**
 * Theorem 1 part 5, the certified, data-dependent bound: with `κ(s) = KL(p*(·|s) ‖ p̂(·|s))` and
 * `ψ` the tight form of Lemma 2 ({@link binaryKlLogRatioBound}),
 *
 *     |ŷ(s) − y(s)| ≤ ‖a‖₁ D̄(s) + |A| (|ê(s)| + |e*(s)|),
 *     D̄(s) = max_{w∈T} ψ(p*(w|s), κ(s)) + ψ(p*(B|s), κ(s)),
 *
 * at every context, and so `E_s (ŷ − y)² ≤ E_s [(‖a‖₁ D̄ + |A|(|ê| + |e*|))²]` exactly over the
 * weighted contexts. No probability floor or log-probability bound is assumed. `ψ` is computed from
 * log-probabilities, so rare words whose probability underflows are handled. The bound is sound under
 * rounding: `κ(s)` is raised and every `log p*` lowered by its rounding bound before `ψ` is taken,
 * `ψ`'s inversion aims past the exact root, and the anchor term and the computed error get their
 * own allowances (`docs/theory.md#soundness-under-rounding`).
 *
 * @param instance - as for {@link transferErrorDecomposition}.
 * @throws ShapeError / DomainError / NumericalError as {@link transferErrorDecomposition}.
 * @example
 * ```ts
 * const cert = certifiedTransferBound(instance);
 * cert.meanSquaredError <= cert.expectedSquaredBound; // true
 * ```
 */
export function certifiedTransferBound(instance: TransferInstance): CertifiedTransferBound {
  const fn = 'certifiedTransferBound';
  const c = checkTransferInstance(fn, instance);
  const t = transferTerms(c, undefined, true);
  const m = t.y.length;
  const absError = new Float64Array(m);
  const klOnly = new Float64Array(m);
  const anchorOnly = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    absError[i] = Math.abs(t.error[i]);
    klOnly[i] = c.l1 * t.dBar[i];
    anchorOnly[i] = Math.abs(c.sum) * (Math.abs(t.residualHat[i]) + Math.abs(t.residualStar[i]));
  }
  return {
    dBar: t.dBar,
    perContext: t.certifiedBound,
    absError,
    // Rounded up by 4(m + 4)u: the weighted sums of squares of the bound and of the error carry
    // relative errors of (m + 2)u each, and the normalised weights (m + 1)u.
    expectedSquaredBound: weightedMeanSquare(c.mu, t.certifiedBound) * (1 + 4 * (m + 4) * 2 ** -53),
    meanSquaredError: weightedMeanSquare(c.mu, t.error),
    klPartSquared: weightedMeanSquare(c.mu, klOnly),
    anchorPartSquared: weightedMeanSquare(c.mu, anchorOnly),
    contextWeights: c.mu,
  };
}
