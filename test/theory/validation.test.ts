/**
 * Every documented throw of the theory functions, with its class and its whole message (the
 * property tests cover the values; this file covers the refusals).
 */
import {
  transferErrorDecomposition,
  certifiedTransferBound,
  transferBound,
  rareWordConstruction,
  invisibleDirectionConstruction,
  gaussLegendre,
  gaussHermite,
  bestPredictorError,
  binaryKl,
  binaryKlLogRatioBound,
  binaryKlLogRatioBoundFromLogProb,
  logStabilityBound,
  pinskerBound,
} from '../../src/theory/index.js';
import type { TransferInstance } from '../../src/theory/index.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { fromRows } from '../../src/core/matrix.js';
import { expectThrow } from '../model/expectThrow.js';

const V = fromRows([
  [1, 0],
  [0, 1],
  [0.3, 0.2],
  [-1, 0.5],
]);
const H = fromRows([
  [0, 1],
  [1, 0],
  [2, 1],
]);
const anchor = { anchor: Float64Array.of(0, 0), intercept: 0 };
const inst: TransferInstance = {
  truth: { V, H },
  learned: { V, H },
  words: Int32Array.of(0),
  coefficients: Float64Array.of(1),
  bulk: Int32Array.of(1, 2, 3),
  anchorStar: anchor,
  anchorHat: anchor,
};
// Finite entries whose product overflows a double: the logit of word 0 at context 0 is 1e400.
const overflowV = fromRows([
  [1e200, 0],
  [0, 1],
  [0, 0],
  [0, 0],
]);
const overflowH = fromRows([
  [1e200, 0],
  [1, 0],
  [2, 1],
]);
const params = { aL1: 1, aSum: 1, epsilon: 1, gamma: 0.5, M: 1, anchorMseHat: 0, anchorMseStar: 0 };

