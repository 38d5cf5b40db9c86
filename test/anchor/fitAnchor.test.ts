import fc from 'fast-check';
import { allWords, bulkExcluding, bulkExcludingTop, fitAnchor, fitAnchorFromLogPartition, anchorResiduals } from '../../src/anchor/index.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { solveLeastSquares } from '../../src/linalg/solveLeastSquares.js';
import type { Matrix } from '../../src/core/matrix.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { affine, createRng, fixedNorm, layerNormed, maxAbsDiff, norm, randn, relDiff } from './helpers.js';

describe('fitAnchor: a planted anchor is recovered', () => {
  it('from log Z_B values that are affine in h plus small noise', () => {
    const rng = createRng('planted-z');
    const m = 300;
    const d = 6;
    const H = randn(rng, m, d);
    const a = Float64Array.from({ length: d }, () => rng.normal());
    const c = 2.5;
    const zeta = affine(H, a, c);
    for (let i = 0; i < m; i++) zeta[i] += 1e-3 * rng.normal();
    const fit = fitAnchorFromLogPartition(H, zeta);
    // Noise σ = 1e-3 over 300 contexts with unit-variance h: each coefficient's standard error is
    // about 1e-3/√300 ≈ 6e-5, so 5e-4 is about 8 standard errors.
    expect(maxAbsDiff(fit.anchor, a)).toBeLessThan(5e-4);
    expect(Math.abs(fit.intercept - c)).toBeLessThan(5e-4);
    expect(fit.r2).toBeGreaterThan(0.99999);
    // The residual RMSE estimates the noise level (σ = 1e-3) to within 20 % on 300 draws.
    expect(fit.rmse).toBeGreaterThan(0.8e-3);
    expect(fit.rmse).toBeLessThan(1.2e-3);
    expect(fit.rank).toBe(d + 1);
    expect(fit.unidentifiedDirection).toBeUndefined();
    expect(fit.n).toBe(m);
  });

  it('from a model (V, H): bulk embeddings m0 + small noise give log Z_B ≈ ⟨m0, h⟩ + log|B|', () => {
    const rng = createRng('planted-V');
    const d = 5;
    const nTop = 4;
    const nBulk = 200;
    const n = nTop + nBulk;
    const m0 = Float64Array.from({ length: d }, () => rng.normal());
    const H = randn(rng, 120, d);
    const V = new Float64Array(n * d);
    // The top words are the first four; put them far out so they carry most of the probability.
    for (let w = 0; w < nTop; w++) for (let j = 0; j < d; j++) V[w * d + j] = 6 * rng.normal();
    for (let w = nTop; w < n; w++) for (let j = 0; j < d; j++) V[w * d + j] = m0[j] + 1e-3 * rng.normal();
    const Vm: Matrix = { rows: n, cols: d, data: V };
    const bulk = bulkExcluding(Int32Array.from({ length: nTop }, (_, i) => i), n);
    const fit = fitAnchor(Vm, H, bulk);
    // With the noise u_w of size 1e-3, log Σ exp⟨u_w, h⟩ = log|B| + O(1e-6·‖h‖²): the anchor and
    // intercept are exact to about 1e-5.
    expect(maxAbsDiff(fit.anchor, m0)).toBeLessThan(1e-4);
    expect(Math.abs(fit.intercept - Math.log(nBulk))).toBeLessThan(1e-4);
    expect(fit.r2).toBeGreaterThan(0.9999);
    expect(fit.maxAbsResidual).toBeLessThan(1e-4);
  });
});

describe("fitAnchor: docs/theory.md#3-the-anchor-vector's layer-norm fact", () => {
  // Bulk embeddings i.i.d. N(m, σ²I/d) and ‖h‖ = r: log Z_B(s) ≈ log|B| + ⟨m, h⟩ + σ²r²/(2d), so the
  // anchor approaches m and the residual shrinks as |B| grows (like 1/√|B|).
  const d = 8;
  const r = 2;
  const s2 = 0.25; // σ²r²/d, the variance of ⟨u_w, h⟩
  const sigma = Math.sqrt((s2 * d) / (r * r));
  const rng = createRng('layer-norm-fact');
  const mvec = Float64Array.from({ length: d }, () => 0.5 * rng.normal());
  const H = fixedNorm(rng, 400, d, r);
  const sizes = [30, 300, 3000, 20000];
  const fits = sizes.map((B) => {
    const V = randn(rng, B, d, sigma / Math.sqrt(d));
    for (let w = 0; w < B; w++) for (let j = 0; j < d; j++) V.data[w * d + j] += mvec[j];
    return fitAnchor(V, H, allWords(B));
  });

  it('the anchor error and the residual shrink as |B| grows', () => {
    const err = fits.map((f) => norm(f.anchor.map((x, j) => x - mvec[j])));
    for (let t = 1; t < sizes.length; t++) {
      expect(err[t]).toBeLessThan(err[t - 1]);
      expect(fits[t].rmse).toBeLessThan(fits[t - 1].rmse);
    }
    // At |B| = 20000 the fluctuation of log Σ exp⟨u_w,h⟩ is about √((e^{0.25} − 1)/20000) ≈ 4e-3;
    // the bounds below are 2–3 times that.
    expect(err[sizes.length - 1]).toBeLessThan(0.01);
    expect(fits[sizes.length - 1].rmse).toBeLessThan(0.004);
  });

  it('the intercept approaches log|B| + σ²r²/(2d)', () => {
    const last = fits[sizes.length - 1];
    // Same fluctuation scale as above (≈ 4e-3 per context, much less on the mean).
    expect(Math.abs(last.intercept - (Math.log(20000) + s2 / 2))).toBeLessThan(0.005);
  });
});

