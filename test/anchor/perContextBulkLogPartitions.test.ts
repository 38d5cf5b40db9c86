import fc from 'fast-check';
import { bulkExcluding, bulkLogPartitions, perContextBulkLogPartitions } from '../../src/anchor/index.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { fromRows } from '../../src/core/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { createRng, maxAbsDiff, randn } from './helpers.js';

/**
 * Reference: the logits of one row by a plain float64 dot product, sorted in decreasing order, the
 * first k dropped, and the rest summed in increasing order relative to their maximum.
 */
function brute(V: Matrix, H: Matrix, i: number, k: number): number {
  const { rows: n, cols: d } = V;
  const z: number[] = [];
  for (let w = 0; w < n; w++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += V.data[w * d + j] * H.data[i * d + j];
    z.push(s);
  }
  z.sort((a, b) => b - a);
  const rest = z.slice(k);
  const mx = rest[0];
  let s = 0;
  for (let t = rest.length - 1; t >= 0; t--) s += Math.exp(rest[t] - mx);
  return mx + Math.log(s);
}

/** A one-dimensional model whose logits for the single context are exactly `z`. */
function logitsModel(z: number[]): { V: Matrix; H: Matrix } {
  return { V: { rows: z.length, cols: 1, data: Float64Array.from(z) }, H: { rows: 1, cols: 1, data: Float64Array.of(1) } };
}

