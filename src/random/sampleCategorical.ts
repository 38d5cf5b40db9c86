/** Draw one index from the categorical distribution `softmax(logits)`. */
import type { FloatArray } from '../core/matrix.js';
import { checkFloatVector, domainError, describeValue, shapeError } from '../core/check.js';
import type { Rng } from './createRng.js';

// Math functions are bound once at module scope: under jest every lookup of the global `Math` in a
// hot loop goes through the test sandbox's global object and costs ~0.4 µs (measured: 1e6 calls of
// Math.exp took 480 ms in a test against 16 ms through a module-scope alias); in plain Node the
// alias costs nothing.
const { exp } = Math;

/**
 * Draw one index `w` with probability `softmax(logits)_w`.
 *
 * Inverse CDF on max-shifted weights: with `c = max logits`, the weights `exp(logits_w − c)` lie in
 * `[0, 1]` and the largest is exactly 1, so their float64 sum `S ∈ [1, n]` never overflows or
 * underflows and no probability is ever logged. One `rng.next()` draw `u` picks the first `w` whose
 * running weight sum exceeds `u·S`. A word whose weight underflows to 0 (logit more than ≈745 below
 * the max, so true probability below 1e-323) is never drawn. Two passes over `logits`, no allocation.
 *
 * @param logits - a non-empty `Float64Array` or `Float32Array` of finite logits.
 * @param rng - a stream from `createRng`; exactly one `rng.next()` is consumed per call.
 * @returns an index in `[0, logits.length)`.
 * @throws DomainError when `logits` is not a float array or holds a non-finite value, or `rng` is
 *   not an `Rng`.
 * @throws ShapeError when `logits` is empty.
 * @example
 * ```ts
 * const rng = createRng(1);
 * sampleCategorical(Float64Array.of(0, Math.log(3)), rng); // 1 with probability 3/4
 * ```
 */
export function sampleCategorical(logits: FloatArray, rng: Rng): number {
  const fn = 'sampleCategorical';
  checkFloatVector(fn, 'logits', logits);
  const n = logits.length;
  if (n === 0) throw shapeError(fn, 'logits', 'a non-empty vector', 'an empty array');
  if (rng === null || typeof rng !== 'object' || typeof (rng as { next?: unknown }).next !== 'function') {
    throw domainError(fn, 'rng', 'an Rng from createRng', describeValue(rng));
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const z = logits[i];
    // `z - z` is NaN for NaN and ±Infinity, 0 otherwise: one test catches every non-finite value.
    if (z - z !== 0) throw domainError(fn, 'logits', 'finite everywhere', `${describeValue(z)} at [${i}]`);
    if (z > max) max = z;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += exp(logits[i] - max);
  const target = rng.next() * total;
  // Same summation order as `total`, so the running sum reaches `total` exactly at the end and the
  // loop returns for every `target < total`.
  let acc = 0;
  let lastPositive = 0;
  for (let i = 0; i < n; i++) {
    const w = exp(logits[i] - max);
    if (w > 0) {
      acc += w;
      lastPositive = i;
      if (acc > target) return i;
    }
  }
  // Reached only when `u·S` rounds up to `S`; the last word with positive weight is the right one.
  return lastPositive;
}
