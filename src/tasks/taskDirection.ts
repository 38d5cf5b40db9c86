/**
 * Task-direction helpers shared by the task constructors, the transfer probe and the theorems: the
 * weight sums of a word-composed task, the contrast-task test, and the direction
 * `u = Σ a_w v_w − A v_0`. They live with the tasks (the theorems import them, never the reverse).
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import type { Anchor } from './taskAnchor.js';

const { abs: mAbs } = Math;

/**
 * A task is treated as a contrast task (`A = Σ a_w = 0`, no anchor needed) when
 * `|A| ≤ CONTRAST_TOLERANCE · ‖a‖₁`: float64 sums of weights that cancel exactly in real arithmetic
 * leave a rounding remainder of a few ulps of `‖a‖₁`, far below this.
 */
export const CONTRAST_TOLERANCE = 1e-12;

/**
 * `‖a‖₁ = Σ|a_w|` and `A = Σ a_w` of task weights, and whether the task counts as a contrast task
 * (`|A| ≤ CONTRAST_TOLERANCE·‖a‖₁`). Shared by the task constructors, the transfer probe and the
 * theorems, so that they agree on which tasks need an anchor.
 */
export function weightSums(a: ArrayLike<number>): { l1: number; sum: number; contrast: boolean } {
  let l1 = 0;
  let sum = 0;
  for (let j = 0; j < a.length; j++) {
    l1 += mAbs(a[j]);
    sum += a[j];
  }
  return { l1, sum, contrast: mAbs(sum) <= CONTRAST_TOLERANCE * l1 };
}

/**
 * `u = Σ_{w∈T} a_w (v_w − v_0) = Σ a_w v_w − A v_0` (or `Σ a_w v_w` with no anchor) as a float64
 * vector: the direction of a word-composed task (on `V*`) and of the transfer probe (on `V̂`).
 */
export function composeDirection(V: Matrix, words: Int32Array, a: ArrayLike<number>, anchor: Anchor | null, sum: number): Float64Array {
  const d = V.cols;
  const u = new Float64Array(d);
  for (let j = 0; j < words.length; j++) {
    const off = words[j] * d;
    for (let k = 0; k < d; k++) u[k] += a[j] * V.data[off + k];
  }
  if (anchor !== null) for (let k = 0; k < d; k++) u[k] -= sum * anchor.anchor[k];
  return u;
}

