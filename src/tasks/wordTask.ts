import type { Matrix } from '../matrix/matrix.js';
import {
  checkFiniteArray,
  checkFiniteMatrix,
  checkFloatVector,
  checkMatrix,
  checkNonEmptyMatrix,
  checkNumber,
  checkOptions,
  checkWordIndices,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../internal/check.js';
import type { Anchor } from '../theory/types.js';
import { checkAnchor, composeDirection, weightSums } from '../theory/transferKernel.js';
import { fitAnchor } from '../anchor/fitAnchor.js';
import { checkWeights } from '../anchor/fitAnchorKernel.js';
import { taskLabels } from './taskLabelsKernel.js';
import type { RandomSource, WordTask } from './types.js';

/** Options of {@link wordTask}. */
export interface WordTaskOptions {
  /** The ground truth's anchor `(v*_0, c*)` on the bulk, when already known (e.g. from `fitAnchor`). Takes precedence over `contexts`. */
  readonly anchor?: Anchor;
  /** Contexts (`m × d` true representations) on which to fit the anchor with `fitAnchor` when `anchor` is not given. */
  readonly contexts?: Matrix;
  /** Non-negative weights of those contexts, not all zero (default uniform). */
  readonly contextWeights?: Float64Array;
  /**
   * Ridge penalty `λ ≥ 0` on `v*_0` for that fit, as `fitAnchor`'s `ridge` (the fit minimises
   * `Σ μ e² / Σ μ + λ‖v*_0‖²`). Default 0. When the contexts lie in an affine hyperplane
   * `⟨g, h⟩ = b` (as after a layer norm) the design `[H 1]` is rank-deficient and every
   * `(v*_0 + t g, c* − t b)` fits equally well; `fitAnchor` then returns the minimum-norm one. On
   * such contexts another choice shifts every label by the same constant `−A t b`, which the
   * intercept of any probe absorbs.
   */
  readonly ridge?: number;
  /** Label noise standard deviation (default 0). */
  readonly noiseStd?: number;
}

/** Validate `world`, `words`, `weights`, `bulk` for the task constructors; returns `V`. */
export function checkWordTaskInputs(fn: string, world: unknown, words: unknown, weights: unknown): Matrix {
  if (world === null || typeof world !== 'object') throw domainError(fn, 'world', 'an object with a field V (the n × d matrix V*)', describeValue(world));
  const V = (world as { V?: unknown }).V;
  checkNonEmptyMatrix(fn, 'world.V', V);
  checkFiniteMatrix(fn, 'world.V', V);
  checkWordIndices(fn, 'words', words, V.rows, { nonEmpty: true, unique: true });
  checkFloatVector(fn, 'weights', weights, words.length, 'one weight per task word');
  checkFiniteArray(fn, 'weights', weights);
  return V;
}

/**
 * A word-composed task (docs/theory.md#1-definitions): `y(s) = ⟨u*, h*(s)⟩` with `u* = Σ_{w∈T} a_w (v*_w − v*_0)`,
 * where `(v*_0, c*)` is the ground truth's anchor on the bulk `B` (disjoint from `T`). The anchor is
 * taken from `opts.anchor`, or fitted on `opts.contexts` by `fitAnchor` (weighted least squares of
 * `log Z*_B(s)` on `[h*(s) 1]`; minimum-norm when that design is rank-deficient). A task whose
 * weights sum to 0 is a contrast task and needs no anchor ({@link contrastTask}).
 *
 * @param world - anything with the ground-truth embeddings `V` (`n × d`), e.g. a `World`.
 * @param words - the task words `T` (distinct, in `[0, n)`).
 * @param weights - `a`, one per task word.
 * @param bulk - the bulk `B` (distinct, in `[0, n)`, disjoint from `T`).
 * @throws DomainError when an index is out of range or repeated, `B ∩ T ≠ ∅`, a value is not finite,
 *   a context weight is negative (or all are 0), or no anchor can be had (`Σ a ≠ 0` and neither
 *   `opts.anchor` nor `opts.contexts` is given).
 * @throws ShapeError on a length mismatch.
 * @throws NumericalError (from `fitAnchor`) when a logit `⟨v*_w, h*(s)⟩` overflows.
 * @example
 * ```ts
 * const task = wordTask(world, Int32Array.of(3, 5), Float64Array.of(1, 0.5), bulk, { contexts: Hfit });
 * const y = task.labels(Hstar);   // ⟨u*, h*(s)⟩ per context
 * task.anchor;                    // { anchor: v*_0, intercept: c* }
 * ```
 */
export function wordTask(world: { V: Matrix }, words: Int32Array, weights: Float64Array, bulk: Int32Array, opts?: WordTaskOptions): WordTask {
  const fn = 'wordTask';
  const V = checkWordTaskInputs(fn, world, words, weights);
  const n = V.rows;
  const d = V.cols;
  checkWordIndices(fn, 'bulk', bulk, n, { nonEmpty: true, unique: true });
  const inT = new Uint8Array(n);
  for (let j = 0; j < words.length; j++) inT[words[j]] = 1;
  for (let j = 0; j < bulk.length; j++) {
    if (inT[bulk[j]]) throw domainError(fn, 'bulk', 'disjoint from words (Theorem 1 needs T ∩ B = ∅)', `word ${bulk[j]} in both`);
  }
  checkOptions(fn, 'opts', opts);
  const noiseStd = opts?.noiseStd ?? 0;
  checkNumber(fn, 'opts.noiseStd', noiseStd, { min: 0 });
  const { l1: aL1, sum: aSum, contrast } = weightSums(weights);
  let anchor: Anchor | null = null;
  if (opts?.anchor !== undefined) {
    checkAnchor(fn, 'opts.anchor', opts.anchor, d, 'the dimension d of world.V');
    anchor = { anchor: Float64Array.from(opts.anchor.anchor), intercept: opts.anchor.intercept };
  } else if (opts?.contexts !== undefined) {
    const H = opts.contexts;
    checkMatrix(fn, 'opts.contexts', H);
    if (H.cols !== d) throw shapeError(fn, 'opts.contexts', `a matrix with ${d} columns (the dimension d of world.V)`, shapeOf(H));
    if (H.rows === 0) throw shapeError(fn, 'opts.contexts', 'a matrix with at least one row', shapeOf(H));
    checkFiniteMatrix(fn, 'opts.contexts', H);
    const ridge = opts.ridge ?? 0;
    checkNumber(fn, 'opts.ridge', ridge, { min: 0 });
    if (opts.contextWeights !== undefined) checkWeights(fn, 'opts.contextWeights', opts.contextWeights, H.rows);
    // Everything fitAnchor checks has been checked above in this function's name, so the only error
    // left to it is a NumericalError on an overflowing logit.
    // A contrast task uses no anchor (Σ a_w (v_w − v_0) = Σ a_w v_w), so it is not fitted.
    if (!contrast) {
      const fit = fitAnchor(V, H, bulk, { ridge, weights: opts.contextWeights });
      anchor = { anchor: fit.anchor, intercept: fit.intercept };
    }
  } else if (!contrast) {
    throw domainError(fn, 'opts', `an anchor (opts.anchor) or contexts to fit it on (opts.contexts), since Σ a = ${aSum} ≠ 0`, describeValue(opts));
  }
  const u = composeDirection(V, words, weights, contrast ? null : anchor, aSum);
  return {
    kind: contrast ? 'contrast' : 'word',
    u,
    bias: 0,
    noiseStd,
    words: Int32Array.from(words),
    weights: Float64Array.from(weights),
    bulk: Int32Array.from(bulk),
    anchor: contrast ? null : anchor,
    aL1,
    aSum: contrast ? 0 : aSum,
    labels: (Hstar: Matrix, rng?: RandomSource) => taskLabels('wordTask.labels', u, 0, noiseStd, Hstar, rng),
  };
}
