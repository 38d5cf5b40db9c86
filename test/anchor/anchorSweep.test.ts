import fc from 'fast-check';
import { anchorSweep, bulkExcludingTop, fitAnchor, fitAnchorFromLogPartition, hiddenRowSource, meanWordProbabilities } from '../../src/anchor/index.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { floatToHalf, halfToFloat } from '../../src/io/halfFloat.js';
import { solveLeastSquares } from '../../src/linalg/solveLeastSquares.js';
import type { Matrix } from '../../src/core/matrix.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { createRng, layerNormed, maxAbsDiff, norm, randn, relDiff } from './helpers.js';

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

describe('anchorSweep: the same numbers as bulkExcludingTop + fitAnchor, in two passes over V·H', () => {
  it('log Z_B of every bulk equals logPartition(V, H, bulk), the fits equal fitAnchor', () => {
    const rng = createRng('sweep-vs-fit');
    const V = randn(rng, 80, 6, 0.8);
    const H = randn(rng, 240, 6, 1.5);
    const ks = [0, 3, 10, 1];
    const sweep = anchorSweep(V, H, ks);
    expect(sweep.passes.logits).toBe(2);
    expect(sweep.contexts.ranking).toBe('training');
    ks.forEach((k, j) => {
      const bulk = bulkExcludingTop(V, H, k);
      const b = sweep.bulks[j];
      expect(b.excludeTop).toBe(k);
      expect(b.bulkSize).toBe(80 - k);
      // Same excluded words, in the ranking's order.
      expect(Array.from(b.excludedWords!).sort((x, y) => x - y)).toEqual(Array.from({ length: 80 }, (_, w) => w).filter((w) => !bulk.includes(w)));
      // log Z_B: at most 80 terms in [0, 1] summed in float64 in another order, so the values agree
      // to about 80·2⁻⁵³ relative in the sum, i.e. ≤ 1e-13 absolute in log Z_B.
      expect(maxAbsDiff(sweep.logPartitions[j], logPartition(V, H, bulk))).toBeLessThan(1e-13);
      const fit = fitAnchor(V, H, bulk);
      expect(relDiff(b.fit.anchor, fit.anchor)).toBeLessThan(1e-9);
      expect(Math.abs(b.fit.intercept - fit.intercept)).toBeLessThan(1e-9);
      expect(Math.abs(b.fit.r2 - fit.r2)).toBeLessThan(1e-10);
      expect(b.fit.rank).toBe(fit.rank);
    });
    // The excluded mass is the sum of the excluded words' mean probabilities.
    const { mean } = meanWordProbabilities(V, H);
    const top = sweep.bulks[2];
    let mass = 0;
    for (const w of top.excludedWords!) mass += mean[w];
    expect(Math.abs(top.excludedMass! - mass)).toBeLessThan(1e-14);
    expect(sweep.bulks[0].excludedMass).toBe(0);
  });

  it('streaming H in chunks of any size gives the same fits (to rounding of the merge)', () => {
    const rng = createRng('sweep-chunks');
    const V = randn(rng, 50, 5);
    const H = randn(rng, 173, 5);
    const whole = anchorSweep(V, H, [0, 4], { holdout: 0.25, seed: 3 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (chunkRows) => {
        const s = anchorSweep(V, H, [0, 4], { holdout: 0.25, seed: 3, chunkRows });
        for (let j = 0; j < 2; j++) {
          if (!(relDiff(s.bulks[j].fit.anchor, whole.bulks[j].fit.anchor) < 1e-10)) return false;
          // The product's blocking follows the chunk (rows < 64 per block), so log Z_B may differ in
          // the last bits: 50 terms in float64, ≤ 1e-14 absolute.
          if (!(maxAbsDiff(s.logPartitions[j], whole.logPartitions[j]) < 1e-14)) return false;
          if (!(Math.abs(s.bulks[j].fit.heldOut!.mse - whole.bulks[j].fit.heldOut!.mse) <= 1e-12 * whole.bulks[j].fit.heldOut!.mse)) return false;
        }
        return sameBits(s.bulks[1].excludedWords!, whole.bulks[1].excludedWords!);
      }),
      { seed: 1403, numRuns: 25 },
    );
  });

  it('float32 inputs: the fused kernel path and the per-context bulks', () => {
    const rng = createRng('sweep-f32');
    const V64 = randn(rng, 300, 16, 0.5);
    const H64 = randn(rng, 400, 16);
    const V: Matrix = { rows: 300, cols: 16, data: Float32Array.from(V64.data) };
    const H: Matrix = { rows: 400, cols: 16, data: Float32Array.from(H64.data) };
    const sweep = anchorSweep(V, H, [0, 20], { perContextTop: [5] });
    expect(sweep.passes.logits).toBe(3);
    expect(sweep.bulks[2].perContextTop).toBe(5);
    const bulk = bulkExcludingTop(V, H, 20);
    // Both from float32 logits, whose 16-term dot products are accumulated in other orders by the
    // fused kernel and by the product of the top words: each logit (|z| ≲ 10) may differ by about
    // 16·2⁻²⁴·10 ≈ 1e-5 in the worst case, so log Z_B by as much; typically 1e-8. Bound 1e-5.
    expect(maxAbsDiff(sweep.logPartitions[1], logPartition(V, H, bulk))).toBeLessThan(1e-5);
    expect(maxAbsDiff(sweep.logPartitions[0], logPartition(V, H))).toBeLessThan(1e-5);
    // The smallest bulk comes from the fused kernel itself: bitwise logPartition.
    expect(sameBits(sweep.logPartitions[1], logPartition(V, H, bulk))).toBe(true);
  });
});

