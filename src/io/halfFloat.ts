/**
 * Conversions between IEEE 754 binary16 (`float16`), bfloat16 and binary32, used by the `.npy` and
 * safetensors readers and writers. Both 16-bit formats are widened exactly (every float16 and every
 * bfloat16 value is representable in float32); narrowing rounds to nearest, ties to even, as
 * IEEE 754 and PyTorch's `.half()`/`.bfloat16()` do.
 *
 * @internal
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 value of the binary16 bit pattern `h`. Exact. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero or subnormal: frac · 2^-14 · 2^-10
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The binary16 bit pattern nearest to `x` (ties to even; overflow to ±Infinity; NaN stays NaN). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let frac = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0);
  // Re-bias from float32 (127) to float16 (15).
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit leading one in and round to nearest even.
    if (e < -10) return sign;
    frac |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = frac & ((1 << shift) - 1);
    let m = frac >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  const rest = frac & 0x1fff;
  let m = frac >>> 13;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** The float32 value of the bfloat16 bit pattern `b` (the high half of a float32). Exact. */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** The bfloat16 bit pattern nearest to `x` (ties to even; NaN stays NaN). */
export function floatToBfloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return ((bits >>> 16) | 0x40) & 0xffff;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}
