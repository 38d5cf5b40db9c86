import fc from 'fast-check';
import { klDivergenceRows } from '../../src/loss/klDivergenceRows.js';
import { totalVariationRows } from '../../src/loss/totalVariationRows.js';
import { softmaxRows } from '../../src/softmax/softmaxRows.js';
import { fromRows, matrix } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { logitsMatrix, logitsPair } from '../softmax/helpers.js';
import { K, exp as bigExp, fromSigned, ln, relErr, toDouble } from '../theory/bigFixed.js';

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

/**
 * KL and TV rows against a 1700-bit fixed-point reference (test/theory/bigFixed.ts): exact
 * log-softmax of the given logits, `KL = Σ p (log p − log q)`, `TV = ½ Σ |p − q|`.
 */
function referenceKlTv(zp: number[], zq: number[]): { kl: bigint; tv: bigint } {
  const logSoftmax = (z: number[]) => {
    const c = Math.max(...z);
    const shifted = z.map((v) => fromSigned(v) - fromSigned(c));
    const lse = ln(shifted.reduce((s, x) => s + bigExp(x), 0n));
    return shifted.map((x) => x - lse);
  };
  const lp = logSoftmax(zp);
  const lq = logSoftmax(zq);
  let kl = 0n;
  let tv = 0n;
  for (let j = 0; j < zp.length; j++) {
    const p = bigExp(lp[j]);
    const q = bigExp(lq[j]);
    kl += (p * (lp[j] - lq[j])) >> K;
    tv += p > q ? p - q : q - p;
  }
  return { kl, tv: tv / 2n };
}

describe('klDivergenceRows and totalVariationRows with tiny probabilities (1700-bit reference)', () => {
  it('regression: two words at log p ≈ −36, learner lowers the rare logit by 2 (TV was 2× too small, KL 8 % too small)', () => {
    const zp = [0, -36];
    const zq = [0, -38];
    const ref = referenceKlTv(zp, zq);
    const kl = klDivergenceRows(fromRows([zp]), fromRows([zq]))[0];
    const tv = totalVariationRows(fromRows([zp]), fromRows([zq]))[0];
    // Tolerance 1e-13 relative: the logits are exact; log p carries u·|z − c| = 36u ≈ 8e-15.
    expect(relErr(kl, ref.kl)).toBeLessThanOrEqual(1e-13);
    expect(relErr(tv, ref.tv)).toBeLessThanOrEqual(1e-13);
  });

  it('property: target words at log-probabilities −1 … −700 moved by up to ±5, relative error ≤ 1e-12', () => {
    fc.assert(
      fc.property(
        // Moves of 1e-3 … 5 in either direction: a move at the ulp level of the log-normaliser
        // (|δ| ~ 1e-16) has KL ~ δ² below the normaliser's own rounding (u·log1p(t)), where only an
        // absolute accuracy is possible (the theorems carry it as an allowance).
        fc.array(
          fc.tuple(fc.double({ min: -700, max: -1, noNaN: true }), fc.double({ min: 1e-3, max: 5, noNaN: true }), fc.boolean()),
          { minLength: 1, maxLength: 5 },
        ),
        fc.double({ min: -800, max: 800, noNaN: true }),
        (words, offset) => {
          // Word 0 is the dominant word; the others sit at log-probability ≈ lp and move by δ.
          // `offset` shifts every logit (up to ±800: exp overflows without the max-shift).
          const zp = [offset, ...words.map(([lp]) => offset + lp)];
          const zq = [offset, ...words.map(([lp, dl, down]) => offset + lp + (down ? -dl : dl))];
          const ref = referenceKlTv(zp, zq);
          const kl = klDivergenceRows(fromRows([zp]), fromRows([zq]))[0];
          const tv = totalVariationRows(fromRows([zp]), fromRows([zq]))[0];
          let worst = 0;
          // Tolerance: each log p carries u·(|z − c| + |offset|)·… ≤ 2e-13 relative on its term at
          // |offset| = 800, |lp| = 700; 1e-12 covers it with a margin of 5.
          if (ref.kl > 0n && toDouble(ref.kl) > 1e-300) worst = Math.max(worst, relErr(kl, ref.kl));
          if (ref.tv > 0n && toDouble(ref.tv) > 1e-300) worst = Math.max(worst, relErr(tv, ref.tv));
          expect(worst).toBeLessThanOrEqual(1e-12);
        },
      ),
      { seed: 43, numRuns: 60 },
    );
  });
});
