/**
 * solveLeastSquares: optimality (residual orthogonal to the weighted, centred columns), agreement
 * with ml-matrix's `solve` on well-conditioned problems, the QR path on a nearly collinear design,
 * rank deficiency, the ridge closed form, weights as row duplication, the intercept as an explicit
 * unpenalised column of ones, non-mutation, and every documented throw.
 */
import fc from 'fast-check';
import { Matrix as MlMatrix, solve as mlSolve } from 'ml-matrix';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { CHOLESKY_CONDITION_LIMIT, solveLeastSquares } from '../../src/linalg/solveLeastSquares.js';
import { fromRows, matrix, type Matrix } from '../../src/core/matrix.js';
import { randomMatrix, sameValues, seededUniform } from './helpers.js';

function rowsOf(X: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.rows; i++) out.push(Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));
  return out;
}

function randomVector(n: number, seed: number): Float64Array {
  const u = seededUniform(seed);
  return Float64Array.from({ length: n }, () => 2 * u() - 1);
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Residuals r = y − Xβ − b. */
function residuals(X: Matrix, y: ArrayLike<number>, beta: ArrayLike<number>, b: number): Float64Array {
  const r = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let f = b;
    for (let j = 0; j < X.cols; j++) f += X.data[i * X.cols + j] * beta[j];
    r[i] = y[i] - f;
  }
  return r;
}

const problem = fc.record({
  m: fc.integer({ min: 8, max: 40 }),
  n: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 2 ** 30 }),
  weighted: fc.boolean(),
  intercept: fc.boolean(),
  ridge: fc.constantFrom(0, 0, 0.3, 5),
  f32: fc.boolean(),
});

describe('solveLeastSquares: optimality', () => {
  it('makes the weighted residual orthogonal to every column (and to 1 with an intercept), up to the ridge term', () => {
    // The normal equations of min Σwᵢrᵢ²/Σwᵢ + λ‖β‖² are Xᵀ W r = λ(Σw)β (and Σwᵢrᵢ = 0 with an intercept).
    // Tolerance: the solution is backward stable to ≈ κ·u; we compare |XᵀWr − λβ| with
    // 1e-9·(Σwᵢ|xᵢⱼ||yᵢ| + …), the scale of the terms that cancel, well above κ·u for these
    // random (well-conditioned, κ < 1e4) designs and far below any wrong solution.
    fc.assert(
      fc.property(problem, ({ m, n, seed, weighted, intercept, ridge, f32 }) => {
        const X = randomMatrix(m, n, seed, f32);
        const y = randomVector(m, seed + 1);
        const u = seededUniform(seed + 2);
        const w = weighted ? Float64Array.from({ length: m }, () => u() * 3) : undefined;
        const fit = solveLeastSquares(X, y, { weights: w, intercept, ridge });
        expect(fit.method).toBe('cholesky');
        const wSum = w ? w.reduce((a, v) => a + v, 0) : m;
        const r = residuals(X, y, fit.coefficients, fit.intercept);
        let rss = 0;
        for (let i = 0; i < m; i++) rss += (w ? w[i] : 1) * r[i] * r[i];
        expect(Math.abs(fit.residualSumOfSquares - rss)).toBeLessThanOrEqual(1e-12 * Math.max(1, rss));
        for (let j = 0; j < n; j++) {
          let g = 0;
          let scale = 0;
          for (let i = 0; i < m; i++) {
            const wi = w ? w[i] : 1;
            g += wi * X.data[i * n + j] * r[i];
            scale += wi * Math.abs(X.data[i * n + j]) * (Math.abs(y[i]) + Math.abs(y[i] - r[i]));
          }
          expect(Math.abs(g - ridge * wSum * fit.coefficients[j])).toBeLessThanOrEqual(1e-9 * (scale + 1));
        }
        if (intercept) {
          let g = 0;
          let scale = 0;
          for (let i = 0; i < m; i++) {
            const wi = w ? w[i] : 1;
            g += wi * r[i];
            scale += wi * (Math.abs(y[i]) + Math.abs(y[i] - r[i]));
          }
          expect(Math.abs(g)).toBeLessThanOrEqual(1e-9 * (scale + 1));
        } else {
          expect(fit.intercept).toBe(0);
        }
        // κ ≥ 1 in exact arithmetic; the estimate of a 1×1 system is 1 up to a rounding or two.
        expect(fit.conditionEstimate).toBeGreaterThanOrEqual(1 - 1e-12);
        expect(fit.conditionEstimate).toBeLessThan(CHOLESKY_CONDITION_LIMIT);
      }),
      { seed: 1234, numRuns: 120 },
    );
  });

  it('agrees with ml-matrix solve on well-conditioned problems', () => {
    // ml-matrix solves least squares by its own (unpivoted Householder) QR. Both answers are
    // within ≈ κ(X)·u ≈ 1e-14 of the truth for these random designs (κ(X) < 1e2); allowed 1e-9
    // relative to the coefficient size.
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 2 ** 30 }), (m, n, seed) => {
        const X = randomMatrix(m, n, seed);
        const y = randomVector(m, seed + 7);
        const fit = solveLeastSquares(X, y);
        const ref = mlSolve(new MlMatrix(rowsOf(X)), MlMatrix.columnVector(Array.from(y))).getColumn(0);
        const size = Math.max(1, maxAbs(ref));
        for (let j = 0; j < n; j++) expect(Math.abs(fit.coefficients[j] - ref[j])).toBeLessThanOrEqual(1e-9 * size);
      }),
      { seed: 99, numRuns: 60 },
    );
  });

  it('recovers an exact solution (zero residual) to rounding', () => {
    const X = fromRows([[1, 0], [0, 1], [1, 1], [2, -1]]);
    const beta = [3, -2];
    const y = Float64Array.from(rowsOf(X), (r) => r[0] * beta[0] + r[1] * beta[1] + 0.5);
    const fit = solveLeastSquares(X, y, { intercept: true });
    // κ of this 4×2 centred design is < 10, so errors are a few ulps; 1e-12 is generous.
    expect(fit.coefficients[0]).toBeCloseTo(3, 12);
    expect(fit.coefficients[1]).toBeCloseTo(-2, 12);
    expect(fit.intercept).toBeCloseTo(0.5, 12);
    expect(fit.residualSumOfSquares).toBeLessThan(1e-24);
  });
});

