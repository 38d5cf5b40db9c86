import fc from 'fast-check';
import { AnchorAccumulator, allWords, fitAnchor, fitAnchorFromLogPartition } from '../../src/anchor/index.js';
import { DomainError, FormatError, NumericalError, ShapeError } from '../../src/core/errors.js';
import type { Matrix } from '../../src/core/matrix.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { affine, createRng, layerNormed, randn, relDiff } from './helpers.js';

function rows(H: Matrix, a: number, b: number): Matrix {
  return { rows: b - a, cols: H.cols, data: H.data.slice(a * H.cols, b * H.cols) };
}

describe('AnchorAccumulator: merged accumulators equal one pass', () => {
  it('for random splits into up to four chunks, with weights and a large mean (fast-check, 60 runs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 10, max: 60 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.array(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (d, m, seed, cutsFrac, weighted) => {
          const rng = createRng(seed);
          const H = randn(rng, m, d);
          // An offset of 100 in every coordinate, as real hidden states have: the centred statistics
          // must not lose the spread (≈ 1) to cancellation against the mean (≈ 100).
          for (let i = 0; i < H.data.length; i++) H.data[i] += 100;
          const zeta = Float64Array.from({ length: m }, () => 5 + rng.normal());
          const w = weighted ? Float64Array.from({ length: m }, () => rng.next()) : undefined;
          const one = new AnchorAccumulator(d).addLogPartition(H, zeta, w ? { weights: w } : undefined);
          const cuts = [0, ...[...new Set(cutsFrac.map((f) => Math.floor(f * m)))].sort((x, y) => x - y), m];
          const parts = [];
          for (let t = 0; t + 1 < cuts.length; t++) {
            const [a, b] = [cuts[t], cuts[t + 1]];
            parts.push(new AnchorAccumulator(d).addLogPartition(rows(H, a, b), zeta.slice(a, b), w ? { weights: w.slice(a, b) } : undefined));
          }
          // Merge in reverse order through JSON, as shards from other machines would arrive.
          const merged = AnchorAccumulator.fromJSON(JSON.stringify(parts[parts.length - 1]));
          for (let t = parts.length - 2; t >= 0; t--) merged.merge(AnchorAccumulator.fromJSON(JSON.parse(JSON.stringify(parts[t])) as unknown));
          const f1 = one.fit();
          const f2 = merged.fit();
          expect(merged.count).toBe(m);
          // The criterion: relative difference ≤ 1e-10 (the problems are well conditioned
          // after centring; rounding differences are ~1e-14).
          expect(relDiff(f2.anchor, f1.anchor)).toBeLessThanOrEqual(1e-10);
          expect(Math.abs(f2.intercept - f1.intercept)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(f1.intercept)));
          expect(Math.abs(f2.mse - f1.mse)).toBeLessThanOrEqual(1e-10 * f1.mse + 1e-15);
          expect(Math.abs(f2.selfNormalizationMse - f1.selfNormalizationMse)).toBeLessThanOrEqual(1e-10 * f1.selfNormalizationMse);
          expect(f2.rank).toBe(f1.rank);
        },
      ),
      { seed: 4242, numRuns: 60 },
    );
  });

  it('add(V, H, bulk) in chunks equals fitAnchor on all contexts (anchor ≤ 1e-10; MSE from statistics ≤ 1e-8)', () => {
    const rng = createRng('acc-vs-fit');
    const V = randn(rng, 50, 4);
    const H = randn(rng, 90, 4);
    const bulk = allWords(50).subarray(5);
    const acc = new AnchorAccumulator(4).add(V, rows(H, 0, 30), bulk).add(V, rows(H, 30, 31), bulk).add(V, rows(H, 31, 90), bulk);
    const fa = acc.fit();
    const ff = fitAnchor(V, H, bulk);
    expect(relDiff(fa.anchor, ff.anchor)).toBeLessThanOrEqual(1e-10);
    expect(Math.abs(fa.intercept - ff.intercept)).toBeLessThanOrEqual(1e-10 * Math.abs(ff.intercept));
    // fitAnchor recomputes the MSE from residuals; the statistics' formula Var − 2⟨v₀,r⟩ + v₀ᵀCv₀
    // agrees to rounding times 1/(1 − R²) (here R² is moderate).
    expect(Math.abs(fa.mse - ff.mse) / ff.mse).toBeLessThan(1e-8);
    expect(fa.r2).toBeCloseTo(ff.r2, 8);
    expect(fa.n).toBe(90);
    expect('maxAbsResidual' in fa).toBe(false);
  });

  it('a rank-deficient (layer-norm) merge matches the one-pass fitted values and rank', () => {
    const rng = createRng('acc-ln');
    const d = 5;
    const H = layerNormed(rng, 80, d, new Float64Array(d).fill(1), new Float64Array(d));
    const zeta = affine(H, [1, 2, 3, 4, 5], 0.5);
    for (let i = 0; i < 80; i++) zeta[i] += 0.01 * rng.normal();
    const one = new AnchorAccumulator(d).addLogPartition(H, zeta).fit();
    const merged = new AnchorAccumulator(d).addLogPartition(rows(H, 0, 37), zeta.slice(0, 37)).merge(new AnchorAccumulator(d).addLogPartition(rows(H, 37, 80), zeta.slice(37))).fit();
    expect(merged.rank).toBe(d);
    expect(one.rank).toBe(d);
    // The minimum-norm anchor is unique, so it too agrees (to rounding amplified by the nonzero
    // eigenvalues' condition, ≈ 10 here).
    expect(relDiff(merged.anchor, one.anchor)).toBeLessThan(1e-10);
    expect(relDiff(affine(H, merged.anchor, merged.intercept), affine(H, one.anchor, one.intercept))).toBeLessThan(1e-10);
    const direct = fitAnchorFromLogPartition(H, zeta);
    expect(relDiff(direct.anchor, one.anchor)).toBeLessThan(1e-10);
  });
});

