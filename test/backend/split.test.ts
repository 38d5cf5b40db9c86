import fc from 'fast-check';
import { ShareBalancer, splitCuts } from '../../src/backend/split.js';

describe('splitCuts (the one split policy of the threaded operations)', () => {
  it('cuts [0, len) into at most `threads` non-empty strips on whole quanta, the first near share·len', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(1, 4, 8, 64), (len, threads, share, q) => {
        const cuts = splitCuts(len, threads, share, q);
        expect(cuts[0]).toBe(0);
        expect(cuts[cuts.length - 1]).toBe(len);
        expect(cuts.length - 1).toBeLessThanOrEqual(threads);
        for (let i = 1; i < cuts.length; i++) expect(cuts[i]).toBeGreaterThan(cuts[i - 1]);
        // Every boundary but the end is a multiple of the quantum (a tile, a row block).
        for (let i = 0; i < cuts.length - 1; i++) expect(cuts[i] % q).toBe(0);
        if (threads > 1) expect(Math.abs(cuts[1] - Math.min(len, Math.max(q, share * len)))).toBeLessThanOrEqual(q / 2 + 1e-9 + (share * len < q ? q : 0));
        else expect(cuts).toEqual([0, len]);
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('gives the workers equal strips', () => {
    expect(splitCuts(100, 3, 1 / 3, 8)).toEqual([0, 32, 72, 100]);
    expect(splitCuts(10, 2, 0.5, 1)).toEqual([0, 5, 10]);
    expect(splitCuts(7, 4, 0.25, 4)).toEqual([0, 4, 7]);
  });
});

describe('ShareBalancer', () => {
  it('moves work to the faster side so that strip plus copies take as long as a worker strip', () => {
    const b = new ShareBalancer(2);
    expect(b.share).toBe(0.5);
    b.update(0.5, 10, 2, [10]);
    // share·20 + 2 = (1 − share)·20  ⇒  share = 0.45
    expect(b.share).toBeCloseTo(0.45, 12);
    // A worker twice as slow gets less.
    b.update(0.5, 10, 0, [20]);
    expect(b.share).toBeCloseTo(2 / 3, 12);
    // Bounded, and unchanged without a measurement.
    b.update(0.5, 10, 1000, [10]);
    expect(b.share).toBe(0.05);
    b.update(0.5, 0, 0, [10]);
    expect(b.share).toBe(0.05);
  });
});
