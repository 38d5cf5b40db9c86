import fc from 'fast-check';
import { klDivergenceRows } from '../../src/loss/klDivergenceRows.js';
import { totalVariationRows } from '../../src/loss/totalVariationRows.js';
import { softmaxRows } from '../../src/softmax/softmaxRows.js';
import { fromRows, matrix } from '../../src/matrix/matrix.js';
import type { Matrix } from '../../src/matrix/matrix.js';
import { DomainError, ShapeError } from '../../src/errors/errors.js';
import { logitsMatrix, logitsPair } from '../softmax/helpers.js';

const { abs, log, sqrt } = Math;

describe('klDivergenceRows and totalVariationRows', () => {
  it('KL ≥ 0, 0 ≤ TV ≤ 1 and Pinsker TV ≤ sqrt(KL/2) (property, logits up to ±1e3)', () => {
    fc.assert(
      fc.property(logitsPair(4, 30, 1e3), ([a, b]) => {
        const kl = klDivergenceRows(a, b);
        const tv = totalVariationRows(a, b);
        for (let i = 0; i < a.rows; i++) {
          if (!(kl[i] >= 0) || !Number.isFinite(kl[i])) return false;
          if (!(tv[i] >= 0 && tv[i] <= 1)) return false;
          // Tolerance 1e-12 on Pinsker: TV is a float64 sum of ≤ 30 terms in [0, 1].
          if (tv[i] > sqrt(kl[i] / 2) + 1e-12) return false;
        }
        return true;
      }),
      { seed: 41, numRuns: 200 },
    );
  });

  it('KL(p‖p) = 0 and TV(p, p) = 0 exactly, and both are shift-invariant per row (property)', () => {
    fc.assert(
      fc.property(logitsMatrix(4, 30, 1e4), fc.double({ min: -100, max: 100, noNaN: true }), (a, c) => {
        const kl = klDivergenceRows(a, a);
        const tv = totalVariationRows(a, a);
        const shifted: Matrix = { rows: a.rows, cols: a.cols, data: a.data.map((v) => v + c) };
        const klShift = klDivergenceRows(a, shifted);
        for (let i = 0; i < a.rows; i++) {
          if (kl[i] !== 0 || tv[i] !== 0) return false;
          // Shifting a row does not change its distribution; the rounding of v + c (ulp(1e4) ≈
          // 1.8e-12) is all that remains.
          if (klShift[i] > 1e-10) return false;
        }
        return true;
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('matches hand values and a direct probability-space computation on moderate logits', () => {
    const p = fromRows([[0, 0]]);
    const q = fromRows([[0, log(3)]]);
    expect(klDivergenceRows(p, q)[0]).toBeCloseTo(0.5 * log(0.5 / 0.25) + 0.5 * log(0.5 / 0.75), 15);
    expect(totalVariationRows(p, q)[0]).toBeCloseTo(0.25, 15);
    fc.assert(
      fc.property(logitsPair(3, 10, 5), ([a, b]) => {
        const pa = softmaxRows(a).data;
        const pb = softmaxRows(b).data;
        const kl = klDivergenceRows(a, b);
        const tv = totalVariationRows(a, b);
        for (let i = 0; i < a.rows; i++) {
          let k = 0;
          let t = 0;
          for (let j = 0; j < a.cols; j++) {
            const x = pa[i * a.cols + j];
            const y = pb[i * a.cols + j];
            k += x * log(x / y);
            t += abs(x - y) / 2;
          }
          // Probabilities ≥ e^-10/10 here, so the direct form is accurate to ~1e-14; 1e-12 margin.
          if (abs(kl[i] - k) > 1e-12 || abs(tv[i] - t) > 1e-12) return false;
        }
        return true;
      }),
      { seed: 43, numRuns: 100 },
    );
  });

  it('extremes: disjoint-looking rows over ±1e4 give finite KL and TV = 1, no NaN; float32 inputs give float64', () => {
    const a = fromRows([[1e4, -1e4]]);
    const b = fromRows([[-1e4, 1e4]]);
    const copy = a.data.slice();
    // KL = Σ p (log p − log q) ≈ 1·(0 − (−2e4)) = 2e4 exactly to rounding; p_2 underflows and contributes 0.
    expect(klDivergenceRows(a, b)[0]).toBe(2e4);
    expect(totalVariationRows(a, b)[0]).toBe(1);
    expect(a.data).toEqual(copy);
    const a32 = fromRows([[0.5, 1.5, -2]], 'float32');
    const b32 = fromRows([[0, 1, 2]], 'float32');
    expect(klDivergenceRows(a32, b32)).toBeInstanceOf(Float64Array);
    expect(totalVariationRows(a32, b32)).toBeInstanceOf(Float64Array);
    expect(klDivergenceRows(matrix(0, 3), matrix(0, 3)).length).toBe(0);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    for (const [f, fn] of [
      [klDivergenceRows, 'klDivergenceRows'],
      [totalVariationRows, 'totalVariationRows'],
    ] as const) {
      expect(() => f(fromRows([[0, 1]]), fromRows([[0, 1, 2]]))).toThrow(ShapeError);
      expect(() => f(fromRows([[0, 1]]), fromRows([[0, 1, 2]]))).toThrow(
        `${fn}: argument 'logitsQ' must be a 1×2 matrix (the shape of logitsP); got a 1×3 matrix`,
      );
      expect(() => f(matrix(1, 0), matrix(1, 0))).toThrow(`${fn}: argument 'logitsP' must be a matrix with at least one column; got a 1×0 matrix`);
      expect(() => f(fromRows([[0, -Infinity]]), fromRows([[0, 1]]))).toThrow(DomainError);
      expect(() => f(fromRows([[0, -Infinity]]), fromRows([[0, 1]]))).toThrow(
        `${fn}: argument 'logitsP' must be finite everywhere; got -Infinity at (0, 1)`,
      );
      expect(() => f(fromRows([[0, 1]]), fromRows([[NaN, 1]]))).toThrow(`${fn}: argument 'logitsQ' must be finite everywhere; got NaN at (0, 0)`);
      expect(() => f(null as unknown as Matrix, fromRows([[0]]))).toThrow(DomainError);
    }
  });
});
