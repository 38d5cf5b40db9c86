/** Downstream tasks: linear, word-composed, contrast, and the classification variants. */
import fc from 'fast-check';
import { linearTask, wordTask, contrastTask, classificationTask } from '../../src/tasks/index.js';
import { createRng } from '../../src/random/createRng.js';
import { fromRows } from '../../src/core/matrix.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { fitAnchor } from '../../src/anchor/fitAnchor.js';
import { solveLeastSquares } from '../../src/linalg/solveLeastSquares.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';

const V = fromRows([
  [1, 0, 0.5],
  [0, 1, -0.5],
  [0.3, 0.2, 0.1],
  [-1, 0.5, 0],
  [0.2, -0.7, 1],
]);
const world = { V };
const rng = createRng('tasks');
const Hfit = { rows: 40, cols: 3, data: Float64Array.from({ length: 120 }, () => rng.normal()) };

describe('linearTask', () => {
  it('labels are ⟨u, h⟩ + b, and noise is N(0, σ²) drawn from the rng', () => {
    const t = linearTask(Float64Array.of(0, 1), { bias: 2 });
    expect(Array.from(t.labels(fromRows([[5, 1], [7, -1]])))).toEqual([3, 1]);
    const noisy = linearTask(Float64Array.of(1), { noiseStd: 0.5 });
    const H = { rows: 4000, cols: 1, data: new Float64Array(4000) };
    const y = noisy.labels(H, createRng(1));
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const varY = y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length;
    // Sampling tolerance: sd of the sample variance ≈ σ²·sqrt(2/m) = 0.0056; allow 5 sd.
    expect(Math.abs(varY - 0.25)).toBeLessThan(0.03);
    expect(Array.from(noisy.labels(H, createRng(1)))).toEqual(Array.from(y)); // deterministic for a seed
  });

  it('validates its arguments and does not keep a reference to uStar', () => {
    expect(() => linearTask(Float64Array.of(NaN))).toThrow("linearTask: argument 'uStar' must be finite everywhere; got NaN at [0]");
    const noisy = linearTask(Float64Array.of(1), { noiseStd: 1 });
    expect(() => noisy.labels(fromRows([[1]]))).toThrow(DomainError);
    expect(() => noisy.labels(fromRows([[1]]))).toThrow("linearTask.labels: argument 'rng' must be an Rng (createRng(seed)) because noiseStd = 1 > 0; got undefined");
    expect(() => linearTask(Float64Array.of(1)).labels(fromRows([[1, 2]]))).toThrow(ShapeError);
    const u = Float64Array.of(1, 2);
    const t = linearTask(u);
    u[0] = 100;
    expect(t.u[0]).toBe(1);
  });
});

