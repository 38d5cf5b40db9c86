/**
 * Unchecked row kernels of `klDivergenceRows` and `totalVariationRows`. Both work from the stable
 * log-softmax of each row (`log p_j = z_j − LSE(z)`), so no log is ever taken of an underflowed
 * probability. Sums are float64.
 *
 * Preconditions (the caller checks): finite logits, `n ≥ 1`.
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';
import { rowLogSumExp } from '../softmax/softmaxKernel.js';

// Math functions are bound once at module scope: under jest every lookup of the global `Math` in a
// hot loop goes through the test sandbox's global object and costs ~0.4 µs (measured: 1e6 calls of
// Math.exp took 480 ms in a test against 16 ms through a module-scope alias); in plain Node the
// alias costs nothing.
const { exp, abs } = Math;

/**
 * `KL(p‖q) = Σ_j p_j (log p_j − log q_j)` for one row, with `p_j = exp(log p_j)`. Terms whose `p_j`
 * underflows to 0 contribute 0 (their true contribution is below ~1e-320 times a finite log-ratio).
 * The exact value is ≥ 0; rounding can make the computed sum slightly negative when `p ≈ q`
 * (about `n·2^-53·max|log p − log q|`), so negative results are clamped to 0. The clamp only ever
 * hides rounding: `Σ p (log p − log q)` is a convex combination of log-ratios with a non-negative
 * exact value.
 *
 * @example
 * ```ts
 * rowKlDivergence(Float64Array.of(0, 0), 0, Float64Array.of(0, Math.log(3)), 0, 2); // ≈ 0.1438
 * ```
 */
export function rowKlDivergence(zp: FloatArray, pOff: number, zq: FloatArray, qOff: number, n: number): number {
  const lseP = rowLogSumExp(zp, pOff, n);
  const lseQ = rowLogSumExp(zq, qOff, n);
  let kl = 0;
  for (let j = 0; j < n; j++) {
    const lp = zp[pOff + j] - lseP;
    const p = exp(lp);
    if (p > 0) kl += p * (lp - (zq[qOff + j] - lseQ));
  }
  return kl > 0 ? kl : 0;
}

/**
 * `TV(p, q) = ½ Σ_j |p_j − q_j|` for one row, from `p_j = exp(z_j − LSE)`. The exact value lies in
 * `[0, 1]`; the computed one is clamped to that interval (rounding can exceed 1 by a few ulps when
 * the supports are disjoint).
 *
 * @example
 * ```ts
 * rowTotalVariation(Float64Array.of(0, 0), 0, Float64Array.of(0, Math.log(3)), 0, 2); // 0.25
 * ```
 */
export function rowTotalVariation(zp: FloatArray, pOff: number, zq: FloatArray, qOff: number, n: number): number {
  const lseP = rowLogSumExp(zp, pOff, n);
  const lseQ = rowLogSumExp(zq, qOff, n);
  let s = 0;
  for (let j = 0; j < n; j++) s += abs(exp(zp[pOff + j] - lseP) - exp(zq[qOff + j] - lseQ));
  const tv = 0.5 * s;
  return tv < 1 ? tv : 1;
}
