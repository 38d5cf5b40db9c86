import fc from 'fast-check';
import { logPartition } from '../../src/softmax/logPartition.js';
import { logPartitionBlocks } from '../../src/softmax/logPartitionBlocks.js';
import type { Matrix } from '../../src/core/matrix.js';
import { fromRows, matrix } from '../../src/core/matrix.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { createRng } from '../../src/random/createRng.js';
import type { Rng } from '../../src/random/createRng.js';
import { maxAbsDiff, referenceLse } from './helpers.js';

const { abs, log, exp } = Math;

function randomMatrix(rng: Rng, rows: number, cols: number, scale: number, f32 = false): Matrix {
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() * scale;
  return { rows, cols, data };
}

/** Direct reference: materialise ⟨v_w, h_i⟩ in float64 for w in the set, then a compensated LSE. */
function directLogPartition(V: Matrix, H: Matrix, words?: Int32Array): Float64Array {
  const d = V.cols;
  const ws = words ?? Int32Array.from({ length: V.rows }, (_, w) => w);
  const out = new Float64Array(H.rows);
  const z = new Float64Array(ws.length);
  for (let i = 0; i < H.rows; i++) {
    for (let k = 0; k < ws.length; k++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += H.data[i * d + p] * V.data[ws[k] * d + p];
      z[k] = s;
    }
    out[i] = referenceLse(z);
  }
  return out;
}

/** max over (i, w) of (d + 1)·2^-24·Σ_p |h_ip v_wp|: the float32 error bound of every logit. */
function float32ProductBound(V: Matrix, H: Matrix): number {
  const d = V.cols;
  let worst = 0;
  for (let i = 0; i < H.rows; i++) {
    for (let w = 0; w < V.rows; w++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += abs(H.data[i * d + p] * V.data[w * d + p]);
      if (s > worst) worst = s;
    }
  }
  return (d + 1) * 2 ** -24 * worst;
}

