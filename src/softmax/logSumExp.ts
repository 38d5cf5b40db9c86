/** Stable log-sum-exp of a vector. */
import type { FloatArray } from '../core/matrix.js';
import { checkFloatVector, describeValue, domainError, shapeError } from '../core/check.js';
import { rowLogSumExp } from '../kernels/softmaxKernel.js';

// Bound at module scope: under jest a per-element lookup of the global `Infinity` is as slow as
// one of `Math` (see softmaxKernel.ts).
const NEG_INF = -Infinity;

/**
 * `log Σ_i exp(x_i)`, computed stably: the maximum `c` is subtracted first, so the result is
 * `c + log Σ exp(x_i − c)` with every term in `[0, 1]` (no overflow, no `log 0`), summed in float64.
 *
 * Infinities: `−Infinity` entries are allowed and contribute nothing (they are probability-0
 * words); if every entry is `−Infinity` the result is `−Infinity`, the log of an empty sum, which is
 * the exact answer. `+Infinity` and NaN are rejected: a `+Infinity` logit has no normalised
 * distribution, and a NaN is always an upstream bug that would otherwise spread silently.
 *
 * @param x - a non-empty `Float64Array` or `Float32Array`.
 * @returns the log-sum-exp as a float64 number; `max x ≤ result ≤ max x + log n`.
 * @throws ShapeError when `x` is empty.
 * @throws DomainError when `x` is not a float array, or holds NaN or `+Infinity`.
 * @example
 * ```ts
 * logSumExp(Float64Array.of(0, 0));         // Math.log(2)
 * logSumExp(Float64Array.of(1000, 1000));   // 1000 + Math.log(2), no overflow
 * ```
 */
export function logSumExp(x: FloatArray): number {
  const fn = 'logSumExp';
  checkFloatVector(fn, 'x', x);
  if (x.length === 0) throw shapeError(fn, 'x', 'a non-empty vector (the log of an empty sum is −Infinity)', 'an empty array');
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== NEG_INF && v - v !== 0) {
      throw domainError(fn, 'x', 'free of NaN and +Infinity (−Infinity is allowed)', `${describeValue(v)} at [${i}]`);
    }
  }
  return rowLogSumExp(x, 0, x.length);
}
