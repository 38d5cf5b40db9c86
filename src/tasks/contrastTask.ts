import type { Matrix } from '../core/matrix.js';
import { checkNumber, checkOptions, domainError } from '../core/check.js';
import { CONTRAST_TOLERANCE, composeDirection, weightSums } from './taskDirection.js';
import { asWordIndices, checkWordTaskInputs } from './wordTask.js';
import type { FloatArray } from '../core/matrix.js';
import { taskLabels } from './taskLabelsKernel.js';
import type { RandomSource, WordTask } from './types.js';

/** Options of {@link contrastTask}. */
export interface ContrastTaskOptions {
  /**
   * Label noise standard deviation.
   *
   * @defaultValue 0
   */
  readonly noiseStd?: number;
}

/**
 * A contrast task (`docs/theory.md#1-definitions`): task-word coefficients that sum to zero, `u* = Σ_{w∈T} a_w v*_w`. Because
 * `Σ a_w = 0`, `Σ a_w (v*_w − v_0) = Σ a_w v*_w` for every `v_0`: the task needs no anchor and no
 * bulk, and Theorem 1 gives it a bound with no anchor term (it "transfers with no anchor").
 *
 * The coefficients must satisfy `|Σ a_w| ≤ 1e-12 · Σ |a_w|` (a few ulps of rounding are allowed; anything
 * larger is a task with `A ≠ 0` that needs an anchor).
 *
 * @param words - the task words (distinct; `Int32Array`, or the `BigInt64Array` of an int64 `.npy`).
 * @param coefficients - the task-word coefficients `a`, one per word, summing to 0.
 * @throws DomainError when the coefficients do not sum to 0 within that tolerance, or as {@link wordTask}.
 * @example
 * ```ts
 * const t = contrastTask(world, Int32Array.of(2, 9), Float64Array.of(1, -1)); // log-odds of 2 vs 9
 * t.labels(Hstar); // ⟨v*_2 − v*_9, h*(s)⟩ = log p*(2|s) − log p*(9|s)
 * ```
 */
export function contrastTask(world: { V: Matrix }, words: Int32Array | BigInt64Array, coefficients: FloatArray, opts?: ContrastTaskOptions): WordTask {
  const fn = 'contrastTask';
  words = asWordIndices(fn, 'words', words) as Int32Array;
  const V = checkWordTaskInputs(fn, world, words, coefficients);
  checkOptions(fn, 'opts', opts);
  const noiseStd = opts?.noiseStd ?? 0;
  checkNumber(fn, 'opts.noiseStd', noiseStd, { min: 0 });
  const { l1: aL1, sum: aSum, contrast } = weightSums(coefficients);
  if (!contrast || aL1 === 0) {
    throw domainError(fn, 'coefficients', `non-zero coefficients summing to 0 (|Σ a| ≤ ${CONTRAST_TOLERANCE}·Σ|a|)`, `Σ a = ${aSum}, Σ|a| = ${aL1}`);
  }
  const u = composeDirection(V, words, coefficients, null, 0);
  return {
    kind: 'contrast',
    u,
    bias: 0,
    noiseStd,
    words: Int32Array.from(words),
    coefficients: Float64Array.from(coefficients),
    bulk: new Int32Array(0),
    anchor: null,
    aL1,
    aSum: 0,
    labels: (Hstar: Matrix, rng?: RandomSource) => taskLabels('contrastTask.labels', u, 0, noiseStd, Hstar, rng),
  };
}
