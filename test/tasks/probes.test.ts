/**
 * Probes against references: ridge = normal equations, logistic = a separate Newton solve with a
 * gradient below 1e-8; and the fitted ridge probe against Theorem 1's transfer probe on the same
 * generated instances.
 */
import fc from 'fast-check';
import { fitRidgeProbe, fitLogisticProbe, transferProbe } from '../../src/tasks/index.js';
import { createRng } from '../../src/random/createRng.js';
import type { Matrix } from '../../src/core/matrix.js';
import { fromRows } from '../../src/core/matrix.js';
import { DomainError, NumericalError } from '../../src/core/errors.js';
import { generate, fitLsAnchor } from '../theory/instanceGenerator.js';

/** Solve A x = b by Gauss–Jordan with partial pivoting (the test's own reference solver). */
function gaussJordan(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((r, i) => r[n] / r[i]);
}

function randomDesign(seed: number): { H: Matrix; y: Float64Array; w: Float64Array } {
  const rng = createRng(`probe-${seed}`);
  const m = 8 + rng.int(30);
  const d = 1 + rng.int(5);
  const data = new Float64Array(m * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * (1 + rng.int(3));
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) y[i] = rng.normal() + data[i * d];
  const w = Float64Array.from({ length: m }, () => 0.1 + rng.next());
  return { H: { rows: m, cols: d, data }, y, w };
}

describe('fitRidgeProbe', () => {
  it('equals the normal-equations solution of (1/Σμ)Σ μ (y − ⟨w,h⟩ − b)² + λ‖w‖²', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0, max: 2, noNaN: true }), fc.boolean(), (seed, ridge, weighted) => {
        const { H, y, w } = randomDesign(seed);
        const mu = weighted ? w : new Float64Array(H.rows).fill(1);
        const total = mu.reduce((s, v) => s + v, 0);
        const d = H.cols;
        // Normal equations in (w, b): [XᵀMX/Σμ + λ diag(1..1, 0)] θ = XᵀMy/Σμ, X = [H 1].
        const A = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
        const b = new Array<number>(d + 1).fill(0);
        for (let i = 0; i < H.rows; i++) {
          const x = [...Array.from(H.data.subarray(i * d, (i + 1) * d)), 1];
          for (let r = 0; r <= d; r++) {
            b[r] += (mu[i] * x[r] * y[i]) / total;
            for (let c = 0; c <= d; c++) A[r][c] += (mu[i] * x[r] * x[c]) / total;
          }
        }
        for (let k = 0; k < d; k++) A[k][k] += ridge;
        const theta = gaussJordan(A, b);
        const probe = fitRidgeProbe(H, y, { ridge, weights: weighted ? w : undefined });
        // Relative 1e-8: both solve a well-conditioned (d+1)×(d+1) system; conditioning of the
        // random designs stays below ~1e4.
        for (let k = 0; k < d; k++) expect(Math.abs(probe.coefficients[k] - theta[k])).toBeLessThanOrEqual(1e-8 * (1 + Math.abs(theta[k])));
        expect(Math.abs(probe.bias - theta[d])).toBeLessThanOrEqual(1e-8 * (1 + Math.abs(theta[d])));
      }),
      { seed: 901, numRuns: 200 },
    );
  });

  it('validates and does not mutate', () => {
    const H = fromRows([[0], [1], [2]]);
    const y = Float64Array.of(1, 3, 5);
    const p = fitRidgeProbe(H, y);
    expect(p.coefficients[0]).toBeCloseTo(2, 12);
    expect(p.bias).toBeCloseTo(1, 12);
    expect(Array.from(H.data)).toEqual([0, 1, 2]);
    expect(() => fitRidgeProbe(H, y, { ridge: -1 })).toThrow("fitRidgeProbe: argument 'opts.ridge' must be a finite number ≥ 0; got -1");
    expect(() => fitRidgeProbe(H, Float64Array.of(1))).toThrow("fitRidgeProbe: argument 'y' must be of length 3 (one per row of H); got length 1");
    expect(() => p.predict(fromRows([[1, 2]]))).toThrow("RidgeProbe.predict: argument 'H' must be a matrix with 1 column (the probe's dimension); got a 1×2 matrix");
  });
});