describe('fitAnchor: rank-deficient design (a final layer norm)', () => {
  const rng = createRng('rank-deficient');
  const d = 6;
  const gamma = Float64Array.from({ length: d }, () => 0.5 + rng.next());
  const beta = Float64Array.from({ length: d }, () => 0.3 * rng.normal());
  const H = layerNormed(rng, 200, d, gamma, beta);
  const a = Float64Array.from({ length: d }, () => rng.normal());
  const zeta = affine(H, a, 1.5);
  for (let i = 0; i < H.rows; i++) zeta[i] += 1e-2 * rng.normal();
  const fit = fitAnchorFromLogPartition(H, zeta);
  // The hyperplane: ⟨1/γ, h⟩ = ⟨1/γ, β⟩; its unit normal g.
  const g = gamma.map((x) => 1 / x);
  const gn = norm(g);
  for (let j = 0; j < d; j++) g[j] /= gn;
  const b = g.reduce((s, x, j) => s + x * beta[j], 0);

  it('does not fail: rank d, the condition number over the identified directions only, the unidentified direction and offset', () => {
    expect(fit.rank).toBe(d);
    // γ ∈ [0.5, 1.5] and unit-variance normalised rows: the d − 1 identified eigenvalues are O(1),
    // so the condition number is moderate; with the null eigenvalue (≈ 1e-16) it would be > 1e6.
    expect(Number.isFinite(fit.conditionNumber)).toBe(true);
    expect(fit.conditionNumber).toBeLessThan(100);
    expect(fit.conditionNumber).toBeGreaterThan(1);
    const u = fit.unidentifiedDirection!;
    // The direction is determined up to sign (normalised so its largest entry is positive).
    const cos = Math.abs(u.reduce((s, x, j) => s + x * g[j], 0));
    expect(cos).toBeGreaterThan(1 - 1e-9);
    const sign = Math.sign(u.reduce((s, x, j) => s + x * g[j], 0));
    expect(Math.abs(fit.unidentifiedOffset! - sign * b)).toBeLessThan(1e-9);
  });

  it('returns the finite minimum-norm anchor: orthogonal to g and no longer than any other solution', () => {
    expect(fit.anchor.every(Number.isFinite)).toBe(true);
    const along = fit.anchor.reduce((s, x, j) => s + x * g[j], 0);
    expect(Math.abs(along)).toBeLessThan(1e-8);
    // The planted anchor minus its g-component is the minimum-norm planted solution; noise 1e-2
    // over 200 contexts moves the fit by about 1e-3.
    const aPerp = a.map((x, j) => x - a.reduce((s, y, k) => s + y * g[k], 0) * g[j]);
    expect(maxAbsDiff(fit.anchor, aPerp)).toBeLessThan(5e-3);
    expect(norm(fit.anchor)).toBeLessThanOrEqual(norm(a) + 5e-3);
  });

  it('fitted values, MSE and R² equal the ridge solution as ridge → 0, and the anchors converge', () => {
    const fitted = (f: { anchor: Float64Array; intercept: number }): Float64Array => affine(H, f.anchor, f.intercept);
    const base = fitted(fit);
    let prevFitted = Infinity;
    let prevAnchor = Infinity;
    for (const ridge of [1e-4, 1e-6, 1e-8]) {
      const rf = fitAnchorFromLogPartition(H, zeta, { ridge });
      const df = maxAbsDiff(fitted(rf), base);
      const da = maxAbsDiff(rf.anchor, fit.anchor);
      expect(df).toBeLessThan(prevFitted);
      expect(da).toBeLessThan(prevAnchor);
      prevFitted = df;
      prevAnchor = da;
      expect(rf.rank).toBe(d);
    }
    // At ridge 1e-8 the ridge solution differs from the minimum-norm one by O(ridge/λ_min⁺) ≈ 1e-8.
    expect(prevFitted).toBeLessThan(1e-6);
    expect(prevAnchor).toBeLessThan(1e-6);
    const rf = fitAnchorFromLogPartition(H, zeta, { ridge: 1e-10 });
    expect(Math.abs(rf.mse - fit.mse) / fit.mse).toBeLessThan(1e-6);
    expect(Math.abs(rf.r2 - fit.r2)).toBeLessThan(1e-8);
  });

  it('every solution (anchor + t g, intercept − t b) has the same fitted values', () => {
    const t = 1e4;
    const shifted = affine(H, fit.anchor.map((x, j) => x + t * fit.unidentifiedDirection![j]), fit.intercept - t * fit.unidentifiedOffset!);
    // The shift is t·(⟨g, h⟩ − b) = t·O(1e-15): 1e4 times rounding.
    expect(maxAbsDiff(shifted, affine(H, fit.anchor, fit.intercept))).toBeLessThan(1e-9);
  });

  it('detects the hyperplane in float32 storage too, through the storage-precision tolerance', () => {
    const H32: Matrix = { rows: H.rows, cols: d, data: Float32Array.from(H.data) };
    const f32 = fitAnchorFromLogPartition(H32, zeta);
    expect(f32.rank).toBe(d);
    // Rounding h to float32 moves the points off the hyperplane by ~1e-7: the fit quality is the same.
    expect(Math.abs(f32.rmse - fit.rmse)).toBeLessThan(1e-5);
    expect(f32.rankTolerance).toBeGreaterThan(fit.rankTolerance);
  });
});

