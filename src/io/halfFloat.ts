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

/**
 * The binary16 bit pattern nearest to `x` (ties to even; overflow to ±Infinity; NaN stays NaN).
 * `x` is rounded once, from its exact double value: going through float32 first would round twice
 * and get some float64 inputs wrong (1 + 2⁻¹¹ + 2⁻⁴⁰ would become the tie 1 + 2⁻¹¹ and then 1).
 */
export function floatToHalf(x: number): number {
  return narrow(x, 10, -14, 0x1f, 0x8000);
}
/** The float32 value of the bfloat16 bit pattern `b` (the high half of a float32). Exact. */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** The bfloat16 bit pattern nearest to `x` (ties to even; overflow to ±Infinity; NaN stays NaN), rounded once from the double. */
export function floatToBfloat16(x: number): number {
  return narrow(x, 7, -126, 0xff, 0x8000);
}

const bits64 = new DataView(new ArrayBuffer(8));

/** Round `y ≥ 0` to the nearest integer, ties to even (exact for the `y < 2¹²` used here). */
function roundHalfEven(y: number): number {
  const f = Math.floor(y);
  const r = y - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The bit pattern nearest to `x` in a binary format with `mant` stored significand bits, smallest
 * normal exponent `emin` and all-ones exponent field `expMax`, with the sign bit `signBit`. Scaling
 * by a power of two is exact in double precision, so the only rounding is `roundHalfEven`.
 */
function narrow(x: number, mant: number, emin: number, expMax: number, signBit: number): number {
  const sign = x < 0 || Object.is(x, -0) ? signBit : 0;
  const inf = sign | (expMax << mant);
  if (Number.isNaN(x)) return inf | (1 << (mant - 1)); // a quiet NaN
  const a = Math.abs(x);
  if (a === Infinity) return inf;
  if (a === 0) return sign;
  bits64.setFloat64(0, a);
  const e = ((bits64.getUint32(0) >>> 20) & 0x7ff) - 1023; // ⌊log₂ a⌋ for a normal double
  if (e < emin) {
    // Subnormal in the target (or a double subnormal, far below it): units of 2^(emin − mant).
    // A result of 2^mant is the smallest normal number, whose bit pattern is exactly 2^mant.
    return e < emin - mant - 2 ? sign : sign | roundHalfEven(a * 2 ** (mant - emin));
  }
  let m = roundHalfEven(a * 2 ** (mant - e)); // in [2^mant, 2^(mant+1)]
  let ex = e;
  if (m === 2 ** (mant + 1)) {
    m = 2 ** mant;
    ex++;
  }
  const field = ex - emin + 1;
  if (field >= expMax) return inf;
  return sign | (field << mant) | (m - 2 ** mant);
}