describe('fitLogisticProbe', () => {
  /** The test's own Newton solve (Gauss–Jordan steps, step halving on the objective), with context weights `mu` summing to 1. */
  function referenceNewton(H: Matrix, l: Float64Array, ridge: number, mu: Float64Array): number[] {
    const d = H.cols;
    const m = H.rows;
    let theta = new Array<number>(d + 1).fill(0);
    const J = (t: number[]) => {
      let s = 0;
      for (let i = 0; i < m; i++) {
        let eta = t[d];
        for (let k = 0; k < d; k++) eta += t[k] * H.data[i * d + k];
        s += mu[i] * (Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta))) - l[i] * eta);
      }
      for (let k = 0; k < d; k++) s += ridge * t[k] * t[k];
      return s;
    };
    for (let it = 0; it < 200; it++) {
      const g = new Array<number>(d + 1).fill(0);
      const Hs = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
      for (let i = 0; i < m; i++) {
        const x = [...Array.from(H.data.subarray(i * d, (i + 1) * d)), 1];
        const eta = x.reduce((s, v, k) => s + v * theta[k], 0);
        const p = 1 / (1 + Math.exp(-eta));
        for (let r = 0; r <= d; r++) {
          g[r] += mu[i] * (p - l[i]) * x[r];
          for (let c = 0; c <= d; c++) Hs[r][c] += mu[i] * p * (1 - p) * x[r] * x[c];
        }
      }
      for (let k = 0; k < d; k++) {
        g[k] += 2 * ridge * theta[k];
        Hs[k][k] += 2 * ridge;
      }
      if (Math.hypot(...g) < 1e-13) break;
      const step = gaussJordan(Hs, g);
      let t = 1;
      const j0 = J(theta);
      let next = theta.map((v, k) => v - t * step[k]);
      while (J(next) > j0 && t > 1e-10) {
        t /= 2;
        next = theta.map((v, k) => v - t * step[k]);
      }
      theta = next;
    }
    return theta;
  }

  it('reaches a gradient norm below 1e-8 and matches a separate Newton solve, including separable data and context weights', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0.01, max: 1, noNaN: true }), fc.boolean(), fc.boolean(), (seed, ridge, separable, weighted) => {
        const { H, w } = randomDesign(seed);
        const rng = createRng(`labels-${seed}`);
        const l = new Float64Array(H.rows);
        for (let i = 0; i < H.rows; i++) {
          const s = H.data[i * H.cols];
          l[i] = separable ? (s > 0 ? 1 : 0) : rng.next() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
        }
        l[0] = 1;
        l[1] = 0; // both classes present
        if (separable) {
          H.data[0] = Math.abs(H.data[0]) + 0.1;
          H.data[H.cols] = -Math.abs(H.data[H.cols]) - 0.1;
        }
        const probe = fitLogisticProbe(H, l, { ridge, weights: weighted ? w : undefined });
        expect(probe.converged).toBe(true);
        expect(probe.gradientNorm).toBeLessThan(1e-8);
        const total = weighted ? w.reduce((s, v) => s + v, 0) : H.rows;
        const mu = Float64Array.from({ length: H.rows }, (_, i) => (weighted ? w[i] : 1) / total);
        const ref = referenceNewton(H, l, ridge, mu);
        // Both minimise the same strictly convex J to gradient < 1e-8; λ ≥ 0.01 bounds the inverse
        // Hessian by 1/(2λ) = 50, so parameters agree to ~1e-6 absolute.
        for (let k = 0; k < H.cols; k++) expect(Math.abs(probe.coefficients[k] - ref[k])).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(probe.bias - ref[H.cols])).toBeLessThanOrEqual(1e-6);
      }),
      { seed: 902, numRuns: 200 },
    );
  });

  it('metrics: probabilities, accuracy and a log-loss that does not underflow', () => {
    const H = fromRows([[-2], [-1], [1], [2]]);
    const l = Float64Array.of(0, 0, 1, 1);
    const probe = fitLogisticProbe(H, l, { ridge: 0.01 });
    expect(probe.accuracy(fromRows([[-3], [3]]), Float64Array.of(0, 1))).toBe(1);
    const far = fromRows([[-1e4]]);
    expect(probe.predict(far)[0]).toBe(0);
    expect(probe.predictProba(far)[0]).toBe(0); // σ underflows to 0 ...
    expect(Number.isFinite(probe.logLoss(far, Float64Array.of(1)))).toBe(true); // ... the log-loss does not
    expect(probe.logLoss(far, Float64Array.of(1))).toBeGreaterThan(1e3);
    expect(() => fitLogisticProbe(H, Float64Array.of(1, 1, 1, 1), { ridge: 1 })).toThrow(
      "fitLogisticProbe: argument 'labels' must be both classes present (with positive weight); got a fraction 1 of label 1",
    );
    expect(() => fitLogisticProbe(H, Float64Array.of(0, 2, 1, 1), { ridge: 1 })).toThrow("fitLogisticProbe: argument 'labels' must be labels in {0, 1} (or false/true); got 2 at [1]");
    expect(() => fitLogisticProbe(H, l, { ridge: -1 })).toThrow(DomainError);
    // Without ridge these separable classes have no minimiser: a typed error that asks for ridge.
    expect(() => fitLogisticProbe(H, l)).toThrow(NumericalError);
    expect(() => fitLogisticProbe(H, l)).toThrow(/linearly separable.*pass a positive 'ridge' option/);
  });
});

