import fc from 'fast-check';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../../src/io/halfFloat.js';

/** Whether the 16-bit pattern `h` is a NaN: exponent field all ones (`expMask`) and a nonzero fraction (`fracMask`). */
function isNaNPattern(h: number, expMask: number, fracMask: number): boolean {
  return (h & expMask) === expMask && (h & fracMask) !== 0;
}

/**
 * Check that `bits = narrow(x)` is the correctly rounded pattern of the finite `x`: its value is at
 * least as close to `x` as both neighbours' (so it is the nearest), and on a tie the pattern is even.
 * `overflow` is the smallest magnitude that rounds to infinity (the midpoint between the largest
 * finite value and the next power of two).
 */
function checkNearest(x: number, bits: number, widen: (h: number) => number, infBits: number, overflow: number): void {
  const a = Math.abs(x);
  const mag = bits & 0x7fff;
  if (x !== 0) expect(bits & 0x8000).toBe(x < 0 ? 0x8000 : 0);
  if (a >= overflow) {
    expect(mag).toBe(infBits);
    return;
  }
  expect(mag).toBeLessThan(infBits);
  const v = widen(mag);
  const dv = Math.abs(a - v);
  const below = mag > 0 ? Math.abs(a - widen(mag - 1)) : Infinity;
  const above = Math.abs(a - widen(mag + 1));
  expect(dv).toBeLessThanOrEqual(below);
  expect(dv).toBeLessThanOrEqual(above);
  if (dv === below || dv === above) expect(mag % 2).toBe(0);
}

/**
 * Doubles near the rounding boundaries of a 16-bit format: the midpoint between a pattern and the
 * next, plus or minus a nudge far below float32 precision. This is where rounding through float32
 * first (double rounding) goes wrong.
 */
function nearTies(widen: (h: number) => number, maxFinite: number): fc.Arbitrary<number> {
  return fc
    .tuple(fc.integer({ min: 0, max: maxFinite - 1 }), fc.constantFrom(-1, 0, 1), fc.boolean())
    .map(([h, nudge, neg]) => {
      const lo = widen(h);
      const hi = widen(h + 1);
      const mid = (lo + hi) / 2;
      const x = mid + nudge * (hi - lo) * 2 ** -30;
      return neg ? -x : x;
    });
}

describe('halfToFloat and bfloat16ToFloat: hand-computed values', () => {
  it('float16: subnormals, the smallest normal, 1/3, the largest finite value, signed zero, ±infinity, NaN', () => {
    // binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits; exponent 0 is subnormal (f · 2⁻²⁴).
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(halfToFloat(0x0400)).toBe(2 ** -14); // smallest normal
    expect(halfToFloat(0x3555)).toBe(1365 / 4096); // (1 + 341/1024) · 2⁻²
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0x7c01)).toBeNaN(); // a signalling NaN is still NaN
  });

  it('bfloat16: subnormals, the smallest normal, π, the largest finite value, signed zero, ±infinity, NaN', () => {
    // bfloat16 is the top half of a binary32: 8 exponent bits (bias 127), 7 fraction bits.
    expect(bfloat16ToFloat(0x0001)).toBe(2 ** -133);
    expect(bfloat16ToFloat(0x007f)).toBe(127 * 2 ** -133);
    expect(bfloat16ToFloat(0x0080)).toBe(2 ** -126);
    expect(bfloat16ToFloat(0x3eab)).toBe(171 / 512); // (1 + 43/128) · 2⁻²
    expect(bfloat16ToFloat(0x4049)).toBe(3.140625); // (1 + 73/128) · 2
    expect(bfloat16ToFloat(0x7f7f)).toBe(255 * 2 ** 120);
    expect(Object.is(bfloat16ToFloat(0x8000), -0)).toBe(true);
    expect(bfloat16ToFloat(0x7f80)).toBe(Infinity);
    expect(bfloat16ToFloat(0xff80)).toBe(-Infinity);
    expect(bfloat16ToFloat(0x7fc0)).toBeNaN();
  });
});

