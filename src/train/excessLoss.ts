/** The exact excess pre-training loss `ε = E_s KL(p*(·|s) ‖ p̂(·|s))` (docs/theory.md#2-pre-training-loss-and-its-gradient). */
import type { Matrix } from '../core/matrix.js';
import { NumericalError } from '../core/errors.js';
import {
  checkFiniteArray,
  checkFiniteMatrix,
  checkFloatVector,
  checkMatrix,
  checkNonEmptyMatrix,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../core/check.js';
import { gemm } from '../linalg/gemm.js';
import { klDivergenceRows } from '../loss/index.js';
import { Learner } from './Learner.js';
import { countOf } from '../core/countOf.js';

/** The ground truth side of `excessLoss`: anything with `V*` (a `World` qualifies). */
export interface TruthModel {
  /** True output embeddings `V*`, `n × d`. */
  readonly V: Matrix;
}

/** Contexts at which `ε` is evaluated: features for the learner, true representations for `p*`. */
export interface ExcessLossContexts {
  /** Observed features, `m × learner.featureDim`. */
  readonly X: Matrix;
  /** True representations `h*(s)`, `m × d*`. */
  readonly H: Matrix;
  /** Optional context weights `μ_i ≥ 0` (normalised to sum 1); uniform by default. */
  readonly weights?: Float64Array;
}

/** Contexts per block: two `BLOCK × n` logit blocks are the only large temporaries. */
const BLOCK = 128;

/**
 * The exact excess loss `ε = Σ_i μ_i KL(p*(·|s_i) ‖ p̂(·|s_i))` over the given contexts, with
 * `p* = softmax(V* h*(s))` and `p̂ = softmax(V̂ ĥ(x(s)))`.
 *
 * Computed in blocks of 128 contexts: both blocks of logits come from `gemm`, and each row's KL from
 * `klDivergenceRows`, which works from stable log-softmaxes (never the log of an underflowed
 * probability). Memory stays `O(128·n)` whatever `m` is. Weights `μ` are normalised by their sum,
 * so passing counts is fine. The result is a float64 reduction, ≥ 0.
 *
 * @param world - the ground truth (a `World`, or any `{ V }` with `V*` of shape `n × d*`).
 * @param learner - the learned model; `learner.n` must equal `n`.
 * @param contexts - `{ X, H, weights? }` with the same number of rows `m ≥ 1`.
 * @returns `ε`, in nats.
 * @throws ShapeError when sizes disagree (`X.cols ≠ learner.featureDim`, `H.cols ≠ V*.cols`, row
 *   counts, vocabulary sizes, weight length).
 * @throws DomainError when an input is not of the right kind, holds a non-finite value, or the
 *   weights are negative or sum to 0.
 * @throws NumericalError when the learner's logits overflow.
 * @example
 * ```ts
 * const world = generateWorld({ preset: 'tiny' });
 * const learner = createLearner({ world });
 * const ctx = world.sampleContexts(500, createRng(1));
 * excessLoss(world, learner, ctx); // ≈ log n − E H(p*) at initialisation
 * ```
 */
export function excessLoss(world: TruthModel, learner: Learner, contexts: ExcessLossContexts): number {
  const fn = 'excessLoss';
  if (world === null || typeof world !== 'object') throw domainError(fn, 'world', 'a World (or an object with V*)', describeValue(world));
  checkNonEmptyMatrix(fn, 'world.V', world.V);
  if (!(learner instanceof Learner)) throw domainError(fn, 'learner', 'a Learner from createLearner', describeValue(learner));
  if (contexts === null || typeof contexts !== 'object') throw domainError(fn, 'contexts', 'an object { X, H, weights? }', describeValue(contexts));
  const { X, H, weights } = contexts;
  if (learner.n !== world.V.rows) throw shapeError(fn, 'learner', `a learner over n = ${world.V.rows} words (world.V.rows)`, `n = ${learner.n}`);
  checkNonEmptyMatrix(fn, 'contexts.X', X);
  learner.checkX(fn, X, 'contexts.X');
  checkMatrix(fn, 'contexts.H', H);
  if (H.cols !== world.V.cols) throw shapeError(fn, 'contexts.H', `a matrix with ${countOf(world.V.cols, 'column')} (world.V.cols)`, shapeOf(H));
  if (H.rows !== X.rows) throw shapeError(fn, 'contexts.H', `a matrix with ${countOf(X.rows, 'row')} (contexts.X.rows)`, shapeOf(H));
  checkFiniteMatrix(fn, 'contexts.H', H);
  checkFiniteMatrix(fn, 'world.V', world.V);
  if (weights !== undefined) checkContextWeights(fn, 'contexts.weights', weights, X.rows);
  return excessLossUnchecked(fn, world.V, learner, X, H, weights ?? null);
}

/**
 * Check context weights: a Float64Array of length `m`, finite, non-negative, positive sum.
 *
 * @internal
 */
export function checkContextWeights(fn: string, name: string, w: unknown, m: number): asserts w is Float64Array {
  if (!(w instanceof Float64Array)) throw domainError(fn, name, 'a Float64Array of context weights', describeValue(w));
  checkFloatVector(fn, name, w, m, 'one weight per context');
  checkFiniteArray(fn, name, w);
  let s = 0;
  for (let i = 0; i < m; i++) {
    if (w[i] < 0) throw domainError(fn, name, 'non-negative', `${w[i]} at [${i}]`);
    s += w[i];
  }
  if (!(s > 0)) throw domainError(fn, name, 'weights with a positive sum', 'a sum of 0');
}

/** @internal The body of `excessLoss`, also used by `train` for its periodic evaluations. */
export function excessLossUnchecked(fn: string, Vstar: Matrix, learner: Learner, X: Matrix, H: Matrix, weights: Float64Array | null): number {
  const m = X.rows;
  const n = Vstar.rows;
  const dStar = Vstar.cols;
  const b0 = Math.min(BLOCK, m);
  const zStar = new Float64Array(b0 * n);
  const zHat = new Float64Array(b0 * n);
  let total = 0;
  let wsum = 0;
  for (let i0 = 0; i0 < m; i0 += b0) {
    const b = Math.min(b0, m - i0);
    gemm(false, true, b, n, dStar, 1, H.data, i0 * dStar, dStar, Vstar.data, 0, dStar, 0, zStar, 0, n);
    const Xb: Matrix = { rows: b, cols: X.cols, data: X.data.subarray(i0 * X.cols, (i0 + b) * X.cols) };
    learner.forwardBlocks(Xb, null, zHat);
    for (let t = 0; t < b * n; t++) {
      if (zHat[t] - zHat[t] !== 0) {
        throw new NumericalError(`${fn}: the learner's logits must be finite; got ${describeValue(zHat[t])} for context ${i0 + Math.floor(t / n)} (the parameters are too large)`);
      }
    }
    const kl = klDivergenceRows({ rows: b, cols: n, data: zStar.subarray(0, b * n) }, { rows: b, cols: n, data: zHat.subarray(0, b * n) });
    for (let r = 0; r < b; r++) {
      const w = weights === null ? 1 : weights[i0 + r];
      total += w * kl[r];
      wsum += w;
    }
  }
  return total / wsum;
}
