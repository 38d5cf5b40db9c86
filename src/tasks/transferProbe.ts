import type { Matrix } from '../matrix/matrix.js';
import { checkFiniteArray, checkFiniteMatrix, checkFloatVector, checkNonEmptyMatrix, checkNumber, checkWordIndices, describeValue, domainError } from '../internal/check.js';
import type { Anchor } from '../theory/types.js';
import { checkAnchor, composeDirection, weightSums } from '../theory/transferKernel.js';
import { checkScoringInput, linearScores } from './probeInputs.js';

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
 * The transfer probe of Theorem 1, which needs no fitting:
 *
 *     ŷ(s) = ⟨û, ĥ(s)⟩ + A (c* − ĉ),   û = Σ_{w∈T} a_w (v̂_w − v̂_0),   A = Σ a_w,
 *
 * built from the learned output embeddings `V̂`, the learned model's anchor `(v̂_0, ĉ)` and the
 * ground truth's anchor intercept `c*`. Theorem 1 bounds its error by the excess pre-training loss
 * and the two anchors' residuals. For a contrast task (`|A| ≤ 1e-12·‖a‖₁`) the anchors may be
 * `null`: the probe is then `⟨Σ a_w v̂_w, ĥ⟩`, with no anchor at all.
 *
 * @param learnerV - the learned output embeddings `V̂` (`n × d'`).
 * @param anchorHat - the learned model's anchor on the bulk (`null` only for a contrast task).
 * @param anchorStar - the ground truth's anchor on the bulk (only its intercept is used; `null` only for a contrast task).
 * @throws DomainError on bad indices, non-finite values, or a missing anchor when `A ≠ 0`.
 * @example
 * ```ts
 * const probe = transferProbe(learner.V(), fitAnchor(learner.V(), Hhat, bulk), fitAnchor(world.V, Hstar, bulk),
 *   Int32Array.of(3), Float64Array.of(1));
 * probe.predict(Hhat); // ≈ ⟨v*_3 − v*_0, h*(s)⟩ when the learner is good
 * ```
 */
export function transferProbe(learnerV: Matrix, anchorHat: Anchor | null, anchorStar: Anchor | null, words: Int32Array, weights: Float64Array): TransferProbe {
  const fn = 'transferProbe';
  checkNonEmptyMatrix(fn, 'learnerV', learnerV);
  checkFiniteMatrix(fn, 'learnerV', learnerV);
  const d = learnerV.cols;
  checkWordIndices(fn, 'words', words, learnerV.rows, { nonEmpty: true, unique: true });
  checkFloatVector(fn, 'weights', weights, words.length, 'one weight per task word');
  checkFiniteArray(fn, 'weights', weights);
  const { sum: A, contrast } = weightSums(weights);
  if (!contrast) {
    if (anchorHat === null || anchorHat === undefined) {
      throw domainError(fn, 'anchorHat', `an anchor { anchor, intercept } (Σ a = ${A} ≠ 0; only a contrast task may omit it)`, describeValue(anchorHat));
    }
    if (anchorStar === null || anchorStar === undefined) {
      throw domainError(fn, 'anchorStar', `an anchor { anchor, intercept } (Σ a = ${A} ≠ 0; only a contrast task may omit it)`, describeValue(anchorStar));
    }
  }
  if (anchorHat !== null && anchorHat !== undefined) checkAnchor(fn, 'anchorHat', anchorHat, d, 'the dimension of learnerV');
  if (anchorStar !== null && anchorStar !== undefined) {
    const o = anchorStar as unknown;
    if (o === null || typeof o !== 'object') throw domainError(fn, 'anchorStar', 'an anchor { anchor, intercept }', describeValue(o));
    checkNumber(fn, 'anchorStar.intercept', anchorStar.intercept);
  }
  const withAnchor = !contrast && anchorHat && anchorStar;
  const u = composeDirection(learnerV, words, weights, withAnchor ? anchorHat : null, A);
  const bias = withAnchor ? A * (anchorStar.intercept - anchorHat.intercept) : 0;
  return {
    u,
    bias,
    predict(H: Matrix): Float64Array {
      checkScoringInput('TransferProbe.predict', H, d);
      return linearScores(H, u, bias);
    },
  };
}
