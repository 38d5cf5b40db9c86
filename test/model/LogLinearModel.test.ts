import fc from 'fast-check';
import { LogLinearModel } from '../../src/model/LogLinearModel.js';
import { fromRows, matrix } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { expectThrow } from './expectThrow.js';

/** Naive `H Vᵀ` for comparison. */
function naiveLogits(V: Matrix, H: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < H.rows; i++) {
    const row: number[] = [];
    for (let w = 0; w < V.rows; w++) {
      let s = 0;
      for (let j = 0; j < V.cols; j++) s += H.data[i * H.cols + j] * V.data[w * V.cols + j];
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

const dims = fc.record({ n: fc.integer({ min: 1, max: 40 }), d: fc.integer({ min: 1, max: 9 }), m: fc.integer({ min: 1, max: 12 }) });

function randomMatrix(rows: number, cols: number, seed: number, scale: number): Matrix {
  // A small deterministic generator so the property only draws shapes and a seed.
  let s = seed >>> 0 || 1;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return matrix(rows, cols, data);
}

describe('LogLinearModel', () => {
  it('logits equal a naive H·Vᵀ, log-probabilities are normalised, and logPartition matches (property)', () => {
    fc.assert(
      fc.property(dims, fc.integer(), ({ n, d, m }, seed) => {
        const V = randomMatrix(n, d, seed, 3);
        const H = randomMatrix(m, d, seed + 1, 3);
        const Vc = V.data.slice();
        const Hc = H.data.slice();
        const model = new LogLinearModel(V);
        const Z = model.logits(H);
        const ref = naiveLogits(V, H);
        const lp = model.logProbs(H);
        const lz = model.logPartition(H);
        for (let i = 0; i < m; i++) {
          let sum = 0;
          for (let w = 0; w < n; w++) {
            // Tolerance 1e-12 absolute: entries are sums of ≤ 9 products of numbers ≤ 3 in magnitude.
            expect(Math.abs(Z.data[i * n + w] - ref[i][w])).toBeLessThan(1e-12);
            sum += Math.exp(lp.data[i * n + w]);
            // log p = z − log Z, to rounding of the two log-sum-exps (1e-12).
            expect(Math.abs(lp.data[i * n + w] - (ref[i][w] - lz[i]))).toBeLessThan(1e-12);
          }
          // Probabilities sum to 1 within n·ε-scale rounding (1e-12).
          expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
        }
        expect(V.data).toEqual(Vc);
        expect(H.data).toEqual(Hc);
      }),
      { seed: 11, numRuns: 60 },
    );
  });

  it('logPartition over a word subset is the log-sum-exp of those logits', () => {
    const V = fromRows([[1, 0], [0, 1], [-1, 2], [0.5, 0.5]]);
    const H = fromRows([[0.3, -1.2], [2, 1]]);
    const model = new LogLinearModel(V);
    const words = Int32Array.of(0, 2);
    const got = model.logPartition(H, words);
    const Z = naiveLogits(V, H);
    for (let i = 0; i < 2; i++) {
      const want = Math.log(Math.exp(Z[i][0]) + Math.exp(Z[i][2]));
      // Direct exp is safe here (|z| ≤ 4); agreement to 1e-14 relative.
      expect(got[i]).toBeCloseTo(want, 13);
    }
  });

  it('respects invariance 1: v_w → v_w − u leaves log p unchanged and shifts log Z by −⟨u, h⟩', () => {
    fc.assert(
      fc.property(dims, fc.integer(), ({ n, d, m }, seed) => {
        const V = randomMatrix(n, d, seed, 2);
        const H = randomMatrix(m, d, seed + 7, 2);
        const u = randomMatrix(1, d, seed + 13, 5).data;
        const shifted = V.data.slice();
        for (let w = 0; w < n; w++) for (let j = 0; j < d; j++) shifted[w * d + j] -= u[j];
        const a = new LogLinearModel(V);
        const b = new LogLinearModel(matrix(n, d, shifted));
        const la = a.logProbs(H);
        const lb = b.logProbs(H);
        // Logits up to ~|2·2·9| + 5·2·9 ≈ 126 in size; 1e-10 covers their rounding.
        for (let t = 0; t < la.data.length; t++) expect(Math.abs(la.data[t] - lb.data[t])).toBeLessThan(1e-10);
        const za = a.logPartition(H);
        const zb = b.logPartition(H);
        for (let i = 0; i < m; i++) {
          let uh = 0;
          for (let j = 0; j < d; j++) uh += u[j] * H.data[i * d + j];
          expect(Math.abs(zb[i] - (za[i] - uh))).toBeLessThan(1e-10);
        }
      }),
      { seed: 12, numRuns: 40 },
    );
  });

  it('keeps float32 logits only when V and H are both float32, and exposes n and d', () => {
    const V32 = fromRows([[1, 2], [3, 4], [5, 6]], 'float32');
    const H32 = fromRows([[1, 1]], 'float32');
    const model = new LogLinearModel(V32);
    expect(model.n).toBe(3);
    expect(model.d).toBe(2);
    expect(model.logits(H32).data).toBeInstanceOf(Float32Array);
    expect(model.logits(fromRows([[1, 1]])).data).toBeInstanceOf(Float64Array);
    expect(Array.from(model.logits(H32).data)).toEqual([3, 7, 11]);
    expect(model.logPartition(H32)).toBeInstanceOf(Float64Array);
  });

  it('gives finite log-probabilities for logits spread over ±1e4', () => {
    const model = new LogLinearModel(fromRows([[1e4], [-1e4], [0]]));
    const lp = model.logProbs(fromRows([[1]]));
    expect(lp.data[0]).toBe(0);
    expect(lp.data[1]).toBe(-2e4);
    expect(lp.data[2]).toBe(-1e4);
  });

  it('throws typed errors naming the function and argument', () => {
    expectThrow(() => new LogLinearModel(matrix(0, 2)), ShapeError, "LogLinearModel: argument 'V' must be a non-empty matrix; got a 0×2 matrix");
    expectThrow(() => new LogLinearModel(fromRows([[NaN]])), DomainError, "LogLinearModel: argument 'V' must be finite everywhere; got NaN at (0, 0)");
    expectThrow(() => new LogLinearModel({} as Matrix), DomainError, "LogLinearModel: argument 'V' must be a Matrix with a non-negative integer rows; got rows=undefined");
    const model = new LogLinearModel(fromRows([[1, 2], [3, 4]]));
    expectThrow(() => model.logits(fromRows([[1, 2, 3]])), ShapeError, "LogLinearModel.logits: argument 'H' must be a matrix with 2 columns (V.cols); got a 1×3 matrix");
    expectThrow(() => model.logProbs(fromRows([[1, Infinity]])), DomainError, "LogLinearModel.logProbs: argument 'H' must be finite everywhere; got Infinity at (0, 1)");
    expectThrow(() => model.logPartition(fromRows([[1]])), ShapeError, "LogLinearModel.logPartition: argument 'H' must be a matrix with 2 columns (V.cols); got a 1×1 matrix");
    expectThrow(() => model.logPartition(fromRows([[1, 1]]), Int32Array.of(5)), DomainError, "LogLinearModel.logPartition: argument 'words' must be word indices in [0, 2); got 5 at position 0");
    expectThrow(() => model.logPartition(fromRows([[1, 1]]), Int32Array.of(1, 1)), DomainError, "LogLinearModel.logPartition: argument 'words' must be distinct word indices; got 1 repeated at position 1");
    expectThrow(() => model.logPartition(fromRows([[1, 1]]), new Int32Array(0)), ShapeError, "LogLinearModel.logPartition: argument 'words' must be a non-empty set of word indices; got an empty Int32Array");
    const huge = new LogLinearModel(fromRows([[1e300, 1e300]]));
    expectThrow(
      () => huge.logits(fromRows([[1e300, 1e300]])),
      NumericalError,
      "LogLinearModel.logits: the logits V·h of row 0 of 'H' must be finite; got Infinity (an overflow): scale V or H down",
    );
    expectThrow(() => huge.logProbs(fromRows([[1e300, 1e300]])), NumericalError, "LogLinearModel.logProbs: the logits V·h of row 0 of 'H' must be finite");
    expectThrow(() => huge.logPartition(fromRows([[1e300, 1e300]])), NumericalError, "LogLinearModel.logPartition: the logits V·h of row 0 of 'H' must be finite; got an overflow: scale V or H down");
  });
});
