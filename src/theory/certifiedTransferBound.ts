import { checkTransferInstance } from './checkTransferInstance.js';
import { RESCALE_TASK, checkSummary, transferTerms, weightedMeanSquare } from './transferKernel.js';
import type { TransferInstance } from './types.js';

/** `D̄(s)` above which a context's certificate is vacuous (its square alone is beyond ~1e300). */
const VACUOUS_D_BAR = 1e150;

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
  /** `E_s [perContext(s)²]`, rounded up: a bound on the mean squared error (`+∞` only when a context is vacuous, see below). */
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
 * **Infinity.** `dBar[i]` (and then `perContext[i]`) is `+∞` only where the exact `ψ` exceeds the
 * largest double: `ψ ≈ κ(s)/p*(w|s)`, so a task word or the bulk too rare for the context's `κ`
 * (e.g. `log p* < −709` with `κ ~ 1`). `+∞` is the upward rounding of the exact certificate, which
 * is vacuous there. `expectedSquaredBound` and `klPartSquared` are `+∞` only when some context with
 * positive weight is vacuous in this sense (`D̄(s) > 1e150`, whose square passes the double range).
 * Every other overflow is a `NumericalError` naming the quantity and what to rescale
 * (`docs/theory.md#overflow`).
 *
 * @throws ShapeError / DomainError / NumericalError as {@link transferErrorDecomposition}, and
 *   NumericalError when a per-context certificate (with finite `D̄`) or a mean square overflows a
 *   double (task coefficients, anchors or representations of magnitude ~1e150 and above).
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
  // A context is vacuous when D̄(s) > 1e150: a log-probability change that large comes only from a
  // word too rare for the context's κ (ψ ≈ κ/p*; the logits are bounded by the rounding check, so
  // κ ≤ ~1e9). The mean squares may then be +∞, the upward rounding of a vacuous certificate; any
  // other non-finite mean is an overflow of huge inputs and is typed.
  let vacuous = false;
  for (let i = 0; i < m; i++) if (c.mu[i] > 0 && t.dBar[i] > VACUOUS_D_BAR) vacuous = true;
  return {
    dBar: t.dBar,
    perContext: t.certifiedBound,
    absError,
    // Rounded up by 4(m + 4)u: the weighted sums of squares of the bound and of the error carry
    // relative errors of (m + 2)u each, and the normalised weights (m + 1)u.
    expectedSquaredBound: checkSummary(fn, 'expectedSquaredBound = E_s[bound(s)²]', weightedMeanSquare(c.mu, t.certifiedBound) * (1 + 4 * (m + 4) * 2 ** -53), RESCALE_TASK, vacuous),
    meanSquaredError: checkSummary(fn, 'meanSquaredError = E_s (ŷ − y)²', weightedMeanSquare(c.mu, t.error), RESCALE_TASK),
    klPartSquared: checkSummary(fn, 'klPartSquared = E_s[(‖a‖₁ D̄)²]', weightedMeanSquare(c.mu, klOnly), RESCALE_TASK, vacuous),
    anchorPartSquared: checkSummary(fn, 'anchorPartSquared = E_s[(|A|(|ê| + |e*|))²]', weightedMeanSquare(c.mu, anchorOnly), RESCALE_TASK),
    contextWeights: c.mu,
  };
}
