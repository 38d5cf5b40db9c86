import { checkGammaOption, checkTransferInstance } from './checkTransferInstance.js';
import { RESCALE_TASK, checkSummary, transferTerms, weightedMean, weightedMeanSquare, type TransferTerms } from './transferKernel.js';
import type { TransferInstance } from './types.js';
import type { TransferBoundParams } from './transferBound.js';

/** Options of {@link transferErrorDecomposition}. */
export interface TransferDecompositionOptions {
  /**
   * A fixed probability floor `γ ∈ (0, 1]` for part 3. When omitted, each context uses its own best
   * floor `γ(s) = min_{X ∈ T ∪ {B}} p*(X|s)`, which always satisfies the floor hypothesis.
   */
  readonly gamma?: number;
}

/** Theorem 1 parts 1–3, term by term, for every context (arrays of length `m`), plus summaries. */
export interface TransferDecomposition extends Omit<TransferTerms, 'dBar' | 'certifiedBound'> {
  /** `‖a‖₁ = Σ|a_w|`. */
  readonly l1Norm: number;
  /** `A = Σ a_w` (0 for a contrast task). */
  readonly sum: number;
  /** True when `|A| ≤ 1e-12·‖a‖₁`: the task is treated as a contrast task and needs no anchor. */
  readonly contrast: boolean;
  /** Normalised context weights `μ`. */
  readonly contextWeights: Float64Array;
  /** `ε = E_s κ(s)`. */
  readonly epsilon: number;
  /** `E_s (ŷ − y)²`. */
  readonly meanSquaredError: number;
  /** `E_s e*(s)²`. */
  readonly anchorMseStar: number;
  /** `E_s ê(s)²`. */
  readonly anchorMseHat: number;
  /**
   * The parameters of part 4 that make its hypotheses hold on these contexts: `γ = min_s min_X
   * p*(X|s)` and `M = max_s maxAbsLogProb(s)` (the smallest admissible values), ready for
   * {@link transferBound}. Each is on the safe side of its rounding: `γ` lowered, `M`, `ε` and the
   * anchor MSEs raised by their allowances (`docs/theory.md#soundness-under-rounding`), so `epsilon`
   * here can exceed the `epsilon` field by a few ulps. `γ` is 0 when the floor underflows a double
   * (`log p* < −745`); {@link transferBound} accepts that and returns `klTerm = +∞` (or 0 when `ε = 0`).
   */
  readonly part4: TransferBoundParams;
}

/**
 * Theorem 1 parts 1–3 for every context: the transfer probe's error `ŷ(s) − y(s)`, its exact split
 * into the log-odds term `Σ a_w (ℓ̂_w − ℓ*_w)` and the anchor term `A (ê − e*)`, the quantities
 * `D(s)`, `κ(s)`, `t(s)`, the part 2 bound, and the part 3 bound `2 φ_γ(t)` with a flag saying where
 * its hypotheses hold. Every log-probability is formed from logits
 * (`log p(w|s) = z_w − LSE(z)`, `log p(B|s) = LSE_B(z) − LSE(z)`), never from a probability.
 *
 * @param instance - the two models on the same contexts, the task (`words`, `coefficients`, `bulk`)
 *   and the two anchors (`null` allowed only for a contrast task), optional context `weights`.
 * @throws ShapeError when the models do not have the same number of words or contexts, or a vector
 *   has the wrong length.
 * @throws DomainError when an input is not finite, a word index is out of range or repeated, the bulk
 *   meets the task words, an anchor is missing for a task with `Σ a ≠ 0`, or `opts.gamma ∉ (0, 1]`.
 * @throws NumericalError when a logit `⟨v_w, h(s)⟩` of either model overflows a double, when the
 *   logits are so large that their rounding (more than `2⁻²⁰`) leaves the probabilities undetermined,
 *   or when a per-context term or a mean square overflows (task coefficients, anchors or
 *   representations of magnitude ~1e150 and above); the message names the quantity and what to rescale.
 * @example
 * ```ts
 * const dec = transferErrorDecomposition({ truth: { V: Vs, H: Hs }, learned: { V: Vh, H: Hh },
 *   words: Int32Array.of(0), coefficients: Float64Array.of(1), bulk: Int32Array.of(2, 3),
 *   anchorStar, anchorHat });
 * dec.error[0] - (dec.wordPart[0] + dec.anchorPart[0]); // ≈ 0 (part 1)
 * Math.abs(dec.error[0]) <= dec.part2Bound[0];          // true (part 2)
 * ```
 */
export function transferErrorDecomposition(instance: TransferInstance, opts?: TransferDecompositionOptions): TransferDecomposition {
  const fn = 'transferErrorDecomposition';
  const c = checkTransferInstance(fn, instance);
  const gamma = checkGammaOption(fn, opts);
  const t = transferTerms(c, gamma, false);
  // Part 5's arrays are not computed here (`withCertified` false); certifiedTransferBound reports them.
  const { dBar: _dBar, certifiedBound: _certified, ...perContext } = t;
  const m = t.y.length;
  // Part 4's parameters, each on the safe side of its rounding (docs/theory.md#soundness-under-rounding):
  // γ from the lowered log floors, M from the raised |log p|, ε from κ plus its allowance, and the
  // anchor MSEs from |e| plus the residuals' allowance.
  let minLogFloor = Infinity;
  let M = 0;
  for (let i = 0; i < m; i++) {
    if (c.mu[i] === 0) continue;
    minLogFloor = Math.min(minLogFloor, t.logFloorLowerBound[i]);
    M = Math.max(M, t.maxAbsLogProb[i]);
  }
  const anchorMseStar = weightedMeanSquare(c.mu, t.residualStar);
  const anchorMseHat = weightedMeanSquare(c.mu, t.residualHat);
  const epsilon = weightedMean(c.mu, t.kl);
  const safe = 1 + 4 * (m + 4) * 2 ** -53;
  const klUp = new Float64Array(m);
  const eStarUp = new Float64Array(m);
  const eHatUp = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    klUp[i] = t.kl[i] + t.klRoundingBound[i];
    // anchorRoundingBound = |A|·(error of |ê| + |e*|); each residual's error is at most that / |A|.
    const eErr = c.sum !== 0 ? t.anchorRoundingBound[i] / Math.abs(c.sum) : 0;
    eStarUp[i] = Math.abs(t.residualStar[i]) + eErr;
    eHatUp[i] = Math.abs(t.residualHat[i]) + eErr;
  }
  const chk = (name: string, v: number): number => checkSummary(fn, name, v, RESCALE_TASK);
  return {
    l1Norm: c.l1,
    sum: c.sum,
    contrast: c.contrast,
    ...perContext,
    contextWeights: c.mu,
    epsilon,
    meanSquaredError: chk('meanSquaredError = E_s (ŷ − y)²', weightedMeanSquare(c.mu, t.error)),
    anchorMseStar: chk('anchorMseStar = E_s e*(s)²', anchorMseStar),
    anchorMseHat: chk('anchorMseHat = E_s ê(s)²', anchorMseHat),
    part4: {
      aL1: c.l1,
      aSum: c.sum,
      epsilon: weightedMean(c.mu, klUp) * safe,
      // May underflow to 0 (log p* < −745): transferBound accepts γ = 0 and documents the result.
      gamma: Math.exp(minLogFloor) * (1 - 4 * 2 ** -53),
      M,
      anchorMseHat: chk('part4.anchorMseHat', weightedMeanSquare(c.mu, eHatUp) * safe),
      anchorMseStar: chk('part4.anchorMseStar', weightedMeanSquare(c.mu, eStarUp) * safe),
    },
  };
}