describe('solveLeastSquares: ill-conditioning and rank', () => {
  it('takes the QR path on a nearly collinear design and recovers β to a κ-justified tolerance', () => {
    // Column 2 = column 0 + δ·noise with δ = 1e-7: κ(X) ≈ 1e7, κ(XᵀX) ≈ 1e14 > 1e10, so Cholesky on
    // the normal equations would lose ≈ 14 digits and the solver must switch to QR. y = Xβ exactly
    // (zero residual), so the QR solution's forward error is ≈ κ(X)·u ≈ 1e7·1.1e-16 ≈ 1e-9 relative
    // (Higham Thm 20.1, residual term absent); allowed 1e-6·‖β‖∞. Cholesky would give ≈ κ(XᵀX)·u ≈ 1e-2.
    const m = 50;
    const u = seededUniform(2024);
    const X = matrix(m, 3);
    for (let i = 0; i < m; i++) {
      const a = 2 * u() - 1;
      X.data[i * 3] = a;
      X.data[i * 3 + 1] = 2 * u() - 1;
      X.data[i * 3 + 2] = a + 1e-7 * (2 * u() - 1);
    }
    const beta = [1.5, -2, 0.75];
    const y = Float64Array.from({ length: m }, (_, i) => beta[0] * X.data[i * 3] + beta[1] * X.data[i * 3 + 1] + beta[2] * X.data[i * 3 + 2]);
    const fit = solveLeastSquares(X, y);
    expect(fit.method).toBe('qr');
    expect(fit.conditionEstimate).toBeGreaterThan(CHOLESKY_CONDITION_LIMIT);
    for (let j = 0; j < 3; j++) expect(Math.abs(fit.coefficients[j] - beta[j])).toBeLessThanOrEqual(1e-6 * 2);
  });

  it('takes the QR path with weights, intercept and ridge too, matching the closed form', () => {
    // Same near-collinearity with a tiny ridge λ = 1e-12 (so κ(G) stays > 1e10) and weights: the
    // answer must equal the augmented-system solution, checked through the normal equations
    // XᵀW r = λβ, Σ wᵢ rᵢ = 0 at a tolerance scaled like the optimality test.
    const m = 40;
    const u = seededUniform(77);
    const X = matrix(m, 2);
    const w = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const a = 2 * u() - 1;
      X.data[i * 2] = a;
      X.data[i * 2 + 1] = a + 1e-7 * (2 * u() - 1);
      w[i] = 0.5 + u();
    }
    const y = Float64Array.from({ length: m }, () => 2 * u() - 1);
    const ridge = 1e-12;
    const fit = solveLeastSquares(X, y, { weights: w, intercept: true, ridge });
    expect(fit.method).toBe('qr');
    const wSum = w.reduce((a, v) => a + v, 0);
    const r = residuals(X, y, fit.coefficients, fit.intercept);
    for (let j = 0; j < 2; j++) {
      let g = 0;
      for (let i = 0; i < m; i++) g += w[i] * X.data[i * 2 + j] * r[i];
      // The gradient terms are O(Σ w|x||y|) ≈ 40; backward error ≈ u·that·(a small factor).
      expect(Math.abs(g - ridge * wSum * fit.coefficients[j])).toBeLessThanOrEqual(1e-10 * 40);
    }
  });

  it('throws NumericalError naming the rank and ridge on a rank-deficient design without ridge', () => {
    // Column 2 = column 0 + column 1 exactly: rank 2 of 3.
    const X = fromRows([[1, 2, 3], [4, 5, 9], [7, 8, 15], [1, 0, 1], [2, 2, 4]]);
    const y = new Float64Array([1, 2, 3, 4, 5]);
    const call = () => solveLeastSquares(X, y);
    expect(call).toThrow(NumericalError);
    expect(call).toThrow(
      "solveLeastSquares: the design is rank-deficient (numerical rank 2 of 3 columns, tolerance 5·ε·|R₀₀|); pass a positive 'ridge' option to regularise it",
    );
    // With ridge the same design is fine.
    expect(solveLeastSquares(X, y, { ridge: 0.1 }).method).toBe('cholesky');
  });

  it('counts the intercept in the rank: a constant column with an intercept is rank-deficient', () => {
    const X = fromRows([[1, 1], [2, 1], [3, 1], [5, 1]]);
    const y = new Float64Array([1, 2, 2, 4]);
    const call = () => solveLeastSquares(X, y, { intercept: true });
    expect(call).toThrow(NumericalError);
    expect(call).toThrow(/rank-deficient \(numerical rank 1 of 2 columns after centring for the intercept.*'ridge'/);
  });

  it('throws NumericalError when there are fewer rows than columns and no ridge', () => {
    const call = () => solveLeastSquares(randomMatrix(2, 4, 5), new Float64Array([1, 2]));
    expect(call).toThrow(NumericalError);
    expect(call).toThrow(/numerical rank 2 of 4 columns.*pass a positive 'ridge'/);
  });
});

