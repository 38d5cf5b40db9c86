import fc from 'fast-check';
import { EXP2_J64, fastExp } from '../../src/kernels/fastExp.js';
import { alloc, heapF32, heapF64, resetArena, wasmKernels } from '../../src/backend/heap.js';

// Module-scope aliases: global Math lookups are slow inside jest's sandbox (see helpers.ts).
const { exp, fround, abs } = Math;

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Distance in units in the last place between two doubles of the same sign. */
function ulps64(a: number, b: number): number {
  f64[0] = a;
  const x = i64[0];
  f64[0] = b;
  return abs(Number(x - i64[0]));
}

/** Distance in float32 ulps between two float32 values of the same sign. */
function ulps32(a: number, b: number): number {
  f32[0] = a;
  const x = i32[0];
  f32[0] = b;
  return abs(x - i32[0]);
}

/**
 * Whether `t` (a double in [1, 2)) is the double nearest `2^(j/64)`: with `t = M/2^52`, the
 * rounding interval `[(2M−1)/2^53, (2M+1)/2^53]` must contain `2^(j/64)`, i.e. (raising to the 64th
 * power, monotone on positives) `(2M−1)^64 ≤ 2^(j + 53·64) ≤ (2M+1)^64`, decided in exact integers.
 */
function isNearestExp2(t: number, j: number): boolean {
  if (!(t >= 1 && t < 2)) return false;
  const M = BigInt(t * 2 ** 52);
  const target = 1n << BigInt(j + 53 * 64);
  return (2n * M - 1n) ** 64n <= target && target <= (2n * M + 1n) ** 64n;
}

describe('fastExp table', () => {
  // Math.pow(2, j/64) is not correctly rounded in every engine (Node 20 is off by one ulp at 9 of
  // the 64), which made fastExp, and train, differ between Node and Chromium; the table is written out.
  it('holds 2^(j/64) rounded to nearest for every j, and a neighbour of an entry fails the check', () => {
    expect(EXP2_J64.length).toBe(64);
    const wrong: number[] = [];
    for (let j = 0; j < 64; j++) if (!isNearestExp2(EXP2_J64[j], j)) wrong.push(j);
    expect(wrong).toEqual([]);
    // Teeth: one ulp up or down (2^-52 in [1, 2)) is never the nearest double.
    for (let j = 1; j < 64; j++) {
      expect({ j, up: isNearestExp2(EXP2_J64[j] + 2 ** -52, j), down: isNearestExp2(EXP2_J64[j] - 2 ** -52, j) }).toEqual({ j, up: false, down: false });
    }
  });
});

describe('fastExp (TypeScript)', () => {
  // The bound: within 2 ulps of Math.exp everywhere it is finite and non-zero. Tang's method with a
  // one-word table has a table rounding (½ ulp), the final multiply-add (½ ulp) and the polynomial
  // truncation (< 0.4 ulp); Math.exp itself (fdlibm) is within 1 ulp of exact. Measured: ≤ 2 ulps,
  // and 99.97 % of arguments within 1 ulp.
  it('is within 2 ulps of Math.exp on a dense grid of its whole range, mostly within 1', () => {
    const lo = -745.13;
    const hi = 709.78;
    const n = 300_000;
    let worst = 0;
    let over1 = 0;
    for (let i = 0; i <= n; i++) {
      const x = lo + ((hi - lo) * i) / n;
      const d = ulps64(fastExp(x), exp(x));
      if (d > worst) worst = d;
      if (d > 1) over1++;
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(over1 / n).toBeLessThan(0.002);
  });

  it('is within 2 ulps of Math.exp on random arguments of the softmax range [−50, 0]', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 0, noNaN: true }), (x) => ulps64(fastExp(x), exp(x)) <= 2),
      { seed: 7, numRuns: 20_000 },
    );
  });

  it('handles the special values', () => {
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-0)).toBe(1);
    expect(fastExp(NaN)).toBeNaN();
    expect(fastExp(Infinity)).toBe(Infinity);
    expect(fastExp(-Infinity)).toBe(0);
    expect(fastExp(710)).toBe(Infinity);
    expect(fastExp(-746)).toBe(0);
    expect(ulps64(fastExp(709.78), exp(709.78))).toBeLessThanOrEqual(2);
    // Subnormal results: within 2 ulps of the subnormal grid (ulps64 counts those too).
    expect(ulps64(fastExp(-740), exp(-740))).toBeLessThanOrEqual(2);
  });
});

describe('vector exp of the WASM kernels', () => {
  const n = 1 << 16;
  // Bounds: the f32x4 exp is a Taylor polynomial of degree 7 on |r| ≤ ln2/2 (truncation 2.6e-9,
  // far below the float32 ulp); measured within 1 float32 ulp of Math.exp rounded to float32 over
  // [−86.5, 88.3]. The f64x2 exp has degree 13 (truncation < 4e-18); measured within 1 ulp of
  // Math.exp over [−707.5, 709]. Below −86.5 (resp. −707.5) the result is exactly 0 by design.
  it('float32: within 1 ulp of Math.exp over [−86.5, 88.3]; 0 below; NaN stays NaN', () => {
    const h = wasmKernels();
    resetArena();
    const src = alloc(n * 4);
    const dst = alloc(n * 4);
    const F = heapF32();
    for (let i = 0; i < n; i++) F[(src >> 2) + i] = fround(-86.5 + (174.8 * i) / (n - 1));
    h.exports.sexpArray(src, dst, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps32(F[(dst >> 2) + i], fround(exp(F[(src >> 2) + i]))));
    expect(worst).toBeLessThanOrEqual(1);
    F.set([-90, -1000, -Infinity, NaN, 0], src >> 2);
    h.exports.sexpArray(src, dst, 5);
    expect(Array.from(F.subarray(dst >> 2, (dst >> 2) + 5))).toEqual([0, 0, 0, NaN, 1]);
  });

  it('float64: within 1 ulp of Math.exp over [−707.5, 709]; 0 below; NaN stays NaN', () => {
    const h = wasmKernels();
    resetArena();
    const src = alloc(n * 8);
    const dst = alloc(n * 8);
    const F = heapF64();
    for (let i = 0; i < n; i++) F[(src >> 3) + i] = -707.5 + (1416.5 * i) / (n - 1);
    h.exports.dexpArray(src, dst, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps64(F[(dst >> 3) + i], exp(F[(src >> 3) + i])));
    expect(worst).toBeLessThanOrEqual(1);
    F.set([-708, -1000, -Infinity, NaN, 0], src >> 3);
    h.exports.dexpArray(src, dst, 5);
    expect(Array.from(F.subarray(dst >> 3, (dst >> 3) + 5))).toEqual([0, 0, 0, NaN, 1]);
  });
});