describe('wordTask and contrastTask', () => {
  it('u* = Σ a_w (v*_w − v*_0) with the anchor fitted by least squares on the given contexts', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 2 }), (a) => {
        const words = Int32Array.of(0, 3);
        const weights = Float64Array.from(a);
        const bulk = Int32Array.of(1, 2, 4);
        const Vcopy = V.data.slice();
        const task = wordTask(world, words, weights, bulk, { contexts: Hfit });
        expect(Array.from(V.data)).toEqual(Array.from(Vcopy)); // not mutated
        const fit = solveLeastSquares(Hfit, logPartition(V, Hfit, bulk), { intercept: true });
        const A = a[0] + a[1];
        if (task.kind === 'contrast') return;
        for (let k = 0; k < 3; k++) {
          const expected = a[0] * (V.data[k] - fit.coefficients[k]) + a[1] * (V.data[9 + k] - fit.coefficients[k]);
          expect(Math.abs(task.u[k] - expected)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected)));
        }
        expect(task.aSum).toBeCloseTo(A, 14);
        expect(task.anchor?.intercept).toBeCloseTo(fit.intercept, 12);
      }),
      { seed: 801, numRuns: 200 },
    );
  });

  it('fits the anchor with the per-context weights and ridge it is given (the library-wide weights/ridge)', () => {
    // Against a weighted, mean-scaled ridge least-squares fit of log Z_B on [H 1] done directly with
    // solveLeastSquares (the same objective Σμe²/Σμ + λ‖v₀‖²): agreement to 1e-10 relative, both
    // well-conditioned float64 solves. Unweighted, the anchor differs by far more than that.
    const words = Int32Array.of(0, 3);
    const coefficients = Float64Array.of(1, 0.5);
    const bulk = Int32Array.of(1, 2, 4);
    const w = Float64Array.from({ length: Hfit.rows }, (_, i) => (i % 3 === 0 ? 5 : 0.2));
    for (const ridge of [0, 0.3]) {
      const task = wordTask(world, words, coefficients, bulk, { contexts: Hfit, weights: w, ridge });
      const ref = solveLeastSquares(Hfit, logPartition(V, Hfit, bulk), { intercept: true, weights: w, ridge });
      const plain = wordTask(world, words, coefficients, bulk, { contexts: Hfit, ridge });
      let gap = 0;
      for (let k = 0; k < 3; k++) {
        expect(Math.abs(task.anchor!.anchor[k] - ref.coefficients[k])).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(ref.coefficients[k])));
        gap = Math.max(gap, Math.abs(plain.anchor!.anchor[k] - ref.coefficients[k]));
      }
      expect(Math.abs(task.anchor!.intercept - ref.intercept)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(ref.intercept)));
      expect(gap).toBeGreaterThan(1e-6);
    }
  });

  it('fits the anchor with fitAnchor, so contexts on an affine hyperplane (a layer norm) work', () => {
    // Every context satisfies h₀ + h₂ = 1: the design [H 1] has rank 3 of 4, where a plain
    // least-squares solve throws. fitAnchor returns the minimum-norm anchor, orthogonal to the
    // unidentified direction g = (1, 0, 1)/√2.
    const r = createRng('hyperplane');
    const Hp = { rows: 30, cols: 3, data: new Float64Array(90) };
    for (let i = 0; i < 30; i++) {
      const h0 = r.normal();
      Hp.data.set([h0, r.normal(), 1 - h0], 3 * i);
    }
    expect(() => solveLeastSquares(Hp, logPartition(V, Hp, Int32Array.of(1, 2, 4)), { intercept: true })).toThrow(NumericalError);
    const task = wordTask(world, Int32Array.of(0, 3), Float64Array.of(1, 0.5), Int32Array.of(1, 2, 4), { contexts: Hp });
    const fit = fitAnchor(V, Hp, Int32Array.of(1, 2, 4));
    expect(Array.from(task.anchor?.anchor ?? [])).toEqual(Array.from(fit.anchor));
    expect(task.anchor?.intercept).toBe(fit.intercept);
    // Minimum norm: no component along g (absolute 1e-9 for the eigen-solve's rounding).
    const a = task.anchor?.anchor ?? new Float64Array(3);
    expect(Math.abs(a[0] + a[2]) / Math.SQRT2).toBeLessThanOrEqual(1e-9);
    for (const v of task.u) expect(Number.isFinite(v)).toBe(true);
  });

  it('uses a given anchor, and refuses a task with Σ a ≠ 0 and no anchor', () => {
    const anchor = { anchor: Float64Array.of(1, 1, 1), intercept: 0.5 };
    const t = wordTask(world, Int32Array.of(2), Float64Array.of(2), Int32Array.of(0, 1), { anchor });
    expect(Array.from(t.u)).toEqual([2 * (0.3 - 1), 2 * (0.2 - 1), 2 * (0.1 - 1)]);
    expect(() => wordTask(world, Int32Array.of(2), Float64Array.of(2), Int32Array.of(0, 1))).toThrow(
      "wordTask: argument 'opts' must be an anchor (opts.anchor) or contexts to fit it on (opts.contexts), since Σ a = 2 ≠ 0; got undefined",
    );
    expect(() => wordTask(world, Int32Array.of(2), Float64Array.of(2), Int32Array.of(2, 1), { anchor })).toThrow(
      "wordTask: argument 'bulk' must be disjoint from words (Theorem 1 needs T ∩ B = ∅); got word 2 in both",
    );
    expect(() => wordTask(world, Int32Array.of(7), Float64Array.of(2), Int32Array.of(0), { anchor })).toThrow(
      "wordTask: argument 'words' must be word indices in [0, 5); got 7 at position 0",
    );
  });

  it('a contrast task is Σ a_w v*_w, needs no anchor, and rejects coefficients that do not sum to 0', () => {
    const t = contrastTask(world, Int32Array.of(0, 1), Float64Array.of(1, -1));
    expect(Array.from(t.u)).toEqual([1, -1, 1]);
    expect(t.anchor).toBeNull();
    expect(t.aSum).toBe(0);
    // The same task through wordTask, with any anchor, gives the same direction.
    const w = wordTask(world, Int32Array.of(0, 1), Float64Array.of(1, -1), Int32Array.of(2), { contexts: Hfit });
    expect(Array.from(w.u)).toEqual([1, -1, 1]);
    expect(() => contrastTask(world, Int32Array.of(0, 1), Float64Array.of(1, -0.5))).toThrow(DomainError);
    expect(() => contrastTask(world, Int32Array.of(0, 1), Float64Array.of(1, -0.5))).toThrow(
      "contrastTask: argument 'coefficients' must be non-zero coefficients summing to 0 (|Σ a| ≤ 1e-12·Σ|a|); got Σ a = 0.5, Σ|a| = 1.5",
    );
    // Log-odds: the contrast label is log p*(0|s) − log p*(1|s).
    const H = fromRows([[0.3, -0.2, 1]]);
    expect(t.labels(H)[0]).toBeCloseTo(0.3 * 1 + -0.2 * -1 + 1 * 1, 14);
  });
});

describe('classificationTask', () => {
  it('threshold rule, and sigmoid rule with frequency σ(y)', () => {
    const base = linearTask(Float64Array.of(1));
    const thr = classificationTask(base, { threshold: 0.5 });
    expect(Array.from(thr.labels(fromRows([[0], [1], [0.5]])))).toEqual([0, 1, 0]);
    const sig = classificationTask(base, { rule: 'sigmoid' });
    const m = 20000;
    const H = { rows: m, cols: 1, data: new Float64Array(m).fill(1) };
    const l = sig.labels(H, createRng(5));
    const freq = l.reduce((s, v) => s + v, 0) / m;
    // σ(1) = 0.7311; binomial sd sqrt(p(1−p)/m) = 0.0031; tolerance 5 sd.
    expect(Math.abs(freq - 1 / (1 + Math.exp(-1)))).toBeLessThan(0.016);
    expect(() => sig.labels(H)).toThrow("classificationTask.labels: argument 'rng' must be an Rng (createRng(seed)) for the 'sigmoid' rule; got undefined");
    expect(() => classificationTask(base, { rule: 'probit' as never })).toThrow(
      "classificationTask: argument 'opts.rule' must be one of 'threshold', 'sigmoid'; got \"probit\"",
    );
  });
});
