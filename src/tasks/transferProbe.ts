import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkFiniteArray, checkFiniteResult, checkFiniteMatrix, checkFloatVector, checkNonEmptyMatrix, checkNumber, checkWordIndices, describeValue, domainError } from '../core/check.js';
import { checkAnchor, type Anchor } from './taskAnchor.js';
import { composeDirection, weightSums } from './taskDirection.js';
import { checkScoringInput, linearScores } from './probeInputs.js';
import { asWordIndices } from './wordTask.js';

/** What {@link transferProbe} is built from, named as the theory functions name it. */
export interface TransferProbeInput {
  /** The learned output embeddings `V̂` (`n × d'`). */
  readonly learnerV: Matrix;
  /** The learned model's anchor `(v̂_0, ĉ)` on the bulk; `null` (or absent) only for a contrast task. */
  readonly anchorHat?: Anchor | null;
  /** The ground truth's anchor on the bulk (only its intercept `c*` is used); `null` (or absent) only for a contrast task. */
  readonly anchorStar?: Anchor | null;
  /** The task words `T` (distinct; `Int32Array`, or the `BigInt64Array` of an int64 `.npy`). */
  readonly words: Int32Array | BigInt64Array;
  /** The task-word coefficients `a`, one per task word. */
  readonly coefficients: FloatArray;
}

/** Theorem 1's probe: a fixed linear map of the learned representation. */
export interface TransferProbe {
  /** `û = Σ_{w∈T} a_w (v̂_w − v̂_0)` (`Σ a_w v̂_w` for a contrast task). */
  readonly u: Float64Array;
  /** `A (c* − ĉ)` (0 for a contrast task). */
  readonly bias: number;
  /** `⟨û, ĥ⟩ + A (c* − ĉ)` for each row of `H` (learned representations). */
  predict(H: Matrix): Float64Array;
}

/**
 * The transfer probe of Theorem 1 (`docs/theory.md#5-theorem-1-transfer-under-an-anchor`), which
 * needs no fitting:
 *
 *     ŷ(s) = ⟨û, ĥ(s)⟩ + A (c* − ĉ),   û = Σ_{w∈T} a_w (v̂_w − v̂_0),   A = Σ a_w,
 *
 * built from the learned output embeddings `V̂`, the learned model's anchor `(v̂_0, ĉ)` and the
 * ground truth's anchor intercept `c*`. Theorem 1 bounds its error by the excess pre-training loss
 * and the two anchors' residuals. For a contrast task (`|A| ≤ 1e-12·‖a‖₁`) the anchors may be
 * `null` or left out: the probe is then `⟨Σ a_w v̂_w, ĥ⟩`, with no anchor at all. The two anchors
 * are named fields of one object, so they cannot be swapped by position.
 *
 * @param input - `{ learnerV, anchorHat, anchorStar, words, coefficients }`.
 * @throws DomainError on bad indices, non-finite values, or a missing anchor when `A ≠ 0`.
 * @throws NumericalError when the composed direction overflows float64 (finite weights or embeddings near 1e308).
 * @example
 * ```ts
 * const probe = transferProbe({
 *   learnerV: learner.V(),
 *   anchorHat: fitAnchor(learner.V(), Hhat, bulk),
 *   anchorStar: fitAnchor(world.V, Hstar, bulk),
 *   words: Int32Array.of(3),
 *   coefficients: Float64Array.of(1),
 * });
 * probe.predict(Hhat); // ≈ ⟨v*_3 − v*_0, h*(s)⟩ when the learner is good
 * ```
 */
export function transferProbe(input: TransferProbeInput): TransferProbe {
  const fn = 'transferProbe';
  if (input === null || typeof input !== 'object' || ArrayBuffer.isView(input) || (input as { rows?: unknown }).rows !== undefined) {
    throw domainError(fn, 'input', 'an object { learnerV, anchorHat, anchorStar, words, coefficients }', describeValue(input));
  }
  const { learnerV, coefficients } = input;
  const anchorHat = input.anchorHat ?? null;
  const anchorStar = input.anchorStar ?? null;
  checkNonEmptyMatrix(fn, 'input.learnerV', learnerV);
  checkFiniteMatrix(fn, 'input.learnerV', learnerV);
  const d = learnerV.cols;
  const words = asWordIndices(fn, 'input.words', input.words);
  checkWordIndices(fn, 'input.words', words, learnerV.rows, { nonEmpty: true, unique: true });
  checkFloatVector(fn, 'input.coefficients', coefficients, words.length, 'one coefficient per task word');
  checkFiniteArray(fn, 'input.coefficients', coefficients);
  const { sum: A, contrast } = weightSums(coefficients);
  if (!contrast) {
    if (anchorHat === null) {
      throw domainError(fn, 'input.anchorHat', `an anchor { anchor, intercept } (Σ a = ${A} ≠ 0; only a contrast task may omit it)`, describeValue(input.anchorHat));
    }
    if (anchorStar === null) {
      throw domainError(fn, 'input.anchorStar', `an anchor { anchor, intercept } (Σ a = ${A} ≠ 0; only a contrast task may omit it)`, describeValue(input.anchorStar));
    }
  }
  if (anchorHat !== null) checkAnchor(fn, 'input.anchorHat', anchorHat, d, 'the dimension of learnerV');
  if (anchorStar !== null) {
    const o = anchorStar as unknown;
    if (typeof o !== 'object') throw domainError(fn, 'input.anchorStar', 'an anchor { anchor, intercept }', describeValue(o));
    checkNumber(fn, 'input.anchorStar.intercept', anchorStar.intercept);
  }
  const withAnchor = !contrast && anchorHat !== null && anchorStar !== null;
  const u = composeDirection(learnerV, words, coefficients, withAnchor ? anchorHat : null, A);
  const bias = withAnchor ? A * (anchorStar.intercept - anchorHat.intercept) : 0;
  // Finite but huge weights or embeddings (≈1e308) overflow the composed direction.
  checkFiniteResult(fn, { u, bias }, 'rescale the weights or learnerV (or the anchors) so that Σ a_w v̂_w stays within float64');
  return {
    u,
    bias,
    predict(H: Matrix): Float64Array {
      checkScoringInput('TransferProbe.predict', H, d);
      return linearScores(H, u, bias);
    },
  };
}
