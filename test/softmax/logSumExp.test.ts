import fc from 'fast-check';
import { logSumExp } from '../../src/softmax/logSumExp.js';
import { rowLogSumExp } from '../../src/kernels/softmaxKernel.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { createRng } from '../../src/random/createRng.js';
import { referenceLse } from './helpers.js';

const vec = (min: number, max: number): fc.Arbitrary<Float64Array> =>
  fc.float64Array({ minLength: 1, maxLength: 200, min, max, noNaN: true, noDefaultInfinity: true });

describe('logSumExp', () => {
  it('lse bounds: max z ≤ LSE(z) ≤ max z + log n (property)', () => {
    fc.assert(
      fc.property(vec(-1e6, 1e6), (z) => {
        const l = logSumExp(z);
        const m = Math.max(...z);
        // Tolerance: the computed c + log s rounds once on each side, a few ulps of |max z|.
        const tol = 4 * Number.EPSILON * Math.max(1, Math.abs(m));
        return Number.isFinite(l) && l >= m && l <= m + Math.log(z.length) + tol;
      }),
      { seed: 101, numRuns: 200 },
    );
  });

  it('shift invariance: LSE(z + c) = LSE(z) + c (property)', () => {
    fc.assert(
      fc.property(vec(-50, 50), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (z, c) => {
        const shifted = z.map((v) => v + c);
        // Tolerance: z + c rounds each entry by ≤ ulp(1050) ≈ 2.3e-13, and the two results round
        // separately; 1e-11 covers both with margin.
        return Math.abs(logSumExp(shifted) - (logSumExp(z) + c)) <= 1e-11;
      }),
      { seed: 102, numRuns: 200 },
    );
  });

  it('matches a compensated-sum reference on shifted values (property), and is exact on hand cases', () => {
    fc.assert(
      fc.property(vec(-1e4, 1e4), (z) => {
        // Tolerance: recursive summation of n ≤ 200 terms in [0, 1] has relative error ≤ n·2^-53,
        // which is the absolute error of the log; plus a few ulps of |max z| for the final add.
        const m = Math.max(...z.map(Math.abs));
        return Math.abs(logSumExp(z) - referenceLse(z)) <= 200 * 2 ** -53 + 4 * Number.EPSILON * m;
      }),
      { seed: 103, numRuns: 200 },
    );
    expect(logSumExp(Float64Array.of(0, 0))).toBe(Math.log(2));
    expect(logSumExp(Float64Array.of(1000, 1000))).toBe(1000 + Math.log(2));
    expect(logSumExp(Float64Array.of(-1000, -1000))).toBe(-1000 + Math.log(2));
    expect(logSumExp(Float32Array.of(3))).toBe(3);
  });

  it('a row of n = 10^6 logits spread over ±1e4 is finite and agrees with an exact reference', () => {
    const rng = createRng('lse-1e6');
    const n = 1_000_000;
    const z = new Float64Array(n);
    for (let j = 0; j < n; j++) z[j] = (rng.next() * 2 - 1) * 1e4;
    // Many entries near the top so the sum is not dominated by a single term.
    for (let j = 0; j < 1000; j++) z[rng.int(n)] = 1e4 - rng.next();
    const copy = z.slice();
    const l = logSumExp(z);
    expect(Number.isFinite(l)).toBe(true);
    // A naive log(Σ exp z) overflows here (the largest terms alone are e^(1e4 − 1) = Infinity),
    // which is what the shift avoids.
    expect(Math.exp(1e4 - 1)).toBe(Infinity);
    // Tolerance: the recursive-summation bound n·2^-53 ≈ 1.1e-10 on log s, plus ulps of 1e4.
    expect(Math.abs(l - referenceLse(z))).toBeLessThanOrEqual(n * 2 ** -53 + 1e-11);
    // Not mutated (compared by a loop: jest's deep equality is slow on 10^6 elements).
    let changed = 0;
    for (let j = 0; j < n; j++) if (z[j] !== copy[j]) changed++;
    expect(changed).toBe(0);
    // Float32 storage of the same row: a float64 result, consistent with the float64 reference.
    const z32 = Float32Array.from(z);
    expect(Math.abs(logSumExp(z32) - referenceLse(z32))).toBeLessThanOrEqual(n * 2 ** -53 + 1e-11);
  });

  it('−Infinity entries contribute nothing; all −Infinity gives −Infinity', () => {
    expect(logSumExp(Float64Array.of(-Infinity, 0, -Infinity))).toBe(0);
    expect(logSumExp(Float64Array.of(-Infinity, -Infinity))).toBe(-Infinity);
    expect(rowLogSumExp(Float64Array.of(9, -Infinity, -Infinity, 9), 1, 2)).toBe(-Infinity);
    // Very negative but finite values give a finite result (no log 0).
    expect(logSumExp(Float64Array.of(-1e300, -1e300))).toBe(-1e300);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    expect(() => logSumExp(new Float64Array(0))).toThrow(ShapeError);
    expect(() => logSumExp(new Float64Array(0))).toThrow(
      "logSumExp: argument 'x' must be a non-empty vector (the log of an empty sum is −Infinity); got an empty array",
    );
    expect(() => logSumExp(Float64Array.of(1, NaN))).toThrow(DomainError);
    expect(() => logSumExp(Float64Array.of(1, NaN))).toThrow(
      "logSumExp: argument 'x' must be free of NaN and +Infinity (−Infinity is allowed); got NaN at [1]",
    );
    expect(() => logSumExp(Float32Array.of(Infinity))).toThrow(
      "logSumExp: argument 'x' must be free of NaN and +Infinity (−Infinity is allowed); got Infinity at [0]",
    );
    expect(() => logSumExp([1, 2] as unknown as Float64Array)).toThrow(DomainError);
    expect(() => logSumExp([1, 2] as unknown as Float64Array)).toThrow(
      "logSumExp: argument 'x' must be a Float64Array or Float32Array; got an array of length 2",
    );
  });
});