describe('floatToHalf and floatToBfloat16: round to nearest, ties to even, once', () => {
  it('hand-computed values: ordinary numbers, ties, subnormals, overflow, signed zero, ±infinity, NaN', () => {
    expect(floatToHalf(1 / 3)).toBe(0x3555); // 4096/3 = 1365.33 → 1365
    expect(floatToHalf(Math.PI)).toBe(0x4248); // 512π = 1608.50 − 0.005 → 1608 = 0x648
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and 1 + 2⁻¹⁰: ties to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway between 0x3c01 and 0x3c02: to even
    expect(floatToHalf(3 * 2 ** -26)).toBe(0x0001); // 0.75 units of the smallest subnormal → 1 unit
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // exactly half a unit: ties to even gives 0
    expect(floatToHalf(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: ties to even gives 2
    expect(floatToHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // 1023.5 units rounds up into the smallest normal
    expect(floatToHalf(2 ** -26)).toBe(0x0000); // a quarter unit
    expect(floatToHalf(65519)).toBe(0x7bff); // below the midpoint 65520 between 65504 and 2¹⁶
    expect(floatToHalf(65520)).toBe(0x7c00); // the midpoint: ties to even is infinity
    expect(floatToHalf(-1e6)).toBe(0xfc00);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(Infinity)).toBe(0x7c00);
    expect(floatToHalf(-Infinity)).toBe(0xfc00);
    expect(isNaNPattern(floatToHalf(NaN), 0x7c00, 0x03ff)).toBe(true);

    expect(floatToBfloat16(1 / 3)).toBe(0x3eab); // 512/3 = 170.67 → 171
    expect(floatToBfloat16(Math.PI)).toBe(0x4049); // 64π = 201.06 → 201
    expect(floatToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie: to even
    expect(floatToBfloat16(2 ** -133)).toBe(0x0001); // smallest subnormal
    expect(floatToBfloat16(2 ** -134)).toBe(0x0000); // half of it: tie to even
    expect(floatToBfloat16(3 * 2 ** -134)).toBe(0x0002);
    expect(floatToBfloat16(1e-300)).toBe(0x0000);
    expect(floatToBfloat16(255.5 * 2 ** 120)).toBe(0x7f80); // the overflow midpoint
    expect(floatToBfloat16(255.49 * 2 ** 120)).toBe(0x7f7f);
    expect(floatToBfloat16(-0)).toBe(0x8000);
    expect(floatToBfloat16(-Infinity)).toBe(0xff80);
    expect(isNaNPattern(floatToBfloat16(NaN), 0x7f80, 0x007f)).toBe(true);
  });

  it('rounds a float64 once, not through float32 (double rounding)', () => {
    // 1 + 2⁻¹¹ + 2⁻⁴⁰ is just above the tie between 1 and 1 + 2⁻¹⁰, so it rounds up; through float32 it
    // would first become the tie 1 + 2⁻¹¹ and then round to even, down to 1.
    expect(floatToHalf(1 + 2 ** -11 + 2 ** -40)).toBe(0x3c01);
    expect(floatToBfloat16(1 + 2 ** -8 + 2 ** -40)).toBe(0x3f81);
    expect(floatToHalf(2 ** -25 + 2 ** -60)).toBe(0x0001);
    // 65519.99999 is below the overflow midpoint 65520 but rounds to it in float32.
    expect(floatToHalf(65519.99999)).toBe(0x7bff);
  });

  it('round-trip every non-NaN 16-bit pattern exactly, and NaN patterns to NaN', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const x = halfToFloat(h);
      if (Number.isNaN(x) ? !Number.isNaN(halfToFloat(floatToHalf(x))) : floatToHalf(x) !== h) wrong.push(h);
      const y = bfloat16ToFloat(h);
      if (Number.isNaN(y) ? !Number.isNaN(bfloat16ToFloat(floatToBfloat16(y))) : floatToBfloat16(y) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('give the nearest pattern for arbitrary doubles and for doubles next to ties (fast-check, 800 runs each)', () => {
    const half = fc.oneof(fc.double({ min: -7e4, max: 7e4, noNaN: true }), nearTies(halfToFloat, 0x7bff), fc.double({ min: -1e-4, max: 1e-4, noNaN: true }));
    fc.assert(
      fc.property(half, (x) => checkNearest(x, floatToHalf(x), halfToFloat, 0x7c00, 65520)),
      { seed: 16, numRuns: 800 },
    );
    const bf = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), nearTies(bfloat16ToFloat, 0x7f7f), fc.double({ min: -1e-37, max: 1e-37, noNaN: true }));
    fc.assert(
      fc.property(bf, (x) => checkNearest(x, floatToBfloat16(x), bfloat16ToFloat, 0x7f80, 255.5 * 2 ** 120)),
      { seed: 17, numRuns: 800 },
    );
  });
});