describe('logPartition', () => {
  it('equals a direct log-sum-exp of the materialised logits, all words and subsets (property, small blocks)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 23 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer(),
        (m, n, d, br, bw, seed) => {
          const rng = createRng(seed);
          const V = randomMatrix(rng, n, d, 3);
          const H = randomMatrix(rng, m, d, 3);
          // Small blocks exercise partial blocks and the online rescaling across many chunks.
          const out = new Float64Array(m);
          expect(logPartitionBlocks(V, H, null, out, br, bw)).toBe(-1);
          const subsetSize = 1 + rng.int(n);
          const perm = Int32Array.from({ length: n }, (_, w) => w);
          for (let k = n - 1; k > 0; k--) {
            const r = rng.int(k + 1);
            [perm[k], perm[r]] = [perm[r], perm[k]];
          }
          const words = perm.slice(0, subsetSize);
          const outA = new Float64Array(m);
          logPartitionBlocks(V, H, words, outA, br, bw);
          // Tolerance 1e-12: logits are O(10), n ≤ 23 terms; the products are summed in a different
          // order from the reference, which moves them by a few ulps of 10.
          return maxAbsDiff(out, directLogPartition(V, H)) <= 1e-12 && maxAbsDiff(outA, directLogPartition(V, H, words)) <= 1e-12;
        },
      ),
      { seed: 77, numRuns: 150 },
    );
  });

  it('is correct at the default block boundaries (64 contexts × 1024 words)', () => {
    const rng = createRng('blocks');
    const d = 3;
    for (const [m, n] of [
      [64, 1024],
      [65, 1025],
      [63, 1023],
      [1, 2049],
    ]) {
      const V = randomMatrix(rng, n, d, 2);
      const H = randomMatrix(rng, m, d, 2);
      // Tolerance 1e-12: logits O(10), sums of ≤ 2049 terms (≤ 2049·2^-53 ≈ 2.3e-13 relative).
      expect(maxAbsDiff(logPartition(V, H), directLogPartition(V, H))).toBeLessThanOrEqual(1e-12);
      const words = Int32Array.from({ length: 1025 > n ? n - 1 : 1025 }, (_, k) => (k * 7) % n).filter((w, k, a) => a.indexOf(w) === k);
      expect(maxAbsDiff(logPartition(V, H, words), directLogPartition(V, H, words))).toBeLessThanOrEqual(1e-12);
    }
  });

  it('stays exact where the online rescaling matters: a later chunk raises the maximum by 1e3', () => {
    // Word 1500 (in the second chunk of 1024) has a logit 1000 larger than every other word.
    const n = 1600;
    const V = matrix(n, 1);
    for (let w = 0; w < n; w++) V.data[w] = w === 1500 ? 1000 : (w % 13) / 13;
    const H = fromRows([[1], [-1]]);
    const got = logPartition(V, H);
    expect(abs(got[0] - directLogPartition(V, H)[0])).toBeLessThanOrEqual(1e-12);
    expect(got[0]).toBeCloseTo(1000, 10);
    // The second context sees it as −1000: negligible, and no −Infinity or NaN appears.
    expect(abs(got[1] - directLogPartition(V, H)[1])).toBeLessThanOrEqual(1e-12);
  });

  it('float32 storage: float64 result within the float32 product error of the exact log-partition', () => {
    const rng = createRng('f32');
    const V = randomMatrix(rng, 1100, 8, 1, true);
    const H = randomMatrix(rng, 70, 8, 1, true);
    const got = logPartition(V, H);
    expect(got).toBeInstanceOf(Float64Array);
    // Tolerance: float32 products may be accumulated in float32 (the WebAssembly backend does), so
    // each logit carries an error of at most (d + 1)·2^-24·Σ_p |h_p v_p| (Higham §3.1, γ_d, plus the
    // final rounding); log-sum-exp is 1-Lipschitz in the max-norm, so that bound carries over. The
    // reference uses the exact (float64) products of the float32 inputs.
    const bound = float32ProductBound(V, H);
    expect(maxAbsDiff(got, directLogPartition(V, H))).toBeLessThanOrEqual(bound);
    const words = Int32Array.from([5, 1099, 0, 17, 600]);
    expect(maxAbsDiff(logPartition(V, H, words), directLogPartition(V, H, words))).toBeLessThanOrEqual(bound);
    // The bound has teeth: it is far below the spread of the values.
    expect(bound).toBeLessThan(1e-4);
    // Mixed precision (float64 V, float32 H) uses a float64 block.
    const V64: Matrix = { rows: V.rows, cols: V.cols, data: Float64Array.from(V.data) };
    expect(maxAbsDiff(logPartition(V64, H), directLogPartition(V64, H))).toBeLessThanOrEqual(1e-12);
  });

  it('invariance 1 (docs/theory.md#1-definitions): v_w → v_w − u shifts log Z_A(s) by −⟨u, h(s)⟩ (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (m, n, d, seed) => {
        const rng = createRng(seed);
        const V = randomMatrix(rng, n, d, 2);
        const H = randomMatrix(rng, m, d, 2);
        const u = Float64Array.from({ length: d }, () => rng.normal() * 2);
        const Vs: Matrix = { rows: n, cols: d, data: V.data.map((v, k) => v - u[k % d]) };
        const words = Int32Array.from({ length: Math.ceil(n / 2) }, (_, k) => 2 * k);
        const a = logPartition(V, H);
        const b = logPartition(Vs, H);
        const aA = logPartition(V, H, words);
        const bA = logPartition(Vs, H, words);
        for (let i = 0; i < m; i++) {
          let uh = 0;
          for (let p = 0; p < d; p++) uh += u[p] * H.data[i * d + p];
          // Tolerance 1e-11: logits and ⟨u, h⟩ are O(30); rounding of v − u and of the products.
          if (abs(b[i] - (a[i] - uh)) > 1e-11 || abs(bA[i] - (aA[i] - uh)) > 1e-11) return false;
        }
        return true;
      }),
      { seed: 78, numRuns: 100 },
    );
  });

  it('hand values, empty H, and inputs not mutated', () => {
    const V = fromRows([[1, 0], [0, 1], [0, 0]]);
    const H = fromRows([[0, 0], [2, 0]]);
    const vCopy = V.data.slice();
    const hCopy = H.data.slice();
    const words = Int32Array.of(1, 2);
    const got = logPartition(V, H);
    expect(got[0]).toBeCloseTo(log(3), 15);
    expect(got[1]).toBeCloseTo(log(exp(2) + 2), 15);
    expect(Array.from(logPartition(V, H, words))).toEqual([log(2), log(2)]);
    expect(V.data).toEqual(vCopy);
    expect(H.data).toEqual(hCopy);
    expect(Array.from(words)).toEqual([1, 2]);
    expect(logPartition(V, matrix(0, 2)).length).toBe(0);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    const V = fromRows([[1, 0], [0, 1], [0, 0]]);
    const H = fromRows([[0, 0]]);
    expect(() => logPartition(V, H, new Int32Array(0))).toThrow(ShapeError);
    expect(() => logPartition(V, H, new Int32Array(0))).toThrow(
      "logPartition: argument 'words' must be a non-empty set of word indices; got an empty Int32Array",
    );
    expect(() => logPartition(V, fromRows([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => logPartition(V, fromRows([[1, 2, 3]]))).toThrow(
      "logPartition: argument 'H' must be a matrix with 2 columns (V.cols, the dimension d); got a 1×3 matrix",
    );
    expect(() => logPartition(matrix(0, 2), H)).toThrow("logPartition: argument 'V' must be a non-empty matrix; got a 0×2 matrix");
    expect(() => logPartition(fromRows([[1, NaN]]), H)).toThrow(DomainError);
    expect(() => logPartition(fromRows([[1, NaN]]), H)).toThrow("logPartition: argument 'V' must be finite everywhere; got NaN at (0, 1)");
    expect(() => logPartition(V, fromRows([[Infinity, 0]]))).toThrow("logPartition: argument 'H' must be finite everywhere; got Infinity at (0, 0)");
    expect(() => logPartition(V, H, Int32Array.of(0, 3))).toThrow("logPartition: argument 'words' must be word indices in [0, 3); got 3 at position 1");
    expect(() => logPartition(V, H, Int32Array.of(1, 1))).toThrow("logPartition: argument 'words' must be distinct word indices; got 1 repeated at position 1");
    expect(() => logPartition(V, H, [0] as unknown as Int32Array)).toThrow(DomainError);
    // Finite inputs whose product overflows: a NumericalError naming the context.
    const big = fromRows([[1e200, 1e200]]);
    expect(() => logPartition(big, fromRows([[0, 0], [1e200, 0]]))).toThrow(NumericalError);
    expect(() => logPartition(big, fromRows([[0, 0], [1e200, 0]]))).toThrow(
      "logPartition: the logits V·h for row 1 of 'H' must be finite; got an overflow (|⟨v_w, h⟩| beyond the float64 range): scale V or H down",
    );
  });
});