describe('anchorSweep: the held-out protocol', () => {
  it('held-out rows change neither the ranking nor the fit: permuted and corrupted, the anchors are bitwise the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0.1, max: 0.5, noNaN: true }), (seed, holdout) => {
        const rng = createRng(`protocol-${seed}`);
        const n = 40;
        const d = 4;
        const m = 90;
        const V = randn(rng, n, d);
        const H = randn(rng, m, d);
        const ks = [0, 2, 6];
        const a = anchorSweep(V, H, ks, { holdout, seed, chunkRows: 16 });
        const test = a.contexts.heldOut;
        // Corrupt the held-out rows: a reversed permutation among themselves, then half of them
        // pushed towards the rarest word so hard that a ranking over all contexts would pick it.
        const H2 = { rows: m, cols: d, data: H.data.slice() };
        for (let t = 0; t < test.length; t++) {
          const src = test[test.length - 1 - t];
          H2.data.set(H.data.subarray(src * d, src * d + d), test[t] * d);
        }
        const { mean } = meanWordProbabilities(V, H);
        let rare = 0;
        for (let w = 1; w < n; w++) if (mean[w] < mean[rare]) rare = w;
        for (let t = 0; t < test.length; t += 2) for (let j = 0; j < d; j++) H2.data[test[t] * d + j] = 6 * V.data[rare * d + j];
        const b = anchorSweep(V, H2, ks, { holdout, seed, chunkRows: 16 });
        for (let j = 0; j < ks.length; j++) {
          if (!sameBits(a.bulks[j].fit.anchor, b.bulks[j].fit.anchor)) return false;
          if (!Object.is(a.bulks[j].fit.intercept, b.bulks[j].fit.intercept)) return false;
          if (!Object.is(a.bulks[j].fit.mse, b.bulks[j].fit.mse)) return false;
          if (!sameBits(a.bulks[j].excludedWords!, b.bulks[j].excludedWords!)) return false;
        }
        // The corruption did reach the held-out scores (so the test could see a leak).
        return a.bulks[0].fit.heldOut!.mse !== b.bulks[0].fit.heldOut!.mse && !b.bulks[2].excludedWords!.includes(rare);
      }),
      { seed: 1407, numRuns: 20 },
    );
  });

  it('every held-out number is the training fit scored on the held-out part, the baseline centred on the TRAINING mean (hand computation)', () => {
    const rng = createRng('protocol-hand');
    const V = randn(rng, 30, 3);
    const H = randn(rng, 60, 3, 1.3);
    const sweep = anchorSweep(V, H, [0, 5], { holdout: 0.3, seed: 'hand' });
    const { training, heldOut } = sweep.contexts;
    expect(training.length + heldOut.length).toBe(60);
    expect(heldOut.length).toBe(18);
    for (let j = 0; j < 2; j++) {
      const z = sweep.logPartitions[j];
      const fit = sweep.bulks[j].fit;
      // The anchor: ordinary least squares of ζ on [h 1] over the training rows only.
      const X = { rows: training.length, cols: 4, data: new Float64Array(training.length * 4) };
      const y = new Float64Array(training.length);
      training.forEach((i, t) => {
        for (let c = 0; c < 3; c++) X.data[t * 4 + c] = H.data[i * 3 + c];
        X.data[t * 4 + 3] = 1;
        y[t] = z[i];
      });
      const beta = solveLeastSquares(X, y).coefficients;
      expect(maxAbsDiff(fit.anchor, beta.subarray(0, 3))).toBeLessThan(1e-11);
      expect(Math.abs(fit.intercept - beta[3])).toBeLessThan(1e-11);
      const pred = (i: number): number => fit.intercept + fit.anchor[0] * H.data[i * 3] + fit.anchor[1] * H.data[i * 3 + 1] + fit.anchor[2] * H.data[i * 3 + 2];
      const avg = (rows: Int32Array, f: (i: number) => number): number => Array.from(rows).reduce((s, i) => s + f(i), 0) / rows.length;
      const trainMean = avg(training, (i) => z[i]);
      const heldMean = avg(heldOut, (i) => z[i]);
      const baseHeld = avg(heldOut, (i) => (z[i] - trainMean) ** 2);
      const baseHeldWrong = avg(heldOut, (i) => (z[i] - heldMean) ** 2);
      const mseHeld = avg(heldOut, (i) => (z[i] - pred(i)) ** 2);
      const ho = fit.heldOut!;
      expect(Math.abs(ho.selfNormalizationMse - baseHeld)).toBeLessThan(1e-13 * baseHeld);
      expect(Math.abs(ho.mse - mseHeld)).toBeLessThan(1e-12 * mseHeld);
      expect(Math.abs(ho.r2 - (1 - mseHeld / baseHeld))).toBeLessThan(1e-12);
      // The held-out mean would give a different (smaller) baseline: the test tells them apart.
      expect(Math.abs(baseHeldWrong - baseHeld)).toBeGreaterThan(1e-6 * baseHeld);
      expect(Math.abs(fit.selfNormalizationMse - avg(training, (i) => (z[i] - trainMean) ** 2))).toBeLessThan(1e-13 * fit.selfNormalizationMse);
      // fitAnchorFromLogPartition follows the same definitions on the same split.
      const single = fitAnchorFromLogPartition(H, z, { holdout: 0.3, seed: 'hand' });
      expect(Math.abs(single.heldOut!.selfNormalizationMse - baseHeld)).toBeLessThan(1e-13 * baseHeld);
      expect(Math.abs(single.heldOut!.mse - mseHeld)).toBeLessThan(1e-10 * mseHeld);
    }
  });
});

