import fc from 'fast-check';
import { softmaxRows } from '../../src/softmax/softmaxRows.js';
import { logSoftmaxRows } from '../../src/softmax/logSoftmaxRows.js';
import { rowLogSoftmax, rowSoftmax } from '../../src/kernels/softmaxKernel.js';
import { fromRows, matrix, toRows } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { logitsMatrix, maxAbsDiff, referenceLse } from './helpers.js';
import { createRng } from '../../src/random/createRng.js';

const FC = { seed: 2023, numRuns: 100 };
// Bound once: global lookups (Math, Number) are slow in jest's sandbox inside 10^6-element loops.
const { abs, exp, log, max } = Math;

function shiftRows(z: Matrix, c: number): Matrix {
  return { rows: z.rows, cols: z.cols, data: z.data.map((v) => v + c) };
}

describe('softmaxRows and logSoftmaxRows', () => {
  it('softmax rows sum to 1 within 1e-12 and are in [0, 1] (property)', () => {
    fc.assert(
      fc.property(logitsMatrix(5, 60, 1e4), (z) => {
        const p = softmaxRows(z);
        for (let i = 0; i < z.rows; i++) {
          let s = 0;
          for (let j = 0; j < z.cols; j++) {
            const v = p.data[i * z.cols + j];
            if (!(v >= 0 && v <= 1)) return false;
            s += v;
          }
          // Tolerance 1e-12: n ≤ 60 terms each rounded twice, far below 1e-12.
          if (abs(s - 1) > 1e-12) return false;
        }
        return true;
      }),
      FC,
    );
  });

  it('shift invariance: softmax(z + c) = softmax(z), log-softmax(z + c) = log-softmax(z) (property)', () => {
    fc.assert(
      fc.property(logitsMatrix(4, 30, 50), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (z, c) => {
        const zc = shiftRows(z, c);
        // Tolerances: z + c rounds each entry by ≤ ulp(1050)/2 ≈ 1.1e-13, which moves a
        // log-probability by at most twice that; 1e-11 leaves margin. Probabilities are ≤ 1, so the
        // same absolute bound applies to them.
        return (
          maxAbsDiff(softmaxRows(zc).data, softmaxRows(z).data) <= 1e-11 &&
          maxAbsDiff(logSoftmaxRows(zc).data, logSoftmaxRows(z).data) <= 1e-11
        );
      }),
      FC,
    );
  });

  it('log-softmax agrees with a compensated reference and with log(softmax) where that is safe (property)', () => {
    fc.assert(
      fc.property(logitsMatrix(4, 40, 30), (z) => {
        const lp = logSoftmaxRows(z);
        const p = softmaxRows(z);
        for (let i = 0; i < z.rows; i++) {
          const lse = referenceLse(z.data, i * z.cols, z.cols);
          for (let j = 0; j < z.cols; j++) {
            const k = i * z.cols + j;
            // Tolerance: 1e-12 absolute on log-probabilities of moderate logits (|z| ≤ 30, n ≤ 40).
            if (abs(lp.data[k] - (z.data[k] - lse)) > 1e-12) return false;
            // Probabilities here are ≥ e^-60·/40, far from underflow, so relative 1e-12 is fair.
            if (abs(p.data[k] - exp(lp.data[k])) > 1e-12 * exp(lp.data[k])) return false;
          }
        }
        return true;
      }),
      FC,
    );
  });

  it('extremes: logits spread over ±1e4 give finite, exact log-probabilities (no NaN, no −Infinity)', () => {
    const z = fromRows([
      [1e4, -1e4, 0, 9999.5],
      [-1e4, -1e4, -1e4 + 1e-3, -9999],
    ]);
    const copy = z.data.slice();
    const lp = logSoftmaxRows(z);
    for (let i = 0; i < 2; i++) {
      const lse = referenceLse(z.data, i * 4, 4);
      for (let j = 0; j < 4; j++) {
        const v = lp.data[i * 4 + j];
        expect(Number.isFinite(v)).toBe(true);
        // Tolerance: ulps of the result (|v| ≤ 2e4 → ulp ≈ 3.6e-12).
        expect(abs(v - (z.data[i * 4 + j] - lse))).toBeLessThanOrEqual(1e-11);
      }
    }
    // The smallest log-probability is about −2e4: its probability underflows to 0, its log does not.
    expect(lp.data[1]).toBeCloseTo(-2e4 - log(1 + exp(-0.5)), 9);
    expect(softmaxRows(z).data[1]).toBe(0);
    expect(z.data).toEqual(copy);
  });

  it('a row of n = 10^6 logits over ±1e4: every log-probability finite and exact against the shifted reference', () => {
    const rng = createRng('logsoftmax-1e6');
    const n = 1_000_000;
    const z = matrix(1, n);
    for (let j = 0; j < n; j++) z.data[j] = (rng.next() * 2 - 1) * 1e4;
    const lse = referenceLse(z.data);
    const lp = logSoftmaxRows(z).data;
    let worst = 0;
    let nonFinite = 0;
    for (let j = 0; j < n; j++) {
      const v = lp[j];
      if (v - v !== 0) nonFinite++;
      worst = max(worst, abs(v - (z.data[j] - lse)));
    }
    expect(nonFinite).toBe(0);
    // Tolerance: the summation bound n·2^-53 ≈ 1.1e-10 on the normaliser plus ulps of 2e4
    // (3.6e-12) from the subtraction.
    expect(worst).toBeLessThanOrEqual(n * 2 ** -53 + 1e-11);
    // Most probabilities underflow (log p ≈ −2e4); softmax returns 0 there and still sums to 1.
    const p = softmaxRows(z).data;
    let s = 0;
    for (let j = 0; j < n; j++) s += p[j];
    expect(abs(s - 1)).toBeLessThanOrEqual(1e-12);
  });

  it('precision follows the input: float32 in, float32 out (each entry rounded once)', () => {
    const z64 = fromRows([[0.1, 2, -3, 7.25]]);
    const z32 = fromRows([[0.1, 2, -3, 7.25]], 'float32');
    const p32 = softmaxRows(z32);
    const lp32 = logSoftmaxRows(z32);
    expect(p32.data).toBeInstanceOf(Float32Array);
    expect(lp32.data).toBeInstanceOf(Float32Array);
    expect(softmaxRows(z64).data).toBeInstanceOf(Float64Array);
    // Reference from the float32 inputs computed in float64, then rounded once to float32.
    const ref = logSoftmaxRows({ rows: 1, cols: 4, data: Float64Array.from(z32.data) });
    for (let j = 0; j < 4; j++) {
      expect(lp32.data[j]).toBe(Math.fround(ref.data[j]));
      expect(p32.data[j]).toBe(Math.fround(exp(ref.data[j])));
    }
  });

  it('−Infinity entries are masked words with probability 0; empty batches are allowed', () => {
    const z = fromRows([[0, -Infinity, 0]]);
    expect(toRows(softmaxRows(z))).toEqual([[0.5, 0, 0.5]]);
    expect(toRows(logSoftmaxRows(z))).toEqual([[-log(2), -Infinity, -log(2)]]);
    expect(softmaxRows(matrix(0, 3)).rows).toBe(0);
    expect(logSoftmaxRows(matrix(0, 3)).data.length).toBe(0);
  });

  it('kernels work at offsets and in place', () => {
    const buf = Float64Array.of(99, 0, log(3), 99);
    const lse = rowSoftmax(buf, 1, 2, buf, 1);
    expect(lse).toBeCloseTo(log(4), 15);
    expect(buf[1]).toBeCloseTo(0.25, 15);
    expect(buf[2]).toBeCloseTo(0.75, 15);
    expect(buf[0]).toBe(99);
    expect(buf[3]).toBe(99);
    const b2 = Float32Array.of(0, log(3));
    rowLogSoftmax(b2, 0, 2, b2, 0);
    expect(b2[0]).toBeCloseTo(log(0.25), 6);
  });

  it('rejects bad input with typed errors naming the function and argument', () => {
    for (const [f, fn] of [
      [softmaxRows, 'softmaxRows'],
      [logSoftmaxRows, 'logSoftmaxRows'],
    ] as const) {
      expect(() => f(matrix(2, 0))).toThrow(ShapeError);
      expect(() => f(matrix(2, 0))).toThrow(`${fn}: argument 'z' must be a matrix with at least one column; got a 2×0 matrix`);
      expect(() => f(fromRows([[0, NaN]]))).toThrow(DomainError);
      expect(() => f(fromRows([[0, NaN]]))).toThrow(`${fn}: argument 'z' must be free of NaN and +Infinity (−Infinity is allowed); got NaN at (0, 1)`);
      expect(() => f(fromRows([[0, 1], [Infinity, 0]]))).toThrow(`got Infinity at (1, 0)`);
      expect(() => f(fromRows([[0, 1], [-Infinity, -Infinity]]))).toThrow(
        `${fn}: argument 'z' must be a matrix whose every row has a finite entry; got row 1 entirely −Infinity`,
      );
      expect(() => f({ rows: 1, cols: 2, data: new Float64Array(3) })).toThrow(ShapeError);
      expect(() => f([[1, 2]] as unknown as Matrix)).toThrow(DomainError);
    }
  });
});