describe('AnchorAccumulator: JSON', () => {
  const rng = createRng('acc-json');
  const H = randn(rng, 20, 3);
  const zeta = Float64Array.from({ length: 20 }, () => rng.normal());
  const acc = new AnchorAccumulator(3).addLogPartition(H, zeta);

  it('round-trips exactly (JSON.stringify writes doubles exactly)', () => {
    const text = JSON.stringify(acc);
    const back = AnchorAccumulator.fromJSON(text);
    expect(back.toJSON()).toEqual(acc.toJSON());
    expect(back.fit()).toEqual(acc.fit());
    expect(acc.toJSON().comomentHidden).toHaveLength(6);
    expect(back.count).toBe(20);
    expect(back.weight).toBe(20);
  });

  it('rejects malformed JSON with FormatErrors that name the field', () => {
    const good = acc.toJSON();
    expect(() => AnchorAccumulator.fromJSON('{not json')).toThrow(FormatError);
    expect(() => AnchorAccumulator.fromJSON('{not json')).toThrow(/^AnchorAccumulator\.fromJSON: argument 'json' must be JSON text; got a parse error/);
    expect(() => AnchorAccumulator.fromJSON({ ...good, format: 'x' })).toThrow("AnchorAccumulator.fromJSON: argument 'json' must have 'format' 'lmtransfer.anchorAccumulator'; got \"x\"");
    expect(() => AnchorAccumulator.fromJSON({ ...good, version: 2 })).toThrow("must have 'version' 1; got 2");
    expect(() => AnchorAccumulator.fromJSON({ ...good, dim: 0 })).toThrow("must have 'dim' a positive integer; got 0");
    expect(() => AnchorAccumulator.fromJSON({ ...good, meanHidden: [1, 2] })).toThrow("must have 'meanHidden' an array of 3 numbers; got an array of length 2");
    expect(() => AnchorAccumulator.fromJSON({ ...good, comomentCross: [1, null, 2] })).toThrow("must have 'comomentCross[1]' a finite number; got null");
    expect(() => AnchorAccumulator.fromJSON({ ...good, weight: -1 })).toThrow("must have 'weight' a finite number ≥ 0; got -1");
    expect(() => AnchorAccumulator.fromJSON(null)).toThrow(FormatError);
  });
});