describe('fitAnchor agrees with solveLeastSquares on [H 1]', () => {
  it('for random well-conditioned problems, with weights and ridge (fast-check, 40 runs)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 12, max: 40 }), fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (d, m, seed, useRidge) => {
        const rng = createRng(seed);
        const H = randn(rng, m, d);
        const zeta = Float64Array.from({ length: m }, () => 3 * rng.normal());
        const weights = Float64Array.from({ length: m }, () => 0.1 + rng.next());
        const ridge = useRidge ? 0.05 : 0;
        const W = weights.reduce((s, x) => s + x, 0);
        const mine = fitAnchorFromLogPartition(H, zeta, { weights, ridge });
        // Both minimise Σ w e² / Σ w + λ‖v₀‖² (the library's one ridge convention).
        const ref = solveLeastSquares(H, zeta, { weights, ridge, intercept: true });
        // Both solve in float64 a problem with condition number ≲ 1e3: agreement to 1e-9 relative.
        expect(relDiff(mine.anchor, ref.coefficients)).toBeLessThan(1e-9);
        expect(Math.abs(mine.intercept - ref.intercept)).toBeLessThan(1e-9 * Math.max(1, Math.abs(ref.intercept)));
        expect(Math.abs(mine.mse - ref.residualSumOfSquares / W)).toBeLessThan(1e-9 * Math.max(1e-12, mine.mse) + 1e-14);
      }),
      { seed: 20231, numRuns: 40 },
    );
  });
});

