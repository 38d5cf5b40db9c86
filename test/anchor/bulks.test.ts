import fc from 'fast-check';
import { allWords, bulkExcluding, bulkExcludingTop, bulkLogPartitions, meanWordProbabilities } from '../../src/anchor/index.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import type { Matrix } from '../../src/core/matrix.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { createRng, maxAbsDiff, randn } from './helpers.js';

/** Brute-force mean probabilities: softmax of every row, averaged. */
function bruteMean(V: Matrix, H: Matrix): Float64Array {
  const n = V.rows;
  const d = V.cols;
  const out = new Float64Array(n);
  for (let i = 0; i < H.rows; i++) {
    const z = Array.from({ length: n }, (_, w) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += V.data[w * d + j] * H.data[i * d + j];
      return s;
    });
    const mx = Math.max(...z);
    const den = z.reduce((s, x) => s + Math.exp(x - mx), 0);
    z.forEach((x, w) => (out[w] += Math.exp(x - mx) / den / H.rows));
  }
  return out;
}

describe('bulk sets', () => {
  it('allWords and bulkExcluding', () => {
    expect(Array.from(allWords(4))).toEqual([0, 1, 2, 3]);
    expect(Array.from(bulkExcluding(Int32Array.of(3, 0, 3), 5))).toEqual([1, 2, 4]);
    expect(() => allWords(0)).toThrow("allWords: argument 'n' must be an integer ≥ 1; got 0");
    expect(() => bulkExcluding(Int32Array.of(0, 1), 2)).toThrow(ShapeError);
    expect(() => bulkExcluding(Int32Array.of(0, 1), 2)).toThrow("bulkExcluding: argument 'excluded' must be a set leaving at least one word of the vocabulary; got all 2 words");
    expect(() => bulkExcluding(Int32Array.of(5), 2)).toThrow("bulkExcluding: argument 'excluded' must be word indices in [0, 2); got 5 at position 0");
  });

  // Regression (issue 13, API fuzz): the registry's oracle took |bulk| + |excluded| = n, which is
  // false for an excluded list with repeats. The documented behaviour (a repeated index is excluded
  // once) is kept: the bulk is the exact complement of the *set* of excluded indices, in order.
  it('bulkExcluding treats repeated indices as one: the bulk is the complement of the set', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 3 * n }))),
        ([n, ex]) => {
          const excluded = Int32Array.from(ex);
          const set = new Set(ex);
          const want = Array.from({ length: n }, (_, w) => w).filter((w) => !set.has(w));
          if (want.length === 0) {
            expect(() => bulkExcluding(excluded, n)).toThrow(`bulkExcluding: argument 'excluded' must be a set leaving at least one word of the vocabulary; got all ${n} word`);
          } else {
            expect(Array.from(bulkExcluding(excluded, n))).toEqual(want);
          }
          expect(Array.from(excluded)).toEqual(ex); // not mutated
        },
      ),
      { seed: 13, numRuns: 300 },
    );
    // The fuzz case: the second index replaced by the first.
    expect(Array.from(bulkExcluding(Int32Array.of(2, 2, 5, 0), 6))).toEqual([1, 3, 4]);
  });

  it('meanWordProbabilities equals the brute-force average of softmax rows, and its log Z equals logPartition', () => {
    const rng = createRng('mean-prob');
    const V = randn(rng, 37, 4, 2);
    const H = randn(rng, 150, 4); // 150 rows: two blocks of 64 and a partial one
    const { mean, logPartition: lz } = meanWordProbabilities(V, H);
    // Float64 sums of 150 softmax rows: agreement to 1e-15 absolute is rounding.
    expect(maxAbsDiff(mean, bruteMean(V, H))).toBeLessThan(1e-15);
    expect(Math.abs(mean.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-13);
    expect(maxAbsDiff(lz, logPartition(V, H))).toBeLessThan(1e-12);
  });

  it('is stable where exp(z) overflows: logits of 1000', () => {
    const V: Matrix = { rows: 2, cols: 1, data: Float64Array.of(1000, 999) };
    const H: Matrix = { rows: 1, cols: 1, data: Float64Array.of(1) };
    const { mean, logPartition: lz } = meanWordProbabilities(V, H);
    // p = softmax(1000, 999) = (1/(1+e⁻¹), e⁻¹/(1+e⁻¹)). log Z ≈ 1000.3 carries an absolute
    // rounding error of about 1000·2⁻⁵² ≈ 2e-13, which exp(z − log Z) turns into a relative one.
    expect(mean[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(mean[0] + mean[1]).toBeCloseTo(1, 12);
    expect(lz[0]).toBeCloseTo(1000 + Math.log(1 + Math.exp(-1)), 11);
  });

  it('bulkExcludingTop removes the planted most-probable words, fixed across contexts', () => {
    const rng = createRng('top-k');
    const d = 3;
    const V = randn(rng, 30, d, 0.1);
    const H = randn(rng, 25, d);
    // Words 7, 3 and 12 get large embeddings along each context's mean direction: they dominate.
    const hbar = [0, 0, 0];
    for (let i = 0; i < 25; i++) for (let j = 0; j < d; j++) hbar[j] += H.data[i * d + j] / 25;
    const hn = Math.hypot(...hbar);
    [7, 3, 12].forEach((w, r) => {
      for (let j = 0; j < d; j++) V.data[w * d + j] = ((8 - r) * hbar[j]) / hn;
    });
    const mean = bruteMean(V, H);
    const order = Array.from(mean.keys()).sort((a, b) => mean[b] - mean[a]);
    const top3 = order.slice(0, 3).sort((a, b) => a - b);
    expect(top3).toEqual([3, 7, 12]);
    const bulk = bulkExcludingTop(V, H, 3);
    expect(bulk).toHaveLength(27);
    expect(Array.from(bulk)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((w) => ![3, 7, 12].includes(w)));
    expect(Array.from(bulkExcludingTop(V, H, 0))).toEqual(Array.from(allWords(30)));
    expect(Array.from(bulkExcludingTop(V, H, 1))).toEqual(Array.from(bulkExcluding(Int32Array.of(order[0]), 30)));
  });

  it('breaks ties by the lower word index', () => {
    const V: Matrix = { rows: 4, cols: 1, data: Float64Array.of(0, 1, 1, 0) };
    const H: Matrix = { rows: 1, cols: 1, data: Float64Array.of(1) };
    expect(Array.from(bulkExcludingTop(V, H, 1))).toEqual([0, 2, 3]);
  });

  it('bulkLogPartitions equals logPartition for each bulk, in float64 and float32', () => {
    const rng = createRng('multi');
    const V = randn(rng, 50, 5);
    const H = randn(rng, 130, 5); // more than two blocks of 64 rows
    const bulks = [allWords(50), bulkExcluding(Int32Array.of(1, 2, 3), 50), Int32Array.of(9, 4)];
    const z = bulkLogPartitions(V, H, bulks);
    // Same float64 log-sum-exp of the same logits up to summation order: 1e-12.
    bulks.forEach((b, j) => expect(maxAbsDiff(z[j], logPartition(V, H, b))).toBeLessThan(1e-12));
    const V32: Matrix = { rows: 50, cols: 5, data: Float32Array.from(V.data) };
    const H32: Matrix = { rows: 130, cols: 5, data: Float32Array.from(H.data) };
    const z32 = bulkLogPartitions(V32, H32, bulks);
    // float32 logits (relative error ~6e-8 on |z| ≲ 10): agreement to 1e-5.
    bulks.forEach((b, j) => expect(maxAbsDiff(z32[j], logPartition(V32, H32, b))).toBeLessThan(1e-5));
  });

  it('throws typed errors', () => {
    const rng = createRng('bulk-errors');
    const V = randn(rng, 5, 2);
    const H = randn(rng, 3, 2);
    expect(() => bulkExcludingTop(V, H, 5)).toThrow("bulkExcludingTop: argument 'k' must be an integer in [0, 4]; got 5");
    expect(() => bulkExcludingTop(V, H, 1.5)).toThrow(DomainError);
    expect(() => bulkExcludingTop(V, randn(rng, 3, 3), 1)).toThrow("bulkExcludingTop: argument 'H' must be a matrix with 2 columns (V.cols, the dimension d); got a 3×3 matrix");
    expect(() => bulkLogPartitions(V, H, [new Int32Array(0)])).toThrow("bulkLogPartitions: argument 'bulks[0]' must be a non-empty set of word indices; got an empty Int32Array");
    expect(() => bulkLogPartitions(V, H, 'x' as unknown as Int32Array[])).toThrow("bulkLogPartitions: argument 'bulks' must be an array of Int32Array word sets; got \"x\"");
    const big: Matrix = { rows: 2, cols: 1, data: Float64Array.of(1e200, 1) };
    const hb: Matrix = { rows: 1, cols: 1, data: Float64Array.of(1e200) };
    expect(() => meanWordProbabilities(big, hb)).toThrow(NumericalError);
    expect(() => meanWordProbabilities(big, hb)).toThrow("meanWordProbabilities: the logits V·h for row 0 of 'H' must be finite; got an overflow beyond the float64 range: scale V or H down");
    expect(() => meanWordProbabilities(V, H, { weights: new Float64Array(3) })).toThrow("meanWordProbabilities: argument 'opts.weights' must be not all zero; got all zeros");
    expect(() => bulkExcludingTop(big, hb, 1)).toThrow("bulkExcludingTop: the logits V·h for row 0 of 'H' must be finite; got an overflow beyond the float64 range: scale V or H down");
    expect(() => bulkLogPartitions(big, hb, [allWords(2)])).toThrow(NumericalError);
    expect(() => bulkLogPartitions(big, hb, [allWords(2)])).toThrow("bulkLogPartitions: the logits V·h for row 0 of 'H' must be finite; got an overflow beyond the float64 range: scale V or H down");
  });

  it('does not mutate its inputs', () => {
    const rng = createRng('bulk-mut');
    const V = randn(rng, 8, 2);
    const H = randn(rng, 4, 2);
    const V0 = V.data.slice();
    const H0 = H.data.slice();
    const ex = Int32Array.of(2, 1);
    bulkExcludingTop(V, H, 2);
    bulkExcluding(ex, 8);
    bulkLogPartitions(V, H, [ex]);
    expect(V.data).toEqual(V0);
    expect(H.data).toEqual(H0);
    expect(Array.from(ex)).toEqual([2, 1]);
  });
});