describe('solveLeastSquares: equivalences', () => {
  it('matches the ridge closed form (XᵀX + λmI)⁻¹Xᵀy (ridge on the mean squared error)', () => {
    // The closed form is evaluated with ml-matrix (its own LU/QR), independent of our Cholesky;
    // both are within κ·u ≈ 1e-14 for these designs; allowed 1e-9 relative.
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 30 }), fc.integer({ min: 1, max: 6 }), fc.double({ min: 0.01, max: 10, noNaN: true }), fc.integer({ min: 0, max: 2 ** 30 }), (m, n, lambda, seed) => {
        const X = randomMatrix(m, n, seed);
        const y = randomVector(m, seed + 3);
        const Xm = new MlMatrix(rowsOf(X));
        const G = Xm.transpose().mmul(Xm).add(MlMatrix.eye(n, n).mul(lambda * m));
        const rhs = Xm.transpose().mmul(MlMatrix.columnVector(Array.from(y)));
        const ref = mlSolve(G, rhs).getColumn(0);
        const fit = solveLeastSquares(X, y, { ridge: lambda });
        const size = Math.max(1, maxAbs(ref));
        for (let j = 0; j < n; j++) expect(Math.abs(fit.coefficients[j] - ref[j])).toBeLessThanOrEqual(1e-9 * size);
      }),
      { seed: 31337, numRuns: 60 },
    );
  });

  it('treats integer weights as row duplication', () => {
    // Σ wᵢ(...)² with integer wᵢ is literally the sum over a design with row i repeated wᵢ times
    // (weight 0 drops the row), so the two fits solve the same normal equations; only summation
    // order differs: allowed 1e-10 relative.
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 25 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.boolean(), (m, n, seed, intercept) => {
        const X = randomMatrix(m, n, seed);
        const y = randomVector(m, seed + 5);
        const u = seededUniform(seed + 9);
        const w = Float64Array.from({ length: m }, (_, i) => (i < n + 2 ? 1 + Math.floor(u() * 3) : Math.floor(u() * 4)));
        const rows: number[][] = [];
        const ys: number[] = [];
        const Xr = rowsOf(X);
        for (let i = 0; i < m; i++) for (let k = 0; k < w[i]; k++) {
          rows.push(Xr[i]);
          ys.push(y[i]);
        }
        const a = solveLeastSquares(X, y, { weights: w, intercept, ridge: 0.01 });
        const b = solveLeastSquares(fromRows(rows), Float64Array.from(ys), { intercept, ridge: 0.01 });
        const size = Math.max(1, maxAbs(b.coefficients));
        for (let j = 0; j < n; j++) expect(Math.abs(a.coefficients[j] - b.coefficients[j])).toBeLessThanOrEqual(1e-10 * size);
        expect(Math.abs(a.intercept - b.intercept)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(b.intercept)));
        expect(Math.abs(a.residualSumOfSquares - b.residualSumOfSquares)).toBeLessThanOrEqual(1e-10 * Math.max(1, b.residualSumOfSquares));
      }),
      { seed: 555, numRuns: 60 },
    );
  });

  it('fits the intercept as an explicit, unpenalised column of ones', () => {
    // With ridge, the explicit column would be penalised; remove that by solving the augmented
    // normal equations directly ([X 1]ᵀW[X 1] + diag(λ,…,λ,0)) with ml-matrix. Both solutions are
    // within κ·u of the truth; allowed 1e-9 relative.
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 30 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 0.5, 3), fc.integer({ min: 0, max: 2 ** 30 }), (m, n, lambda, seed) => {
        const X = randomMatrix(m, n, seed);
        const y = randomVector(m, seed + 11);
        const u = seededUniform(seed + 12);
        const w = Float64Array.from({ length: m }, () => 0.2 + u());
        const A = new MlMatrix(rowsOf(X).map((r, i) => [...r, 1].map((v) => v * Math.sqrt(w[i]))));
        const G = A.transpose().mmul(A);
        const wSum = w.reduce((a, v) => a + v, 0);
        for (let j = 0; j < n; j++) G.set(j, j, G.get(j, j) + lambda * wSum);
        const rhs = A.transpose().mmul(MlMatrix.columnVector(Array.from(y, (v, i) => v * Math.sqrt(w[i]))));
        const ref = mlSolve(G, rhs).getColumn(0);
        const fit = solveLeastSquares(X, y, { weights: w, intercept: true, ridge: lambda });
        const size = Math.max(1, maxAbs(ref));
        for (let j = 0; j < n; j++) expect(Math.abs(fit.coefficients[j] - ref[j])).toBeLessThanOrEqual(1e-9 * size);
        expect(Math.abs(fit.intercept - ref[n])).toBeLessThanOrEqual(1e-9 * size);
      }),
      { seed: 4321, numRuns: 60 },
    );
  });

  it('scales ridge with the mean: multiplying every weight by c, or repeating every row, changes nothing', () => {
    // Under the old sum scaling (Σ w e² + λ‖β‖²) both operations would shrink the effective penalty
    // by c; with the mean scaling the objective is unchanged, so the fits agree to rounding
    // (allowed 1e-10 relative: only summation order differs).
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 25 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(1e-3, 0.7, 40), fc.constantFrom(1e-6, 3, 1e5), (m, n, seed, ridge, c) => {
        const X = randomMatrix(m, n, seed);
        const y = randomVector(m, seed + 5);
        const u = seededUniform(seed + 9);
        const w = Float64Array.from({ length: m }, () => 0.1 + u());
        const a = solveLeastSquares(X, y, { weights: w, intercept: true, ridge });
        const b = solveLeastSquares(X, y, { weights: w.map((v) => v * c), intercept: true, ridge });
        const Xr = rowsOf(X);
        const twice = solveLeastSquares(fromRows([...Xr, ...Xr]), Float64Array.from([...y, ...y]), { weights: Float64Array.from([...w, ...w]), intercept: true, ridge });
        const size = Math.max(1, maxAbs(a.coefficients));
        for (let j = 0; j < n; j++) {
          expect(Math.abs(a.coefficients[j] - b.coefficients[j])).toBeLessThanOrEqual(1e-10 * size);
          expect(Math.abs(a.coefficients[j] - twice.coefficients[j])).toBeLessThanOrEqual(1e-10 * size);
        }
      }),
      { seed: 2026, numRuns: 40 },
    );
  });

  it('does not mutate its inputs', () => {
    const X = randomMatrix(12, 3, 1, true);
    const y = randomVector(12, 2);
    const w = Float64Array.from({ length: 12 }, (_, i) => 1 + (i % 3));
    const [X0, y0, w0] = [X.data.slice(), y.slice(), w.slice()];
    solveLeastSquares(X, y, { weights: w, intercept: true, ridge: 0.1 });
    expect(sameValues(X.data, X0) && sameValues(y, y0) && sameValues(w, w0)).toBe(true);
  });
});