describe('fitAnchor: hold-out split and metrics', () => {
  const rng = createRng('holdout');
  const H = randn(rng, 100, 3);
  const zeta = affine(H, [1, -2, 0.5], 4);
  for (let i = 0; i < 100; i++) zeta[i] += 0.1 * rng.normal();

  it('splits reproducibly for a seed, differently for another, and scores both parts', () => {
    const a = fitAnchorFromLogPartition(H, zeta, { holdout: 0.2, seed: 7 });
    const b = fitAnchorFromLogPartition(H, zeta, { holdout: 0.2, seed: 7 });
    const c = fitAnchorFromLogPartition(H, zeta, { holdout: 0.2, seed: 8 });
    expect(a).toEqual(b);
    expect(a.anchor).not.toEqual(c.anchor);
    expect(a.n).toBe(80);
    expect(a.heldOut!.n).toBe(20);
    // Noise σ = 0.1: both RMSEs are near 0.1 and far below the baseline (the spread of ζ ≈ 2.3).
    expect(a.heldOut!.rmse).toBeGreaterThan(0.05);
    expect(a.heldOut!.rmse).toBeLessThan(0.2);
    expect(a.heldOut!.selfNormalizationMse).toBeGreaterThan(1);
    expect(a.heldOut!.r2).toBeCloseTo(1 - a.heldOut!.mse / a.heldOut!.selfNormalizationMse, 14);
  });

  it('held-out metrics equal a direct computation on the held-out rows', () => {
    const fit = fitAnchorFromLogPartition(H, zeta, { holdout: 0.3, seed: 'x' });
    const e = anchorResiduals(fit, H, zeta);
    // With uniform weights the two parts partition the rows, so n·mse + n_ho·mse_ho = Σ e² over all
    // rows, and the larger of the two maxima is the overall maximum.
    const total = e.reduce((s, x) => s + x * x, 0);
    expect(fit.n * fit.mse + fit.heldOut!.n * fit.heldOut!.mse).toBeCloseTo(total, 10);
    const maxAll = Math.max(...Array.from(e, Math.abs));
    expect(Math.max(fit.maxAbsResidual, fit.heldOut!.maxAbsResidual)).toBeCloseTo(maxAll, 14);
  });

  it('in-sample baseline is Var(ζ) and R² = 1 − MSE/Var', () => {
    const fit = fitAnchorFromLogPartition(H, zeta);
    const mean = zeta.reduce((s, x) => s + x, 0) / 100;
    const v = zeta.reduce((s, x) => s + (x - mean) ** 2, 0) / 100;
    expect(fit.selfNormalizationMse).toBeCloseTo(v, 12);
    expect(fit.r2).toBeCloseTo(1 - fit.mse / v, 14);
    expect(fit.rmse).toBeCloseTo(Math.sqrt(fit.mse), 15);
  });

  it('zero-weight contexts do not count', () => {
    const w = new Float64Array(100).fill(1);
    const zeta2 = zeta.slice();
    for (let i = 90; i < 100; i++) {
      w[i] = 0;
      zeta2[i] = 1e6; // a wild value that would dominate if it were counted
    }
    const withZero = fitAnchorFromLogPartition(H, zeta2, { weights: w });
    const first90 = fitAnchorFromLogPartition({ rows: 90, cols: 3, data: H.data.slice(0, 270) }, zeta.slice(0, 90));
    expect(relDiff(withZero.anchor, first90.anchor)).toBeLessThan(1e-12);
    expect(withZero.maxAbsResidual).toBeCloseTo(first90.maxAbsResidual, 12);
  });
});

