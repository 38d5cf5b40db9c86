/**
 * Shared shapes of the theory functions: an anchor, and the pair of models plus the word-composed
 * task that Theorem 1 compares.
 */
import type { Matrix } from '../core/matrix.js';

/** An anchor `(v_0, c)` of a model on a bulk (defined with the tasks, which take it too). */
export type { Anchor } from '../tasks/taskAnchor.js';
import type { Anchor } from '../tasks/taskAnchor.js';

/** A model evaluated on a fixed set of contexts: output embeddings `V` (`n × d`), representations `H` (`m × d`). */
export interface ModelOnContexts {
  readonly V: Matrix;
  readonly H: Matrix;
}

/**
 * Everything Theorem 1 talks about: the ground truth `M* = (V*, h*)` and the learned model
 * `M̂ = (V̂, ĥ)` on the same `m` contexts (row `i` of `truth.H` and of `learned.H` is the same
 * context), the task words `T` with coefficients `a` (`coefficients`), the bulk `B` (disjoint from
 * `T`), and an anchor of each model on `B`. Contexts may carry weights `μ` (`weights`: non-negative,
 * normalised internally; uniform when omitted), the library's vocabulary everywhere: `coefficients`
 * for task words, `weights` for contexts.
 */
export interface TransferInstance {
  readonly truth: ModelOnContexts;
  readonly learned: ModelOnContexts;
  readonly words: Int32Array;
  /** The task coefficients `a_w`, one per entry of `words` (was `weights` before 0.x; see the CHANGELOG). */
  readonly coefficients: Float64Array;
  readonly bulk: Int32Array;
  /** Anchor of `M*` on `B`; may be `null` only for a contrast task (`Σ a = 0`). */
  readonly anchorStar: Anchor | null;
  /** Anchor of `M̂` on `B`; may be `null` only for a contrast task (`Σ a = 0`). */
  readonly anchorHat: Anchor | null;
  /** Context weights `μ`, one per context (was `contextWeights`); uniform when omitted. */
  readonly weights?: Float64Array;
}
