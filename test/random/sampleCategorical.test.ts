import fc from 'fast-check';
import { createRng } from '../../src/random/createRng.js';
import { sampleCategorical } from '../../src/random/sampleCategorical.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';

describe('sampleCategorical', () => {
  it('passes a chi-square goodness-of-fit test over 10^5 draws at a fixed seed', () => {
    // Logits spread over a wide range and offset by 1e4, so any unshifted exp would overflow.
    const base = [0, 1.5, -2, 3, 0.5, -1, 2.2, 1, -0.3, 2.9];
    const logits = Float64Array.from(base, (z) => z + 1e4);
    const k = base.length;
    const m = Math.max(...base);
    const w = base.map((z) => Math.exp(z - m));
    const sum = w.reduce((a, b) => a + b, 0);
    const N = 100000;
    const counts = new Float64Array(k);
    const rng = createRng('chi-square');
    for (let i = 0; i < N; i++) counts[sampleCategorical(logits, rng)]++;
    let chi2 = 0;
    for (let j = 0; j < k; j++) {
      const e = (N * w[j]) / sum;
      chi2 += (counts[j] - e) ** 2 / e;
    }
    // df = k − 1 = 9; the 0.999 quantile of chi-square(9) is 27.877 (standard tables). The smallest
    // expected count is N·p_min ≈ 190, far above the usual minimum of 5.
    expect(chi2).toBeLessThan(27.877);
    // A test with teeth: the same counts against the uniform distribution fail badly.
    let chi2Uniform = 0;
    for (let j = 0; j < k; j++) chi2Uniform += (counts[j] - N / k) ** 2 / (N / k);
    expect(chi2Uniform).toBeGreaterThan(1000);
  });

  it('never draws a word whose probability underflows, and handles float32 logits and n = 1', () => {
    const rng = createRng(3);
    const logits = Float32Array.of(-1e30, 0, -1e30, 0, -800);
    for (let i = 0; i < 2000; i++) {
      const w = sampleCategorical(logits, rng);
      if (w !== 1 && w !== 3) throw new Error(`drew impossible word ${w}`);
    }
    expect(sampleCategorical(Float64Array.of(5), rng)).toBe(0);
  });

  it('returns a valid index, is deterministic for a seed, and does not mutate the logits (property)', () => {
    fc.assert(
      fc.property(
        fc.float64Array({ minLength: 1, maxLength: 50, min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        (z, seed) => {
          const copy = z.slice();
          const a = sampleCategorical(z, createRng(seed));
          const b = sampleCategorical(z, createRng(seed));
          expect(z).toEqual(copy);
          return Number.isInteger(a) && a >= 0 && a < z.length && a === b;
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('consumes exactly one uniform draw per call', () => {
    const a = createRng(11);
    const b = createRng(11);
    sampleCategorical(Float64Array.of(1, 2, 3), a);
    b.next();
    expect(a.next()).toBe(b.next());
  });

  it('rejects bad input with typed errors naming the argument', () => {
    const rng = createRng(1);
    expect(() => sampleCategorical(new Float64Array(0), rng)).toThrow(ShapeError);
    expect(() => sampleCategorical(new Float64Array(0), rng)).toThrow(
      "sampleCategorical: argument 'logits' must be a non-empty vector; got an empty array",
    );
    expect(() => sampleCategorical(Float64Array.of(0, NaN), rng)).toThrow(DomainError);
    expect(() => sampleCategorical(Float64Array.of(0, NaN), rng)).toThrow(
      "sampleCategorical: argument 'logits' must be finite everywhere; got NaN at [1]",
    );
    expect(() => sampleCategorical(Float64Array.of(Infinity, 0), rng)).toThrow(
      "sampleCategorical: argument 'logits' must be finite everywhere; got Infinity at [0]",
    );
    expect(() => sampleCategorical(Float64Array.of(-Infinity, 0), rng)).toThrow(DomainError);
    expect(() => sampleCategorical([1, 2] as unknown as Float64Array, rng)).toThrow(
      "sampleCategorical: argument 'logits' must be a Float64Array or Float32Array; got an array of length 2",
    );
    expect(() => sampleCategorical(Float64Array.of(1), {} as never)).toThrow(DomainError);
    expect(() => sampleCategorical(Float64Array.of(1), {} as never)).toThrow(
      "sampleCategorical: argument 'rng' must be an Rng from createRng; got an object (Object)",
    );
  });
});