describe('anchorSweep: rank tolerance from the STORED precision', () => {
  const d = 24;
  const m = 600;
  const rng = createRng('ln-f16');
  const ones = new Float64Array(d).fill(1);
  // Rows centred then scaled (a layer norm without affine part): Σ_j h_j = 0, rank d of [h 1].
  const H64 = layerNormed(rng, m, d, ones, new Float64Array(d));
  const H16: Matrix = { rows: m, cols: d, data: Float32Array.from(H64.data, (x) => halfToFloat(floatToHalf(x))) };
  const V = randn(rng, 200, d, 0.3);

  it('a float16 LayerNorm H reports rank d and the minimum-norm anchor', () => {
    const s = anchorSweep(V, hiddenRowSource(H16, 'float16'), [0]);
    const fit = s.bulks[0].fit;
    expect(fit.rank).toBe(d);
    // The null direction is 1/√d (1, …, 1) and the minimum-norm anchor has no component along it.
    const g = fit.unidentifiedDirection!;
    expect(Math.abs(g.reduce((a, x) => a + x, 0) / Math.sqrt(d) - 1)).toBeLessThan(1e-6);
    let along = 0;
    for (let j = 0; j < d; j++) along += fit.anchor[j] * g[j];
    expect(Math.abs(along)).toBeLessThan(1e-9 * norm(fit.anchor));
    // The same anchor as the exact (float64) layer-normed H gives, to float16 rounding.
    const exact = anchorSweep(V, H64, [0]).bulks[0].fit;
    expect(exact.rank).toBe(d);
    expect(relDiff(fit.anchor, exact.anchor)).toBeLessThan(1e-2);
    // The condition number is over the identified directions: finite and moderate.
    expect(fit.conditionNumber).toBeLessThan(100);
  });

  it('the float32 tolerance on the same values misses the null direction (what the stored dtype fixes)', () => {
    const fit = anchorSweep(V, hiddenRowSource(H16, 'float32'), [0]).bulks[0].fit;
    expect(fit.rank).toBe(d + 1);
  });
});

describe('anchorSweep: bad input', () => {
  const rng = createRng('sweep-bad');
  const V = randn(rng, 10, 3);
  const H = randn(rng, 20, 3);
  it('names the argument', () => {
    expect(() => anchorSweep(V, H, [10])).toThrow(/anchorSweep: argument 'excludeTop\[0\]'/);
    expect(() => anchorSweep(V, H, [])).toThrow(DomainError);
    expect(() => anchorSweep(V, randn(rng, 20, 4), [0])).toThrow(ShapeError);
    expect(() => anchorSweep(V, H, [0], { holdout: 0.999 })).toThrow(/opts.holdout/);
    const bad = { rows: 20, cols: 3, data: H.data.slice() };
    bad.data[7] = NaN;
    expect(() => anchorSweep(V, bad, [0])).toThrow(/argument 'H' must be finite in every entry; got NaN at \[2, 1\]/);
    const big = { rows: 20, cols: 3, data: H.data.map((x) => x * 1e300) };
    expect(() => anchorSweep({ rows: 10, cols: 3, data: V.data.map((x) => x * 1e10) }, big, [0, 2])).toThrow(NumericalError);
  });
  it('does not mutate its inputs', () => {
    const v0 = V.data.slice();
    const h0 = H.data.slice();
    anchorSweep(V, H, [0, 3], { holdout: 0.2 });
    expect(sameBits(V.data, v0) && sameBits(H.data, h0)).toBe(true);
  });
});
