/**
 * Copying blocks of user buffers into and out of the shared heap.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';

/**
 * Copy a `rows × cols` block with row stride `srcLd` from `src` (starting at `srcOff`) into `dst`
 * at `dstOff` with row stride `dstLd`. `TypedArray.set` does the work (a memcpy when the element
 * types match, a converting copy otherwise); a contiguous block is one call.
 *
 * @example
 * ```ts
 * const dst = new Float32Array(4);
 * copyBlock(Float64Array.of(1, 2, 9, 3, 4, 9), 0, 3, 2, 2, dst, 0, 2); // dst = [1, 2, 3, 4]
 * ```
 */
export function copyBlock(src: FloatArray, srcOff: number, srcLd: number, rows: number, cols: number, dst: FloatArray, dstOff: number, dstLd: number): void {
  if (rows <= 0 || cols <= 0) return;
  if ((srcLd === cols || rows === 1) && (dstLd === cols || rows === 1)) {
    dst.set(src.subarray(srcOff, srcOff + rows * cols), dstOff);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = srcOff + r * srcLd;
    dst.set(src.subarray(s, s + cols), dstOff + r * dstLd);
  }
}