describe('AnchorAccumulator: inputs and errors', () => {
  const rng = createRng('acc-errors');
  const V = randn(rng, 6, 2);
  const H = randn(rng, 5, 2);

  it('does not mutate its inputs or the merged accumulator', () => {
    const zeta = logPartition(V, H);
    const H0 = H.data.slice();
    const z0 = zeta.slice();
    const other = new AnchorAccumulator(2).addLogPartition(H, zeta);
    const before = JSON.stringify(other);
    new AnchorAccumulator(2).add(V, H, allWords(6)).merge(other);
    expect(JSON.stringify(other)).toBe(before);
    expect(H.data).toEqual(H0);
    expect(zeta).toEqual(z0);
  });

  it('throws typed errors naming the method and argument', () => {
    expect(() => new AnchorAccumulator(0)).toThrow("AnchorAccumulator: argument 'dim' must be an integer ≥ 1; got 0");
    expect(() => new AnchorAccumulator(3).add(V, H, allWords(6))).toThrow(ShapeError);
    expect(() => new AnchorAccumulator(3).add(V, H, allWords(6))).toThrow("AnchorAccumulator.add: argument 'V' must be a matrix with 3 columns (the accumulator's dim); got a 6×2 matrix");
    expect(() => new AnchorAccumulator(2).addLogPartition(H, new Float64Array(4))).toThrow("AnchorAccumulator.addLogPartition: argument 'zeta' must be of length 5 (one per context, H.rows); got length 4");
    expect(() => new AnchorAccumulator(2).merge(new AnchorAccumulator(3))).toThrow("AnchorAccumulator.merge: argument 'other' must be an accumulator of dim 2; got dim 3");
    expect(() => new AnchorAccumulator(2).merge({} as AnchorAccumulator)).toThrow(DomainError);
    expect(() => new AnchorAccumulator(2).fit()).toThrow("AnchorAccumulator.fit: argument 'this' must be an accumulator with contexts of positive total weight; got 0 contexts of total weight 0");
    expect(() => new AnchorAccumulator(2).addLogPartition(H, new Float64Array(5)).fit({ ridge: NaN })).toThrow("AnchorAccumulator.fit: argument 'opts.ridge' must be a finite number ≥ 0; got NaN");
    expect(() => new AnchorAccumulator(2).addLogPartition(H, new Float64Array(5), { weights: new Float64Array(5).fill(-1) })).toThrow(
      "AnchorAccumulator.addLogPartition: argument 'opts.weights' must be finite and non-negative; got -1 at [0]",
    );
  });

  it('a logit that overflows in add is a NumericalError naming the method', () => {
    const Vb: Matrix = { rows: 2, cols: 1, data: Float32Array.of(1e30, 1) };
    const Hb: Matrix = { rows: 1, cols: 1, data: Float32Array.of(1e30) };
    const acc = new AnchorAccumulator(1);
    expect(() => acc.add(Vb, Hb, allWords(2))).toThrow(NumericalError);
    expect(() => acc.add(Vb, Hb, allWords(2))).toThrow("AnchorAccumulator.add: the logits V·h for row 0 of 'H' must be finite; got an overflow beyond the float32 range: scale V or H down");
    expect(acc.count).toBe(0); // nothing was added
  });

  it('an empty chunk is a no-op', () => {
    const acc = new AnchorAccumulator(2).addLogPartition({ rows: 0, cols: 2, data: new Float64Array(0) }, new Float64Array(0));
    expect(acc.count).toBe(0);
  });
});
