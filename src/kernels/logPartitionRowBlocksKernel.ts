/**
 * Unchecked kernel: the online log-sum-exp over blocks of logits that `logPartitionBlocks`
 * (src/softmax/logPartitionBlocks.ts) and every backend run, one implementation for all of them.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import type { gemmKernel } from './gemmKernel.js';

// Math functions are bound once at module scope: under jest every lookup of the global `Math` in a
// hot loop goes through the test sandbox's global object and costs ~0.4 µs (measured: 1e6 calls of
// Math.exp took 480 ms in a test against 16 ms through a module-scope alias); in plain Node the
// alias costs nothing.
const { exp, min } = Math;

/** Default number of contexts per logits block. */
export const LOG_PARTITION_BLOCK_ROWS = 64;
/** Default number of words per chunk. */
export const LOG_PARTITION_BLOCK_WORDS = 1024;
/**
 * One chunk of `logPartitionBlocks` for the contexts `[r0, r1)`: in blocks of `mb` rows starting at
 * `r0`, the block of logits `H[i0 .. i0+ni) · B[0 .. nw)ᵀ` (`B` from `bOff`, row stride `d`) is formed
 * in `z` by `gemmFn` and folded into the running maxima and sums (`runMax[i]`, `runSum[i]`, indexed
 * by context). The threaded `'js'` backend (src/backend/jsLogPartition.ts) runs this same function
 * on each thread's contexts, with `r0` a multiple of `mb`, so that every block and hence every
 * result is bitwise the one-thread one.
 *
 * @returns `-1`, or the first context in `[r0, r1)` whose logits were not finite.
 * @example
 * ```ts
 * const runMax = Float64Array.of(-Infinity), runSum = new Float64Array(1);
 * logPartitionRowBlocks(gemmKernel, Float64Array.of(0, 0), 0, 1, 2, Float64Array.of(1, 0, 0, 1), 0, 2, new Float64Array(2), 64, runMax, runSum);
 * // -1; runMax = [0], runSum = [2]
 * ```
 * @internal
 */
export function logPartitionRowBlocks(
  gemmFn: typeof gemmKernel,
  hData: FloatArray,
  r0: number,
  r1: number,
  d: number,
  b: FloatArray,
  bOff: number,
  nw: number,
  z: FloatArray,
  mb: number,
  runMax: Float64Array,
  runSum: Float64Array,
): number {
  for (let i0 = r0; i0 < r1; i0 += mb) {
    const ni = min(mb, r1 - i0);
    // Form: z[r][k] = ⟨h_{i0+r}, v_{chunk word k}⟩, a ni × nw block with row stride nw.
    gemmFn(false, true, ni, nw, d, 1, hData, i0 * d, d, b, bOff, d, 0, z, 0, nw);
    for (let r = 0; r < ni; r++) {
      const o = r * nw;
      let c = -Infinity;
      for (let k = 0; k < nw; k++) {
        const v = z[o + k];
        // Finite inputs can still overflow in the product; `v - v` is NaN exactly for ±∞ and NaN.
        if (v - v !== 0) return i0 + r;
        if (v > c) c = v;
      }
      const i = i0 + r;
      let M = runMax[i];
      let S = runSum[i];
      if (c > M) {
        // Rescale the old sum to the new maximum; on the first chunk M = −∞ and S = 0, so S stays 0.
        S *= exp(M - c);
        M = c;
      }
      for (let k = 0; k < nw; k++) S += exp(z[o + k] - M);
      runMax[i] = M;
      runSum[i] = S;
    }
  }
  return -1;
}