describe('fitAnchor: inputs and errors', () => {
  const rng = createRng('errors');
  const V = randn(rng, 10, 3);
  const H = randn(rng, 8, 3);
  const bulk = allWords(10);

  it('does not mutate its inputs and computes ζ with logPartition', () => {
    const V0 = V.data.slice();
    const H0 = H.data.slice();
    const b0 = bulk.slice();
    const w = new Float64Array(8).fill(1);
    const fit = fitAnchor(V, H, bulk, { weights: w, holdout: 0.25, seed: 1 });
    expect(V.data).toEqual(V0);
    expect(H.data).toEqual(H0);
    expect(bulk).toEqual(b0);
    expect(w).toEqual(new Float64Array(8).fill(1));
    const direct = fitAnchorFromLogPartition(H, logPartition(V, H, bulk), { weights: w, holdout: 0.25, seed: 1 });
    expect(fit).toEqual(direct);
  });

  it('throws typed errors that name the function and the argument', () => {
    expect(() => fitAnchor(V, randn(rng, 8, 4), bulk)).toThrow(ShapeError);
    expect(() => fitAnchor(V, randn(rng, 8, 4), bulk)).toThrow("fitAnchor: argument 'H' must be a matrix with 3 columns (V.cols, the dimension d); got a 8×4 matrix");
    expect(() => fitAnchor(V, H, new Int32Array(0))).toThrow("fitAnchor: argument 'bulk' must be a non-empty set of word indices; got an empty Int32Array");
    expect(() => fitAnchor(V, H, Int32Array.of(1, 1))).toThrow(DomainError);
    expect(() => fitAnchor(V, H, Int32Array.of(1, 1))).toThrow("fitAnchor: argument 'bulk' must be distinct word indices; got 1 repeated at position 1");
    expect(() => fitAnchor(V, H, Int32Array.of(10))).toThrow("fitAnchor: argument 'bulk' must be word indices in [0, 10); got 10 at position 0");
    expect(() => fitAnchor(V, H, bulk, { ridge: -1 })).toThrow("fitAnchor: argument 'opts.ridge' must be a finite number ≥ 0; got -1");
    expect(() => fitAnchor(V, H, bulk, { holdout: 1 })).toThrow("fitAnchor: argument 'opts.holdout' must be a finite number in [0, 1); got 1");
    expect(() => fitAnchor(V, H, bulk, { holdout: 0.01 })).toThrow(
      "fitAnchor: argument 'opts.holdout' must be a fraction that leaves at least one context in each part of the 8 contexts; got 0.01",
    );
    expect(() => fitAnchor(V, H, bulk, { rcond: 0 })).toThrow("fitAnchor: argument 'opts.rcond' must be a finite number in (0, 1); got 0");
    expect(() => fitAnchor(V, H, bulk, { seed: '' })).toThrow("fitAnchor: argument 'opts.seed' must be a non-empty string or a finite number; got \"\"");
    expect(() => fitAnchor(V, H, bulk, { weights: new Float64Array(8) })).toThrow("fitAnchor: argument 'opts.weights' must be not all zero; got all zeros");
    expect(() => fitAnchor(V, H, bulk, { weights: new Float64Array(7) })).toThrow(ShapeError);
    expect(() => fitAnchor(V, H, bulk, { weights: new Float64Array(7) })).toThrow("fitAnchor: argument 'opts.weights' must be of length 8 (one per context, H.rows); got length 7");
    expect(() => fitAnchor(V, H, bulk, { weights: Float64Array.of(1, 1, 1, 1, 1, 1, 1, -1) })).toThrow("fitAnchor: argument 'opts.weights' must be finite and non-negative; got -1 at [7]");
    const Hn = { rows: 8, cols: 3, data: H.data.slice() };
    Hn.data[4] = NaN;
    expect(() => fitAnchor(V, Hn, bulk)).toThrow("fitAnchor: argument 'H' must be finite everywhere; got NaN at (1, 1)");
    expect(() => fitAnchorFromLogPartition(H, new Float64Array(7))).toThrow("fitAnchorFromLogPartition: argument 'zeta' must be of length 8 (one per context, H.rows); got length 7");
    expect(() => fitAnchorFromLogPartition(H, new Float64Array(8).fill(Infinity))).toThrow("fitAnchorFromLogPartition: argument 'zeta' must be finite everywhere; got Infinity at [0]");
    expect(() => fitAnchorFromLogPartition({ rows: 0, cols: 3, data: new Float64Array(0) }, new Float64Array(0))).toThrow("fitAnchorFromLogPartition: argument 'H' must be a non-empty matrix; got a 0×3 matrix");
    expect(() => anchorResiduals({ anchor: new Float64Array(2), intercept: 0 }, H, new Float64Array(8))).toThrow("anchorResiduals: argument 'H' must be a matrix with 2 columns (the anchor's length); got a 8×3 matrix");
    expect(() => anchorResiduals({ anchor: Float64Array.of(1, NaN, 0), intercept: 0 }, H, new Float64Array(8))).toThrow(DomainError);
    expect(() => anchorResiduals({ anchor: Float64Array.of(1, NaN, 0), intercept: 0 }, H, new Float64Array(8))).toThrow("anchorResiduals: argument 'fit.anchor' must be finite everywhere; got NaN at [1]");
    expect(() => anchorResiduals({ anchor: new Float64Array(3), intercept: Infinity }, H, new Float64Array(8))).toThrow("anchorResiduals: argument 'fit.intercept' must be a finite number; got Infinity");
  });

  it('a logit that overflows is a NumericalError naming fitAnchor, not a NaN fit', () => {
    // Finite inputs whose product 1e200 · 1e200 overflows float64 in the second context.
    const Vb: Matrix = { rows: 2, cols: 1, data: Float64Array.of(1e200, 1) };
    const Hb: Matrix = { rows: 2, cols: 1, data: Float64Array.of(1, 1e200) };
    expect(() => fitAnchor(Vb, Hb, allWords(2))).toThrow(NumericalError);
    expect(() => fitAnchor(Vb, Hb, allWords(2))).toThrow("fitAnchor: the logits V·h for row 1 of 'H' must be finite; got an overflow beyond the float64 range: scale V or H down");
  });

  it('a single context gives the constant fit', () => {
    const fit = fitAnchorFromLogPartition({ rows: 1, cols: 2, data: Float64Array.of(1, 2) }, Float64Array.of(3));
    expect(fit.rank).toBe(1);
    expect(Array.from(fit.anchor)).toEqual([0, 0]);
    expect(fit.intercept).toBe(3);
    expect(fit.r2).toBe(1);
    expect(fit.mse).toBe(0);
  });

  it('bulkExcludingTop feeds fitAnchor (an end-to-end use)', () => {
    const fit = fitAnchor(V, H, bulkExcludingTop(V, H, 3));
    expect(fit.n).toBe(8);
    expect(Number.isFinite(fit.rmse)).toBe(true);
  });
});
