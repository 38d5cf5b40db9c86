/**
 * choleskyDecompose, choleskySolve, and the unchecked kernels behind them and behind
 * solveLeastSquares (Householder QR with pivoting, Hager's condition estimator).
 */
import fc from 'fast-check';
import { Matrix as MlMatrix, inverse as mlInverse } from 'ml-matrix';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { choleskyDecompose } from '../../src/linalg/choleskyDecompose.js';
import { choleskySolve } from '../../src/linalg/choleskySolve.js';
import { choleskyInPlace, choleskySolveInPlace } from '../../src/kernels/choleskyKernel.js';
import { estimateInverseOneNorm, oneNorm } from '../../src/kernels/conditionKernel.js';
import { applyQTransposeInPlace, householderQrPivoted, numericalRank } from '../../src/kernels/qrKernel.js';
import { fromRows, matrix, type Matrix } from '../../src/core/matrix.js';
import { randomMatrix, sameValues } from './helpers.js';

/** A random SPD matrix G = AᵀA + δI (n × n) and its entries' scale. */
function randomSpd(n: number, seed: number, delta = 0.1): Matrix<Float64Array> {
  const A = randomMatrix(n + 3, n, seed);
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? delta : 0;
    for (let k = 0; k < n + 3; k++) s += A.data[k * n + i] * A.data[k * n + j];
    G[i * n + j] = s;
  }
  return { rows: n, cols: n, data: G };
}

describe('choleskyDecompose / choleskySolve', () => {
  it('factors SPD matrices (L·Lᵀ = G, L lower with positive diagonal) and solves G·x = b', () => {
    // Cholesky is backward stable: ‖LLᵀ − G‖ ≤ c·n·u·‖G‖ (Higham Thm 10.3); allowed 1e-12·max|G|
    // for n ≤ 12. The solve's residual ‖Gx − b‖ is likewise ≤ c·n·u·‖G‖‖x‖; allowed 1e-11 relative.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 2 ** 30 }), (n, seed) => {
        const G = randomSpd(n, seed);
        const G0 = G.data.slice();
        const L = choleskyDecompose(G);
        expect(sameValues(G.data, G0)).toBe(true);
        let gMax = 0;
        for (const v of G.data) gMax = Math.max(gMax, Math.abs(v));
        for (let i = 0; i < n; i++) {
          expect(L.data[i * n + i]).toBeGreaterThan(0);
          for (let j = 0; j < n; j++) {
            if (j > i) expect(L.data[i * n + j]).toBe(0);
            let s = 0;
            for (let k = 0; k < n; k++) s += L.data[i * n + k] * L.data[j * n + k];
            expect(Math.abs(s - G.data[i * n + j])).toBeLessThanOrEqual(1e-12 * gMax);
          }
        }
        const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + seed));
        const b0 = b.slice();
        const x = choleskySolve(L, b);
        expect(sameValues(b, b0)).toBe(true);
        let xMax = 0;
        for (const v of x) xMax = Math.max(xMax, Math.abs(v));
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += G.data[i * n + j] * x[j];
          expect(Math.abs(s - b[i])).toBeLessThanOrEqual(1e-11 * gMax * Math.max(1, xMax));
        }
      }),
      { seed: 77, numRuns: 80 },
    );
  });

  it('reproduces the documented example exactly', () => {
    const L = choleskyDecompose(fromRows([[4, 2], [2, 5]]));
    expect(Array.from(L.data)).toEqual([2, 0, 1, 2]);
    expect(Array.from(choleskySolve(L, new Float64Array([6, 7])))).toEqual([1, 1]);
  });

  it('throws the documented errors', () => {
    const indefinite = () => choleskyDecompose(fromRows([[1, 2], [2, 3]]));
    expect(indefinite).toThrow(NumericalError);
    expect(indefinite).toThrow("choleskyDecompose: argument 'a' must be symmetric positive definite; got a non-positive pivot -1 at row 1");
    const notSquare = () => choleskyDecompose(matrix(2, 3));
    expect(notSquare).toThrow(ShapeError);
    expect(notSquare).toThrow("choleskyDecompose: argument 'a' must be a square matrix; got a 2×3 matrix");
    const nan = () => choleskyDecompose(fromRows([[1, 0], [NaN, 1]]));
    expect(nan).toThrow(DomainError);
    expect(nan).toThrow("choleskyDecompose: argument 'a' must be finite everywhere; got NaN at (1, 0)");

    const L = fromRows([[2, 0], [1, 2]]);
    const badDiag = () => choleskySolve(fromRows([[2, 0], [1, 0]]), new Float64Array(2));
    expect(badDiag).toThrow(DomainError);
    expect(badDiag).toThrow("choleskySolve: argument 'l' must be a Cholesky factor with a positive diagonal; got 0 at (1, 1)");
    const badLen = () => choleskySolve(L, new Float64Array(3));
    expect(badLen).toThrow(ShapeError);
    expect(badLen).toThrow("choleskySolve: argument 'b' must be of length 2 (l.rows); got length 3");
    const notSq = () => choleskySolve(matrix(2, 1), new Float64Array(2));
    expect(notSq).toThrow(ShapeError);
    expect(notSq).toThrow("choleskySolve: argument 'l' must be a square matrix; got a 2×1 matrix");
    const nanB = () => choleskySolve(L, new Float64Array([1, NaN]));
    expect(nanB).toThrow(DomainError);
    expect(nanB).toThrow("choleskySolve: argument 'b' must be finite everywhere; got NaN at [1]");
  });

  // Regression (issue 13, API fuzz): a factor scaled into the subnormals (L·1e-310) solved to NaN
  // (x ≈ b·1e620 overflows, then ∞ − ∞). A solution beyond float64 is a NumericalError; one just
  // inside (|x| = 1e300) is still returned, exactly.
  it('throws NumericalError when the solution overflows, and returns a huge but finite one', () => {
    const sub = { rows: 2, cols: 2, data: Float64Array.from([2, 0, 1, 2], (v) => v * 1e-310) };
    const over = () => choleskySolve(sub, new Float64Array([6, 7]));
    expect(over).toThrow(NumericalError);
    expect(over).toThrow(/^choleskySolve: the solution overflows float64 \(x\[0\] = Infinity\).*rescale l or b$/);
    expect(() => choleskySolve(fromRows([[1e-160]]), Float64Array.of(1))).toThrow(NumericalError);
    expect(Array.from(choleskySolve(fromRows([[1e-150]]), Float64Array.of(1)))).toEqual([1 / 1e-150 / 1e-150]);
    expect(Number.isFinite(choleskySolve(fromRows([[1e-150]]), Float64Array.of(1))[0])).toBe(true);
  });
});

