import fc from 'fast-check';
import { createRng } from '../../src/random/createRng.js';
import { permutation, shuffleInPlace } from '../../src/random/permutation.js';
import { DomainError } from '../../src/core/errors.js';

describe('permutation', () => {
  it('is a permutation of 0..n-1, reproducible for a seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
        const p = permutation(n, createRng(seed));
        const sorted = Array.from(p).sort((a, b) => a - b);
        expect(sorted).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(permutation(n, createRng(seed))).toEqual(p);
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  it('puts each element in each position uniformly (chi-square over 6000 shuffles of 4)', () => {
    // 16 cells (element × position), expected 1500 each; df = 9 for a doubly stochastic table
    // ((4−1)²), but we use the conservative df = 15: the 0.999 quantile of χ²₁₅ is 37.70.
    const rng = createRng('perm-uniform');
    const counts = new Float64Array(16);
    const reps = 6000;
    for (let r = 0; r < reps; r++) {
      const p = permutation(4, rng);
      for (let pos = 0; pos < 4; pos++) counts[p[pos] * 4 + pos]++;
    }
    const e = reps / 4;
    let chi2 = 0;
    for (const c of counts) chi2 += ((c - e) * (c - e)) / e;
    expect(chi2).toBeLessThan(37.7);
  });

  it('shuffleInPlace draws the same order as permutation from the same stream', () => {
    const a = Int32Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(a, createRng(5));
    expect(a).toEqual(permutation(50, createRng(5)));
  });

  it('rejects a bad size or rng', () => {
    expect(() => permutation(-1, createRng(1))).toThrow(DomainError);
    expect(() => permutation(2.5, createRng(1))).toThrow("permutation: argument 'n' must be an integer in [0, 134217728]; got 2.5");
    expect(() => permutation(3, {} as never)).toThrow("permutation: argument 'rng' must be an Rng from createRng; got an object (Object)");
  });
});