describe('fitted ridge probe vs transfer probe (same generated instances)', () => {
  it('in-sample: ridge (λ = 0) ≤ transfer exactly; held out: ≤ transfer up to a stated sampling tolerance', () => {
    const counts = { runs: 0 };
    fc.assert(
      fc.property(fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })), (seed) => {
        // 400 contexts of one generated instance: 200 to train, 200 held out; the recipe of ĥ is
        // i.i.d. across contexts, so both halves come from the same distribution.
        // Contrast tasks included: for them transferProbe ignores the anchors, and A·v*_0 below is ~0.
        const g = generate(seed, { m: 400 });
        const { truth, learned, words, coefficients: weights, bulk } = g.instance;
        const split = (M: Matrix, from: number, to: number): Matrix => ({ rows: to - from, cols: M.cols, data: M.data.slice(from * M.cols, to * M.cols) });
        const Hs = [split(truth.H, 0, 200), split(truth.H, 200, 400)];
        const Hh = [split(learned.H, 0, 200), split(learned.H, 200, 400)];
        const ones = new Float64Array(200).fill(1);
        const aStar = fitLsAnchor(truth.V, Hs[0], bulk, ones);
        const aHat = fitLsAnchor(learned.V, Hh[0], bulk, ones);
        let uStar = new Float64Array(truth.V.cols);
        const A = weights.reduce((s, v) => s + v, 0);
        for (let j = 0; j < words.length; j++) for (let k = 0; k < truth.V.cols; k++) uStar[k] += weights[j] * truth.V.data[words[j] * truth.V.cols + k];
        uStar = uStar.map((v, k) => v - A * aStar.anchor[k]);
        const label = (H: Matrix) => Float64Array.from({ length: H.rows }, (_, i) => uStar.reduce((s, u, k) => s + u * H.data[i * H.cols + k], 0));
        const y = [label(Hs[0]), label(Hs[1])];
        const tp = transferProbe({ learnerV: learned.V, anchorHat: aHat, anchorStar: aStar, words, coefficients: weights });
        const mse = (p: Float64Array, t: Float64Array) => p.reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / t.length;
        const ridge = fitRidgeProbe(Hh[0], y[0]);
        // In-sample: OLS with intercept minimises the training MSE over all affine predictors, the
        // transfer probe among them. Exact up to rounding (relative 1e-9).
        expect(ridge.mse(Hh[0], y[0])).toBeLessThanOrEqual(mse(tp.predict(Hh[0]), y[0]) * (1 + 1e-9) + 1e-20);
        // Held out: sampling tolerance. OLS's excess risk is about (d'+1)/m_train of the residual
        // variance; the difference of the two held-out MSEs is a mean of 200 i.i.d. terms, so allow
        // 4 standard errors of it on top.
        const r = ridge.predict(Hh[1]);
        const t = tp.predict(Hh[1]);
        const diffs = Array.from(r, (v, i) => (v - y[1][i]) ** 2 - (t[i] - y[1][i]) ** 2);
        const meanDiff = diffs.reduce((s, v) => s + v, 0) / 200;
        const sd = Math.sqrt(diffs.reduce((s, v) => s + (v - meanDiff) ** 2, 0) / 199);
        const ridgeHeld = mse(r, y[1]);
        const transferHeld = mse(t, y[1]);
        const tol = ((4 * (learned.H.cols + 1)) / 200) * ridgeHeld + (4 * sd) / Math.sqrt(200) + 1e-15;
        expect(ridgeHeld).toBeLessThanOrEqual(transferHeld + tol);
        counts.runs++;
      }),
      { seed: 903, numRuns: 200 },
    );
    expect(counts.runs).toBe(200);
  });
});