describe('perContextBulkLogPartitions (docs/theory.md#3-the-anchor-vector, per-context top-k bulk)', () => {
  it('matches the TSDoc example: each context drops its own most likely word', () => {
    const V = fromRows([[2, 0], [0, 2], [0, 0]]);
    const H = fromRows([[1, 0], [0, 1]]);
    const [all, rest] = perContextBulkLogPartitions(V, H, [0, 1]);
    // Exact small cases; the only rounding is in log and exp (a few ulps).
    expect(all[0]).toBeCloseTo(Math.log(Math.exp(2) + 2), 14);
    expect(rest[0]).toBeCloseTo(Math.log(2), 14);
    expect(rest[1]).toBeCloseTo(Math.log(2), 14);
  });

  it('equals the sorted brute-force reference for random problems, ties included (fast-check, 200 runs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1e9 }),
        (n, m, d, integers, rawKs, seed) => {
          const rng = createRng(seed);
          const V = randn(rng, n, d, 3);
          const H = randn(rng, m, d);
          // Small integers make many logits tie exactly, including at the top-k boundary.
          if (integers) {
            for (let t = 0; t < V.data.length; t++) V.data[t] = Math.round(V.data[t]);
            for (let t = 0; t < H.data.length; t++) H.data[t] = Math.round(H.data[t]) || 1;
          }
          const ks = rawKs.map((k) => k % n);
          const out = perContextBulkLogPartitions(V, H, ks);
          expect(out.length).toBe(ks.length);
          ks.forEach((k, j) => {
            for (let i = 0; i < m; i++) {
              // The library's product and the reference's dot product may round differently
              // (|z| ≲ 40 here, so ≲ 1e-14 per logit); the log-sum-exp adds a few ulps.
              expect(Math.abs(out[j][i] - brute(V, H, i, k))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(out[j][i])));
            }
          });
        },
      ),
      { seed: 2023_11_26, numRuns: 200 },
    );
  });

  it('k = 0 is the whole partition function, across blocks of contexts (150 rows)', () => {
    const rng = createRng('pc-k0');
    const V = randn(rng, 57, 5, 2);
    const H = randn(rng, 150, 5);
    const [z0] = perContextBulkLogPartitions(V, H, [0]);
    // Same logits, same stable log-sum-exp up to summation order.
    expect(maxAbsDiff(z0, logPartition(V, H))).toBeLessThan(1e-12);
  });

  it('is non-increasing in k and never above a fixed bulk of the same size (fast-check, 100 runs)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 30 }), fc.integer({ min: 0, max: 1e9 }), (n, seed) => {
        const rng = createRng(seed);
        const V = randn(rng, n, 3, 2);
        const H = randn(rng, 4, 3);
        const ks = Array.from({ length: n }, (_, k) => k);
        const out = perContextBulkLogPartitions(V, H, ks);
        for (let k = 1; k < n; k++) for (let i = 0; i < H.rows; i++) expect(out[k][i]).toBeLessThanOrEqual(out[k - 1][i] + 1e-13);
        // A random fixed set of k excluded words leaves at least as much mass as each context's own top k.
        const k = 1 + rng.int(n - 1);
        const excluded = Int32Array.from(Array.from({ length: n }, (_, w) => w).sort(() => rng.next() - 0.5).slice(0, k));
        const [fixed] = bulkLogPartitions(V, H, [bulkExcluding(excluded, n)]);
        for (let i = 0; i < H.rows; i++) expect(out[k][i]).toBeLessThanOrEqual(fixed[i] + 1e-12);
      }),
      { seed: 7, numRuns: 100 },
    );
  });

  it('does not cancel when the excluded words carry almost all the mass', () => {
    // Z = 2e^1000 + e^0 + e^-1: subtracting the top two from a total would lose everything (and
    // e^1000 overflows); leaving them out gives log(1 + e^-1) exactly up to rounding.
    const { V, H } = logitsModel([1000, 0, 1000, -1]);
    const [z2, z1, z0] = perContextBulkLogPartitions(V, H, [2, 1, 0]);
    expect(z2[0]).toBeCloseTo(Math.log1p(Math.exp(-1)), 15);
    expect(z1[0]).toBeCloseTo(1000, 12); // one of the two tied 1000s stays: 1000 + log(1 + e^-1000 + …)
    expect(z0[0]).toBeCloseTo(1000 + Math.LN2, 12);
    // A spread of ±1e4.
    const s = logitsModel([1e4, -1e4, 3, 2, -5e3]);
    const [a] = perContextBulkLogPartitions(s.V, s.H, [1]);
    expect(a[0]).toBeCloseTo(3 + Math.log1p(Math.exp(-1)), 12);
  });

  it('matches a geometric series in closed form', () => {
    // z_w = −a·w: Σ_{w ≥ k} e^{−a w} = e^{−a k}(1 − e^{−a(n−k)})/(1 − e^{−a}).
    const a = 0.37;
    const n = 2000;
    const { V, H } = logitsModel(Array.from({ length: n }, (_, w) => -a * w));
    const ks = [0, 1, 10, 999, 1999];
    const out = perContextBulkLogPartitions(V, H, ks);
    ks.forEach((k, j) => {
      const exact = -a * k + Math.log(-Math.expm1(-a * (n - k))) - Math.log(-Math.expm1(-a));
      // Float64 sum of up to 2000 positive terms: relative error ≲ n·u ≈ 4e-13.
      expect(Math.abs(out[j][0] - exact)).toBeLessThan(1e-12 * (1 + Math.abs(exact)));
    });
  });

  it('works on float32 storage (logits in float32, sums in float64) and keeps duplicate ks in order', () => {
    const rng = createRng('pc-f32');
    const V64 = randn(rng, 300, 8);
    const H64 = randn(rng, 70, 8);
    const V: Matrix = { rows: 300, cols: 8, data: Float32Array.from(V64.data) };
    const H: Matrix = { rows: 70, cols: 8, data: Float32Array.from(H64.data) };
    const [a, b, c] = perContextBulkLogPartitions(V, H, [5, 0, 5]);
    expect(Array.from(a)).toEqual(Array.from(c));
    const [ref] = perContextBulkLogPartitions({ ...V, data: Float64Array.from(V.data) }, { ...H, data: Float64Array.from(H.data) }, [5]);
    // Float32 products of 8 terms with |z| ≲ 10: error ≲ 10·8·6e-8 ≈ 5e-6 per logit.
    expect(maxAbsDiff(a, ref)).toBeLessThan(1e-5);
    expect(b.every((x, i) => x >= a[i])).toBe(true);
  });

  it('reports progress per block of contexts', () => {
    const rng = createRng('pc-progress');
    const calls: [number, number][] = [];
    perContextBulkLogPartitions(randn(rng, 10, 2), randn(rng, 130, 2), [3], { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [64, 130],
      [128, 130],
      [130, 130],
    ]);
  });

  it('rejects bad input with typed errors naming the argument, and mutates nothing', () => {
    const rng = createRng('pc-errors');
    const V = randn(rng, 5, 2);
    const H = randn(rng, 3, 2);
    const v0 = V.data.slice();
    const h0 = H.data.slice();
    const ks = [1, 2];
    perContextBulkLogPartitions(V, H, ks);
    expect(Array.from(V.data)).toEqual(Array.from(v0));
    expect(Array.from(H.data)).toEqual(Array.from(h0));
    expect(ks).toEqual([1, 2]);
    const f = perContextBulkLogPartitions;
    expect(() => f(V, H, [5])).toThrow(DomainError);
    expect(() => f(V, H, [5])).toThrow("perContextBulkLogPartitions: argument 'ks[0]' must be an integer in [0, 4]; got 5");
    expect(() => f(V, H, [0, -1])).toThrow("perContextBulkLogPartitions: argument 'ks[1]' must be an integer in [0, 4]; got -1");
    expect(() => f(V, H, [1.5])).toThrow("argument 'ks[0]' must be an integer in [0, 4]; got 1.5");
    expect(() => f(V, H, [])).toThrow("perContextBulkLogPartitions: argument 'ks' must be a non-empty array of integers k in [0, n − 1]");
    // A hole in a sparse array is an entry too (forEach would skip it and the result would have a hole).
    const sparse = [1, 2];
    sparse.length = 3;
    sparse[3] = 1;
    expect(() => f(V, H, sparse)).toThrow(DomainError);
    expect(() => f(V, H, sparse)).toThrow("perContextBulkLogPartitions: argument 'ks[2]' must be");
    expect(() => f(V, H, 3 as unknown as number[])).toThrow(DomainError);
    expect(() => f(V, randn(rng, 3, 3), [1])).toThrow(ShapeError);
    expect(() => f(V, H, [1], 'x' as never)).toThrow("perContextBulkLogPartitions: argument 'opts' must be an options object or undefined");
    expect(() => f(V, H, [1], { onProgress: 3 as never })).toThrow("argument 'opts.onProgress' must be a function or undefined");
    const bad = { ...V, data: V.data.slice() };
    bad.data[3] = NaN;
    expect(() => f(bad, H, [1])).toThrow(DomainError);
    // Finite inputs whose products overflow float64.
    const big = logitsModel([1e308, 1]);
    expect(() => f(big.V, { rows: 1, cols: 1, data: Float64Array.of(1e10) }, [1])).toThrow(NumericalError);
    expect(() => f(big.V, { rows: 1, cols: 1, data: Float64Array.of(1e10) }, [1])).toThrow("perContextBulkLogPartitions: the logits V·h for row 0 of 'H' must be finite");
    // An overflow to −∞ is an overflow too, whatever k is: k = 0 alone (a separate code path) must
    // not count the word as zero mass and return a finite value while k = 1 throws.
    const neg = { rows: 1, cols: 1, data: Float64Array.of(-1e10) };
    for (const ks of [[0], [1], [0, 1]]) {
      expect(() => f(big.V, neg, ks)).toThrow(NumericalError);
      expect(() => f(big.V, neg, ks)).toThrow("perContextBulkLogPartitions: the logits V·h for row 0 of 'H' must be finite");
    }
  });
});
