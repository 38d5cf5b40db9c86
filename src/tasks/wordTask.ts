import type { Matrix } from '../core/matrix.js';
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
} from '../core/check.js';
import { checkAnchor, type Anchor } from './taskAnchor.js';
import { composeDirection, weightSums } from './taskDirection.js';
import { fitAnchor } from '../anchor/fitAnchor.js';
import { checkWeights } from '../anchor/fitAnchorKernel.js';
import { taskLabels } from './taskLabelsKernel.js';
import { toInt32IndicesChecked } from '../io/toInt32Indices.js';
import type { FloatArray } from '../core/matrix.js';
import type { RandomSource, WordTask } from './types.js';
import { countOf } from '../core/countOf.js';

/** Options of {@link wordTask}. */
export interface WordTaskOptions {
  /** The ground truth's anchor `(v*_0, c*)` on the bulk, when already known (e.g. from `fitAnchor`). Takes precedence over `contexts`. */
  readonly anchor?: Anchor;
  /** Contexts (`m × d` true representations) on which to fit the anchor with `fitAnchor` when `anchor` is not given. */
  readonly contexts?: Matrix;
  /**
   * Non-negative per-context weights of those contexts, not all zero.
   *
   * @defaultValue all 1
   */
  readonly weights?: Float64Array;
  /**
   * Ridge `λ ≥ 0` on `v*_0` for that fit, as `fitAnchor`'s `ridge` (the fit minimises
   * `Σ μ e² / Σ μ + λ‖v*_0‖²`, the library's convention). When the contexts lie in an affine hyperplane
   * `⟨g, h⟩ = b` (as after a layer norm) the design `[H 1]` is rank-deficient and every
   * `(v*_0 + t g, c* − t b)` fits equally well; `fitAnchor` then returns the minimum-norm one. On
   * such contexts another choice shifts every label by the same constant `−A t b`, which the
   * intercept of any probe absorbs.
   *
   * @defaultValue 0
   */
  readonly ridge?: number;
  /**
   * Label noise standard deviation.
   *
   * @defaultValue 0
   */
  readonly noiseStd?: number;
}

/** Word indices as the task constructors take them: an `Int32Array`, or the `BigInt64Array` `readNpy` gives for int64. */
export function asWordIndices(fn: string, name: string, x: unknown): unknown {
  return x instanceof BigInt64Array ? toInt32IndicesChecked(fn, name, x) : x;
}

/** Validate `world`, `words`, `coefficients` for the task constructors; returns `V`. */
export function checkWordTaskInputs(fn: string, world: unknown, words: unknown, coefficients: unknown): Matrix {
  if (world === null || typeof world !== 'object') throw domainError(fn, 'world', 'an object with a field V (the n × d matrix V*)', describeValue(world));
  const V = (world as { V?: unknown }).V;
  checkNonEmptyMatrix(fn, 'world.V', V);
  checkFiniteMatrix(fn, 'world.V', V);
  checkWordIndices(fn, 'words', words, V.rows, { nonEmpty: true, unique: true });
  checkFloatVector(fn, 'coefficients', coefficients, words.length, 'one coefficient per task word');
  checkFiniteArray(fn, 'coefficients', coefficients);
  return V;
}

/**
 * A word-composed task (`docs/theory.md#1-definitions`): `y(s) = ⟨u*, h*(s)⟩` with `u* = Σ_{w∈T} a_w (v*_w − v*_0)`,
 * where `(v*_0, c*)` is the ground truth's anchor on the bulk `B` (disjoint from `T`). The anchor is
 * taken from `opts.anchor`, or fitted on `opts.contexts` by `fitAnchor` (weighted least squares of
 * `log Z*_B(s)` on `[h*(s) 1]`; minimum-norm when that design is rank-deficient). A task whose
 * coefficients sum to 0 is a contrast task and needs no anchor ({@link contrastTask}).
 *
 * @param world - anything with the ground-truth embeddings `V` (`n × d`), e.g. a `World`.
 * @param words - the task words `T` (distinct, in `[0, n)`; an `Int32Array`, or the `BigInt64Array`
 *   `readNpy` gives for an int64 file).
 * @param coefficients - the task-word coefficients `a`, one per task word.
 * @param bulk - the bulk `B` (distinct, in `[0, n)`, disjoint from `T`; `Int32Array` or `BigInt64Array`).
 * @throws DomainError when an index is out of range or repeated, `B ∩ T ≠ ∅`, a value is not finite,
 *   a context weight (`opts.weights`) is negative (or all are 0), or no anchor can be had (`Σ a ≠ 0` and neither
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
export function wordTask(
  world: { V: Matrix },
  words: Int32Array | BigInt64Array,
  coefficients: FloatArray,
  bulk: Int32Array | BigInt64Array,
  opts?: WordTaskOptions,
): WordTask {
  const fn = 'wordTask';
  words = asWordIndices(fn, 'words', words) as Int32Array;
  bulk = asWordIndices(fn, 'bulk', bulk) as Int32Array;
  const V = checkWordTaskInputs(fn, world, words, coefficients);
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
  const { l1: aL1, sum: aSum, contrast } = weightSums(coefficients);
  let anchor: Anchor | null = null;
  if (opts?.anchor !== undefined) {
    checkAnchor(fn, 'opts.anchor', opts.anchor, d, 'the dimension d of world.V');
    anchor = { anchor: Float64Array.from(opts.anchor.anchor), intercept: opts.anchor.intercept };
  } else if (opts?.contexts !== undefined) {
    const H = opts.contexts;
    checkMatrix(fn, 'opts.contexts', H);
    if (H.cols !== d) throw shapeError(fn, 'opts.contexts', `a matrix with ${countOf(d, 'column')} (the dimension d of world.V)`, shapeOf(H));
    if (H.rows === 0) throw shapeError(fn, 'opts.contexts', 'a matrix with at least one row', shapeOf(H));
    checkFiniteMatrix(fn, 'opts.contexts', H);
    const ridge = opts.ridge ?? 0;
    checkNumber(fn, 'opts.ridge', ridge, { min: 0 });
    if (opts.weights !== undefined) checkWeights(fn, 'opts.weights', opts.weights, H.rows);
    // Everything fitAnchor checks has been checked above in this function's name, so the only error
    // left to it is a NumericalError on an overflowing logit.
    // A contrast task uses no anchor (Σ a_w (v_w − v_0) = Σ a_w v_w), so it is not fitted.
    if (!contrast) {
      const fit = fitAnchor(V, H, bulk, { ridge, weights: opts.weights });
      anchor = { anchor: fit.anchor, intercept: fit.intercept };
    }
  } else if (!contrast) {
    throw domainError(fn, 'opts', `an anchor (opts.anchor) or contexts to fit it on (opts.contexts), since Σ a = ${aSum} ≠ 0`, describeValue(opts));
  }
  const u = composeDirection(V, words, coefficients, contrast ? null : anchor, aSum);
  return {
    kind: contrast ? 'contrast' : 'word',
    u,
    bias: 0,
    noiseStd,
    words: Int32Array.from(words),
    coefficients: Float64Array.from(coefficients),
    bulk: Int32Array.from(bulk),
    anchor: contrast ? null : anchor,
    aL1,
    aSum: contrast ? 0 : aSum,
    labels: (Hstar: Matrix, rng?: RandomSource) => taskLabels('wordTask.labels', u, 0, noiseStd, Hstar, rng),
  };
}
