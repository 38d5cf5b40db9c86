/**
 * Adam's bias corrections `1 − βᵗ` (src/train/optimizerKernel.ts), against the exact value computed
 * in integers: `β = m·2^e` (m a 53-bit integer) so `1 − βᵗ = (2^(−et) − mᵗ) / 2^(−et)` exactly.
 */
import fc from 'fast-check';
import { oneMinusPower } from '../../src/train/optimizerKernel.js';

const view = new DataView(new ArrayBuffer(8));

/** A finite positive double as `M·2^E` with integer M (exact). */
function decompose(x: number): { M: bigint; E: number } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expField = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return expField === 0 ? { M: frac, E: -1074 } : { M: frac | (1n << 52n), E: expField - 1075 };
}

/**
 * |r − (1 − βᵗ)| in units of the last place of r (r > 0), computed exactly for 0 < β < 1, t ≥ 1
 * (reported to 2⁻²⁰ ulp).
 */
function errorUlps(r: number, beta: number, t: number): number {
  const { M: m, E: e } = decompose(beta);
  const s = -e * t; // 1 − βᵗ = N / 2^s exactly
  const N = (1n << BigInt(s)) - m ** BigInt(t);
  const { M: R, E: f } = decompose(r);
  const L = Math.min(f, -s); // both values as integers times 2^L
  const D = (R << BigInt(f - L)) - (N << BigInt(-s - L));
  const absD = D < 0n ? -D : D;
  const ulpE = f + R.toString(2).length - 53 - L; // ulp(r) = 2^(ulpE + L)
  const scaled = ulpE >= 20 ? (absD >> BigInt(ulpE - 20)) : (absD << BigInt(20 - ulpE));
  return Number(scaled) / 2 ** 20;
}

/** A double strictly between 0 and 1, reaching the edges: tiny, just below 1, and typical Adam betas. */
const betaArb = fc.oneof(
  fc.double({ min: 0.5, max: 1, maxExcluded: true, noNaN: true }),
  fc.double({ min: Number.MIN_VALUE, max: 0.5, noNaN: true }),
  fc.constantFrom(0.9, 0.99, 0.999, 0.9999, 1 - 2 ** -53, 1 - 2 ** -30, 0.5),
);

describe('oneMinusPower (Adam bias correction)', () => {
  // Bound: ½ ulp for the last rounding plus the double-double error of βᵗ (≈ t·2⁻¹⁰⁴ relative),
  // magnified by βᵗ/(1 − βᵗ) ≤ 1/(t(1 − β)) ≲ 2⁵³/t: under ½ ulp more. Measured here: ≤ 0.6 ulp.
  it('is within 1 ulp of the exact 1 − βᵗ (exact integer reference)', () => {
    fc.assert(
      fc.property(betaArb, fc.integer({ min: 1, max: 3000 }), (beta, t) => {
        const r = oneMinusPower(beta, t);
        expect(errorUlps(r, beta, t)).toBeLessThanOrEqual(1);
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('has teeth: 1 − Math.pow(β, t) is far more than 1 ulp off near βᵗ ≈ 1, and a dropped low word is caught', () => {
    // β = 0.999, t = 2: the half-ulp error of βᵗ is magnified by the cancellation.
    expect(errorUlps(1 - 0.999 * 0.999, 0.999, 2)).toBeGreaterThan(1);
    // The low word carries what the high word cannot: rounding βᵗ to one double first loses it.
    const beta = 1 - 2 ** -30;
    const t = 1000;
    let p = 1;
    for (let i = 0; i < t; i++) p *= beta;
    expect(errorUlps(1 - p, beta, t)).toBeGreaterThan(1);
    expect(errorUlps(oneMinusPower(beta, t), beta, t)).toBeLessThanOrEqual(1);
  });

  it('gives 1 − β for t = 1, exactly 1 when βᵗ underflows, and works past t = 2^31', () => {
    expect(oneMinusPower(0.9, 1)).toBe(1 - 0.9);
    expect(oneMinusPower(0.5, 2000)).toBe(1);
    expect(oneMinusPower(0, 5)).toBe(1);
    const big = 2 ** 31 + 1;
    expect(oneMinusPower(1 - 2 ** -53, big)).toBeCloseTo(-Math.expm1(big * Math.log1p(-(2 ** -53))), 15);
  });
});
