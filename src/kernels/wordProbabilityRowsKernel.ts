/**
 * Unchecked kernel: the row work of the ranking pass on a block of logits, for the TypeScript
 * backends (the WebAssembly backend runs the same two steps in its SIMD kernels).
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { fastExp } from './fastExp.js';
import { rowLogSumExp } from './softmaxKernel.js';

// The library's exp for row kernels (within 2 ulps of Math.exp, about 3× cheaper): rows·n calls.
const exp = fastExp;

/**
 * For the `rows` rows of logits `z` (row `r` at `r·n`, `n` words): `log Z` by the library's row
 * log-sum-exp (`rowLogSumExp`: maximum subtracted, float64 sum), then
 * `sums[w] += μ_r exp(z_w − log Z)` (never a ratio of exponentials), in row order. `μ_r` is
 * `weights[r]` (null: 1); rows of weight 0 add nothing. `log Z` goes to `logZ[r]`
 * when `logZ` is given.
 *
 * @returns `-1`, or the first row `r` whose logits were not finite (the rows before it were added).
 * @example
 * ```ts
 * const sums = new Float64Array(2);
 * wordProbabilityRows(Float64Array.of(0, 0), 1, 2, null, null, sums); // returns -1; sums = [0.5, 0.5]
 * ```
 */
export function wordProbabilityRows(
  z: FloatArray,
  rows: number,
  n: number,
  weights: FloatArray | null,
  logZ: Float64Array | null,
  sums: Float64Array,
): number {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    const lz = rowLogSumExp(z, o, n);
    // A logit that overflowed (±∞, or NaN from ∞ − ∞ in the product) makes the sum non-finite.
    if (lz - lz !== 0) return r;
    if (logZ) logZ[r] = lz;
    const w = weights ? weights[r] : 1;
    if (w === 0) continue;
    for (let k = 0; k < n; k++) sums[k] += w * exp(z[o + k] - lz);
  }
  return -1;
}
