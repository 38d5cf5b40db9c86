/** Shapes shared by the downstream tasks and probes. */
import type { Matrix } from '../core/matrix.js';
import type { Anchor } from './taskAnchor.js';

/** The part of an `Rng` a task needs to draw noise or labels (`createRng(seed)` returns one). */
export interface RandomSource {
  next(): number;
  normal(): number;
}

/**
 * A regression task on the ground-truth representation: `y(s) = ⟨u, h*(s)⟩ + bias (+ noise)`.
 */
export interface Task {
  /** Which constructor made it. */
  readonly kind: 'linear' | 'word' | 'contrast';
  /** The direction `u*` (length `d`). */
  readonly u: Float64Array;
  /** The intercept `b*`. */
  readonly bias: number;
  /** Standard deviation of the Gaussian label noise (0: noiseless). */
  readonly noiseStd: number;
  /**
   * Labels for the contexts whose true representations are the rows of `Hstar` (`m × d`):
   * `⟨u, h*⟩ + bias`, plus `noiseStd · rng.normal()` per context when `noiseStd > 0` (then `rng` is
   * required; the draws are taken in context order).
   */
  labels(Hstar: Matrix, rng?: RandomSource): Float64Array;
}

/** A word-composed task `u* = Σ_{w∈T} a_w (v*_w − v*_0)` (`docs/theory.md#1-definitions`). */
export interface WordTask extends Task {
  readonly kind: 'word' | 'contrast';
  /** The task words `T`. */
  readonly words: Int32Array;
  /** The task-word coefficients `a` (one per task word). */
  readonly coefficients: Float64Array;
  /** The bulk `B` the anchor lives on (empty for a contrast task, which needs none). */
  readonly bulk: Int32Array;
  /** The ground truth's anchor `(v*_0, c*)` on `B`; `null` for a contrast task. */
  readonly anchor: Anchor | null;
  /** `‖a‖₁ = Σ|a_w|`. */
  readonly aL1: number;
  /** `A = Σ a_w` (exactly 0 for a contrast task). */
  readonly aSum: number;
}