describe('solveLeastSquares: errors', () => {
  const X = fromRows([[1, 2], [3, 4], [5, 7]]);
  const y = new Float64Array([1, 2, 3]);
  const cases: Array<[string, () => unknown, new (m: string) => Error, string]> = [
    ['empty X', () => solveLeastSquares(matrix(0, 2), new Float64Array(0)), ShapeError, "solveLeastSquares: argument 'X' must be a non-empty matrix; got a 0×2 matrix"],
    ['non-finite X', () => solveLeastSquares(fromRows([[1, NaN], [3, 4]]), new Float64Array(2)), DomainError, "solveLeastSquares: argument 'X' must be finite everywhere; got NaN at (0, 1)"],
    ['malformed X', () => solveLeastSquares({ rows: 1, cols: 1, data: [1] } as unknown as Matrix, y), DomainError, "solveLeastSquares: argument 'X' must be a Matrix whose data is a Float64Array or Float32Array; got an array of length 1"],
    ['y wrong length', () => solveLeastSquares(X, new Float64Array(2)), ShapeError, "solveLeastSquares: argument 'y' must be of length 3 (X.rows); got length 2"],
    ['y not a float vector', () => solveLeastSquares(X, [1, 2, 3] as unknown as Float64Array), DomainError, "solveLeastSquares: argument 'y' must be a Float64Array or Float32Array; got an array of length 3"],
    ['y not finite', () => solveLeastSquares(X, new Float64Array([1, Infinity, 3])), DomainError, "solveLeastSquares: argument 'y' must be finite everywhere; got Infinity at [1]"],
    ['negative ridge', () => solveLeastSquares(X, y, { ridge: -1 }), DomainError, "solveLeastSquares: argument 'opts.ridge' must be a finite number ≥ 0; got -1"],
    ['NaN ridge', () => solveLeastSquares(X, y, { ridge: NaN }), DomainError, "solveLeastSquares: argument 'opts.ridge' must be a finite number ≥ 0; got NaN"],
    ['weights wrong length', () => solveLeastSquares(X, y, { weights: new Float64Array(4) }), ShapeError, "solveLeastSquares: argument 'opts.weights' must be of length 3 (X.rows); got length 4"],
    ['negative weight', () => solveLeastSquares(X, y, { weights: new Float64Array([1, -0.5, 1]) }), DomainError, "solveLeastSquares: argument 'opts.weights' must be finite and non-negative; got -0.5 at [1]"],
    ['NaN weight', () => solveLeastSquares(X, y, { weights: new Float64Array([1, 1, NaN]) }), DomainError, "solveLeastSquares: argument 'opts.weights' must be finite and non-negative; got NaN at [2]"],
    ['all-zero weights', () => solveLeastSquares(X, y, { weights: new Float64Array(3) }), DomainError, "solveLeastSquares: argument 'opts.weights' must be weights with at least one positive entry; got all zeros"],
    ['intercept not boolean', () => solveLeastSquares(X, y, { intercept: 1 as unknown as boolean }), DomainError, "solveLeastSquares: argument 'opts.intercept' must be a boolean; got 1"],
    ['opts not an object', () => solveLeastSquares(X, y, 5 as unknown as object), DomainError, "solveLeastSquares: argument 'opts' must be an options object or undefined; got 5"],
  ];
  it.each(cases)('%s', (_label, call, cls, message) => {
    expect(call).toThrow(cls);
    expect(call).toThrow(message);
  });
});