describe('conditionKernel: Hager 1-norm estimator', () => {
  it('is a lower bound on ‖G⁻¹‖₁ within a factor 3 on random SPD matrices', () => {
    // Hager's estimate is always ≤ the true norm (it is the value at a feasible point) and in
    // practice within a factor 3 (Higham 1988 reports it exact in most random tests); the exact
    // inverse comes from ml-matrix. Lower-bound slack 1e-10 covers rounding in both computations.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(1e-6, 1e-2, 1), (n, seed, delta) => {
        const G = randomSpd(n, seed, delta);
        const L = Float64Array.from(G.data);
        expect(choleskyInPlace(L, n)).toBe(-1);
        const solve = (v: Float64Array): void => choleskySolveInPlace(L, n, v);
        const est = estimateInverseOneNorm(n, solve, solve);
        const rows: number[][] = [];
        for (let i = 0; i < n; i++) rows.push(Array.from(G.data.subarray(i * n, (i + 1) * n)));
        const inv = mlInverse(new MlMatrix(rows));
        const exact = oneNorm(Float64Array.from(inv.to1DArray()), n);
        expect(est).toBeLessThanOrEqual(exact * (1 + 1e-10));
        expect(est).toBeGreaterThanOrEqual(exact / 3);
      }),
      { seed: 2718, numRuns: 80 },
    );
  });
});

describe('qrKernel: Householder QR with column pivoting', () => {
  it('gives A·P = Q·R with a non-increasing |diag R| and orthogonal Q', () => {
    // Householder QR is backward stable: ‖A·P − Q·R‖ ≤ c·m·n·u·‖A‖ (Higham Thm 19.4); allowed
    // 1e-12·max|A|. Q is never formed: QᵀA·P must equal R, which we test by applying Qᵀ to each
    // column of A·P. Pivoting makes |R_kk| non-increasing up to rounding of the downdated norms.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 2 ** 30 }), (m, n, seed) => {
        const A = randomMatrix(m, n, seed);
        const QR = Float64Array.from(A.data);
        const steps = Math.min(m, n);
        const tau = new Float64Array(steps);
        const perm = new Int32Array(n);
        householderQrPivoted(QR, m, n, tau, perm);
        expect(Array.from(perm).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, j) => j));
        for (let k = 1; k < steps; k++) {
          expect(Math.abs(QR[k * n + k])).toBeLessThanOrEqual(Math.abs(QR[(k - 1) * n + k - 1]) * (1 + 1e-12) + 1e-14);
        }
        for (let j = 0; j < n; j++) {
          const col = Float64Array.from({ length: m }, (_, i) => A.data[i * n + perm[j]]);
          applyQTransposeInPlace(QR, m, n, tau, col);
          for (let i = 0; i < m; i++) {
            const want = i <= j && i < steps ? QR[i * n + j] : 0;
            expect(Math.abs(col[i] - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, m));
          }
        }
      }),
      { seed: 161803, numRuns: 80 },
    );
  });

  it('reveals the numerical rank of exactly rank-deficient matrices', () => {
    // Columns built as integer combinations of r random columns: rank r exactly, while rounding
    // leaves trailing |R_kk| ≈ u·‖A‖, far below the max(m,n)·u·|R₀₀| threshold.
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 20 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 2 ** 30 }), (m, n, seed) => {
        const r = 1 + (seed % (n - 1));
        const B = randomMatrix(m, r, seed);
        const A = new Float64Array(m * n);
        for (let j = 0; j < n; j++) {
          for (let i = 0; i < m; i++) {
            let s = 0;
            for (let k = 0; k < r; k++) s += B.data[i * r + k] * (((j + 1) * (k + 2)) % 5 - 2 + (j === k ? 3 : 0));
            A[i * n + j] = s;
          }
        }
        const tau = new Float64Array(Math.min(m, n));
        const perm = new Int32Array(n);
        householderQrPivoted(A, m, n, tau, perm);
        expect(numericalRank(A, m, n)).toBe(r);
      }),
      { seed: 1414, numRuns: 60 },
    );
  });
});