type Row = [string, () => unknown, abstract new (...args: never[]) => Error, string];
const rows: Row[] = [
  ['pinskerBound: negative κ', () => pinskerBound(-1), DomainError, "pinskerBound: argument 'kl' must be a finite number ≥ 0; got -1"],
  ['logStabilityBound: negative t', () => logStabilityBound(0.5, -0.1), DomainError, "logStabilityBound: argument 'tv' must be a finite number ≥ 0; got -0.1"],
  ['logStabilityBound: t ≥ γ', () => logStabilityBound(0.2, 0.3), DomainError, "logStabilityBound: argument 'tv' must be below gamma = 0.2 (Lemma 2 needs t < γ); got 0.3"],
  ['logStabilityBound: γ = 0', () => logStabilityBound(0, 0), DomainError, "logStabilityBound: argument 'gamma' must be a finite number in (0, 1]; got 0"],
  ['binaryKl: p < 0', () => binaryKl(-0.1, 0.5), DomainError, "binaryKl: argument 'p' must be a finite number in [0, 1]; got -0.1"],
  ['binaryKl: q > 1', () => binaryKl(0.5, 2), DomainError, "binaryKl: argument 'q' must be a finite number in [0, 1]; got 2"],
  ['binaryKlLogRatioBound: p > 1', () => binaryKlLogRatioBound(1.5, 0.1), DomainError, "binaryKlLogRatioBound: argument 'p' must be a finite number in [0, 1]; got 1.5"],
  ['binaryKlLogRatioBound: κ = ∞', () => binaryKlLogRatioBound(0.5, Infinity), DomainError, "binaryKlLogRatioBound: argument 'kl' must be a finite number ≥ 0; got Infinity"],
  ['binaryKlLogRatioBoundFromLogProb: log p > 0', () => binaryKlLogRatioBoundFromLogProb(0.1, 0.1), DomainError, "binaryKlLogRatioBoundFromLogProb: argument 'logP' must be a finite number ≤ 0; got 0.1"],
  ['binaryKlLogRatioBoundFromLogProb: NaN', () => binaryKlLogRatioBoundFromLogProb(NaN, 1), DomainError, "binaryKlLogRatioBoundFromLogProb: argument 'logP' must be a finite number ≤ 0; got NaN"],
  ['binaryKlLogRatioBoundFromLogProb: κ < 0', () => binaryKlLogRatioBoundFromLogProb(-1, -1), DomainError, "binaryKlLogRatioBoundFromLogProb: argument 'kl' must be a finite number ≥ 0; got -1"],
  ['transferErrorDecomposition: no instance', () => transferErrorDecomposition(null as never), DomainError, "transferErrorDecomposition: argument 'instance' must be an object { truth, learned, words, coefficients, bulk, anchorStar, anchorHat, weights? }; got null"],
  ['transferErrorDecomposition: V̂ rows', () => transferErrorDecomposition({ ...inst, learned: { V: fromRows([[1, 0]]), H } }), ShapeError, "transferErrorDecomposition: argument 'instance.learned.V' must be a matrix with 4 rows (one per word, as instance.truth.V); got a 1×2 matrix"],
  ['transferErrorDecomposition: Ĥ rows', () => transferErrorDecomposition({ ...inst, learned: { V, H: fromRows([[1, 0]]) } }), ShapeError, "transferErrorDecomposition: argument 'instance.learned.H' must be a matrix with 3 rows (the same contexts as instance.truth.H); got a 1×2 matrix"],
  ['transferErrorDecomposition: H* width', () => transferErrorDecomposition({ ...inst, truth: { V, H: fromRows([[1], [2], [3]]) } }), ShapeError, "transferErrorDecomposition: argument 'instance.truth.H' must be a matrix with 2 columns (instance.truth.V.cols); got a 3×1 matrix"],
  ['transferErrorDecomposition: coefficients length', () => transferErrorDecomposition({ ...inst, coefficients: Float64Array.of(1, 2) }), ShapeError, "transferErrorDecomposition: argument 'instance.coefficients' must be of length 1 (one coefficient per task word); got length 2"],
  ['transferErrorDecomposition: T ∩ B ≠ ∅', () => transferErrorDecomposition({ ...inst, bulk: Int32Array.of(0, 1) }), DomainError, "transferErrorDecomposition: argument 'instance.bulk' must be disjoint from instance.words (Theorem 1 needs T ∩ B = ∅); got word 0 in both"],
  ['transferErrorDecomposition: missing anchor, A ≠ 0', () => transferErrorDecomposition({ ...inst, anchorHat: null }), DomainError, "transferErrorDecomposition: argument 'instance.anchorHat' must be an anchor { anchor, intercept } (only a contrast task, |Σ a| ≤ 1e-12·‖a‖₁, may omit anchors); got null with Σ a = 1"],
  ['transferErrorDecomposition: anchor length', () => transferErrorDecomposition({ ...inst, anchorHat: { anchor: Float64Array.of(1), intercept: 0 } }), ShapeError, "transferErrorDecomposition: argument 'instance.anchorHat.anchor' must be of length 2 (the representation dimension); got length 1"],
  ['transferErrorDecomposition: negative context weight', () => transferErrorDecomposition({ ...inst, weights: Float64Array.of(1, -1, 1) }), DomainError, "transferErrorDecomposition: argument 'instance.weights' must be finite and ≥ 0; got -1 at [1]"],
  ['transferErrorDecomposition: zero context weights', () => transferErrorDecomposition({ ...inst, weights: new Float64Array(3) }), DomainError, "transferErrorDecomposition: argument 'instance.weights' must be weights with a positive sum; got sum 0"],
  ['transferErrorDecomposition: old field contextWeights (renamed weights)', () => transferErrorDecomposition({ ...inst, contextWeights: Float64Array.of(1, 1, 1) } as never), DomainError, "transferErrorDecomposition: argument 'instance.contextWeights' must be absent: the context weights are now instance.weights (and the task coefficients instance.coefficients); got a contextWeights field"],
  ['transferErrorDecomposition: old field weights for the task (renamed coefficients)', () => transferErrorDecomposition({ ...inst, coefficients: undefined, weights: Float64Array.of(1) } as never), DomainError, "transferErrorDecomposition: argument 'instance.coefficients' must be the task coefficients (renamed from instance.weights, which now holds optional context weights); got undefined, with a weights field of one entry per task word"],
  ['transferErrorDecomposition: γ > 1', () => transferErrorDecomposition(inst, { gamma: 2 }), DomainError, "transferErrorDecomposition: argument 'opts.gamma' must be a finite number in (0, 1]; got 2"],
  [
    'transferErrorDecomposition: overflowing logit',
    () => transferErrorDecomposition({ ...inst, truth: { V: overflowV, H: overflowH } }),
    NumericalError,
    'transferErrorDecomposition: the logits of context 0 are not finite (log Z* = Infinity, log Ẑ = 1.885311415961163); some |⟨v_w, h(s)⟩| overflows a double, so rescale V or H',
  ],
  ['certifiedTransferBound: no instance', () => certifiedTransferBound(undefined as never), DomainError, "certifiedTransferBound: argument 'instance' must be an object { truth, learned, words, coefficients, bulk, anchorStar, anchorHat, weights? }; got undefined"],
  ['certifiedTransferBound: overflowing logit', () => certifiedTransferBound({ ...inst, learned: { V: overflowV, H: overflowH } }), NumericalError, 'certifiedTransferBound: the logits of context 0 are not finite'],
  ['transferBound: no params', () => transferBound(null as never), DomainError, "transferBound: argument 'params' must be an object { aL1, aSum, epsilon, gamma, M, anchorMseHat, anchorMseStar }; got null"],
  ['transferBound: |A| > ‖a‖₁', () => transferBound({ ...params, aSum: 2 }), DomainError, "transferBound: argument 'params.aSum' must be at most aL1 = 1 in absolute value (|Σ a| ≤ Σ |a|); got 2"],
  ['transferBound: ε < 0', () => transferBound({ ...params, epsilon: -1 }), DomainError, "transferBound: argument 'params.epsilon' must be a finite number ≥ 0; got -1"],
  ['transferBound: γ > 1', () => transferBound({ ...params, gamma: 1.5 }), DomainError, "transferBound: argument 'params.gamma' must be a finite number in [0, 1]; got 1.5"],
  ['transferBound: M NaN', () => transferBound({ ...params, M: NaN }), DomainError, "transferBound: argument 'params.M' must be a finite number ≥ 0; got NaN"],
  ['transferBound: negative anchor MSE', () => transferBound({ ...params, anchorMseHat: -1 }), DomainError, "transferBound: argument 'params.anchorMseHat' must be a finite number ≥ 0; got -1"],
  ['rareWordConstruction: L < 0', () => rareWordConstruction(-1), DomainError, "rareWordConstruction: argument 'L' must be a finite number ≥ 0; got -1"],
  ['rareWordConstruction: 1 node', () => rareWordConstruction(1, { nodes: 1 }), DomainError, "rareWordConstruction: argument 'opts.nodes' must be an integer in [2, 200]; got 1"],
  ['rareWordConstruction: no top words', () => rareWordConstruction(1, { topAlphas: [] }), DomainError, "rareWordConstruction: argument 'opts.topAlphas' must be a non-empty array of numbers; got an array of length 0"],
  ['rareWordConstruction: NaN α', () => rareWordConstruction(1, { topAlphas: [0, NaN] }), DomainError, "rareWordConstruction: argument 'opts.topAlphas[1]' must be a finite number; got NaN"],
  ['rareWordConstruction: max α < 0', () => rareWordConstruction(1, { topAlphas: [-1, -2] }), DomainError, "rareWordConstruction: argument 'opts.topAlphas' must be values with max α ≥ 0 (so that p̂(r|s) ≤ e^{−L}); got max -1"],
  ['rareWordConstruction: overflowing α', () => rareWordConstruction(1, { topAlphas: [1e308] }), NumericalError, 'rareWordConstruction: the logits of context'],
  ['invisibleDirectionConstruction: options', () => invisibleDirectionConstruction(3 as never), DomainError, "invisibleDirectionConstruction: argument 'opts' must be an options object or undefined; got 3"],
  ['invisibleDirectionConstruction: variant', () => invisibleDirectionConstruction({ variant: 'x' as never }), DomainError, "invisibleDirectionConstruction: argument 'opts.variant' must be one of 'replace', 'additive'; got \"x\""],
  ['invisibleDirectionConstruction: σ = 0', () => invisibleDirectionConstruction({ sigma: 0 }), DomainError, "invisibleDirectionConstruction: argument 'opts.sigma' must be a finite number > 0; got 0"],
  ['invisibleDirectionConstruction: 61 nodes', () => invisibleDirectionConstruction({ nodes: 61 }), DomainError, "invisibleDirectionConstruction: argument 'opts.nodes' must be an integer in [2, 60]; got 61"],
  ['invisibleDirectionConstruction: one word', () => invisibleDirectionConstruction({ alphas: [1] }), DomainError, "invisibleDirectionConstruction: argument 'opts.alphas' must be an array of at least two numbers; got an array of length 1"],
  ['gaussLegendre: k = 201', () => gaussLegendre(201), DomainError, "gaussLegendre: argument 'k' must be an integer in [1, 200]; got 201"],
  ['gaussLegendre: a NaN', () => gaussLegendre(3, NaN, 1), DomainError, "gaussLegendre: argument 'a' must be a finite number; got NaN"],
  ['gaussLegendre: b ≤ a', () => gaussLegendre(3, 1, 1), DomainError, "gaussLegendre: argument 'b' must be greater than a = 1; got 1"],
  ['gaussHermite: k = 0', () => gaussHermite(0), DomainError, "gaussHermite: argument 'k' must be an integer ≥ 1; got 0"],
  ['gaussHermite: σ < 0', () => gaussHermite(3, -1), DomainError, "gaussHermite: argument 'sigma' must be a finite number > 0; got -1"],
  ['bestPredictorError: no rows', () => bestPredictorError(fromRows([]), new Float64Array(0)), ShapeError, "bestPredictorError: argument 'H' must be a matrix with at least one row; got a 0-row matrix"],
  ['bestPredictorError: NaN in H', () => bestPredictorError(fromRows([[NaN]]), Float64Array.of(1)), DomainError, "bestPredictorError: argument 'H' must be finite everywhere; got NaN at (0, 0)"],
  ['bestPredictorError: y length', () => bestPredictorError(fromRows([[0]]), Float64Array.of(1, 2)), ShapeError, "bestPredictorError: argument 'y' must be of length 1 (one target per row of H); got length 2"],
  ['bestPredictorError: negative weight', () => bestPredictorError(fromRows([[0]]), Float64Array.of(1), Float64Array.of(-1)), DomainError, "bestPredictorError: argument 'weights' must be finite and ≥ 0; got -1 at [0]"],
  ['bestPredictorError: zero weights', () => bestPredictorError(fromRows([[0]]), Float64Array.of(1), Float64Array.of(0)), DomainError, "bestPredictorError: argument 'weights' must be weights with a positive sum; got sum 0"],
];

describe('theory: every documented throw has its class and message', () => {
  it.each(rows)('%s', (_name, f, cls, message) => expectThrow(f, cls, message));
});
