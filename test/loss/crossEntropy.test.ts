import fc from 'fast-check';
import { crossEntropy } from '../../src/loss/crossEntropy.js';
import { klDivergenceRows } from '../../src/loss/klDivergenceRows.js';
import { logSoftmaxRows } from '../../src/softmax/logSoftmaxRows.js';
import { softmaxRows } from '../../src/softmax/softmaxRows.js';
import { fromRows, matrix, toRows } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { logitsMatrix, logitsPair, referenceLse } from '../softmax/helpers.js';

const { abs, log, max } = Math;

/** Index targets for a logits matrix, chosen by fast-check. */
const withIndexTargets = (bound: number): fc.Arbitrary<[Matrix<Float64Array>, Int32Array]> =>
  logitsMatrix(5, 8, bound).chain((z) =>
    fc
      .array(fc.integer({ min: 0, max: z.cols - 1 }), { minLength: z.rows, maxLength: z.rows })
      .map((t): [Matrix<Float64Array>, Int32Array] => [z, Int32Array.from(t)]),
  );

/**
 * Central finite-difference gradient of f at z: the five-point stencil
 * (−f(z+2h) + 8f(z+h) − 8f(z−h) + f(z−2h)) / 12h, with truncation error O(h⁴) ≈ 1e-12 at h = 1e-3
 * and rounding error ≈ 1.5·2^-53·|f|/h ≈ 2e-13·|f|.
 */
function finiteDifference(f: (z: Matrix) => number, z: Matrix, h: number): Float64Array {
  const g = new Float64Array(z.data.length);
  const at = (k: number, step: number): number => {
    const zz = { rows: z.rows, cols: z.cols, data: z.data.slice() };
    zz.data[k] += step;
    return f(zz);
  };
  for (let k = 0; k < z.data.length; k++) g[k] = (-at(k, 2 * h) + 8 * at(k, h) - 8 * at(k, -h) + at(k, -2 * h)) / (12 * h);
  return g;
}

/**
 * Norm-wise relative error max|a − b| / max(max|b|, 1e-6). Entry-wise errors are meaningless for
 * entries near 0; and below a gradient norm of 1e-6 the finite-difference reference itself is only
 * good to its rounding floor (≈ 1e-12 for these losses), so the check becomes absolute 1e-12 there.
 */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < a.length; k++) {
    num = max(num, abs(a[k] - b[k]));
    den = max(den, abs(b[k]));
  }
  return num / max(den, 1e-6);
}

/**
 * The analytic gradient equals central finite differences (relative error ≤ 1e-6) and each row sums
 * to 0. Losses in these tests are ≤ 5·(10 + log 8) ≈ 60, so the stencil's error is ≲ 1e-11, far
 * below 1e-6; a row sum is Σ_j (p_j − q_j)·scale = (Σp − 1)·scale, the rounding of n ≤ 8
 * probabilities, below 1e-15.
 */
function gradientMatchesAndRowsSumToZero(z: Matrix, targets: Int32Array | Matrix, reduction: 'mean' | 'sum' | 'none'): boolean {
  const { gradLogits } = crossEntropy(z, targets, { grad: true, reduction });
  if (!gradLogits) return false;
  const fd = finiteDifference((zz) => crossEntropy(zz, targets, { reduction }).loss, z, 1e-3);
  if (relErr(gradLogits.data, fd) > 1e-6) return false;
  for (let i = 0; i < z.rows; i++) {
    let s = 0;
    for (let j = 0; j < z.cols; j++) s += gradLogits.data[i * z.cols + j];
    if (abs(s) > 1e-15) return false;
  }
  return true;
}

describe('crossEntropy', () => {
  it('index targets: per-row loss is LSE(z) − z_t, reductions mean/sum/none agree (property)', () => {
    fc.assert(
      fc.property(withIndexTargets(1e4), ([z, t]) => {
        const mean = crossEntropy(z, t);
        const sum = crossEntropy(z, t, { reduction: 'sum' });
        const none = crossEntropy(z, t, { reduction: 'none' });
        let total = 0;
        for (let i = 0; i < z.rows; i++) {
          const ref = referenceLse(z.data, i * z.cols, z.cols) - z.data[i * z.cols + t[i]];
          // Tolerance: ulps of |z| ≤ 1e4 (≈ 1.8e-12) plus summation error; 1e-11.
          if (abs(none.perRow[i] - ref) > 1e-11 || !(none.perRow[i] >= 0)) return false;
          total += none.perRow[i];
        }
        return mean.loss === total / z.rows && sum.loss === total && none.loss === total && mean.perRow.length === z.rows;
      }),
      { seed: 31, numRuns: 100 },
    );
  });

  it('gradient equals central finite differences (relative error ≤ 1e-6) and each row sums to 0 (property)', () => {
    fc.assert(
      fc.property(withIndexTargets(5), fc.constantFrom('mean' as const, 'sum' as const, 'none' as const), ([z, t], reduction) => {
        return gradientMatchesAndRowsSumToZero(z, t, reduction);
      }),
      { seed: 32, numRuns: 100 },
    );
  });

  it('distribution targets: gradient matches finite differences, rows sum to 0 (property)', () => {
    fc.assert(
      fc.property(logitsPair(4, 8, 5), ([z, a]) => {
        const q = softmaxRows(a);
        return gradientMatchesAndRowsSumToZero(z, q, 'mean');
      }),
      { seed: 33, numRuns: 100 },
    );
  });

  it('CE with a distribution target equals entropy + KL (docs/theory.md#2-pre-training-loss-and-its-gradient) (property)', () => {
    fc.assert(
      fc.property(logitsPair(5, 30, 20), ([z, a]) => {
        const q = softmaxRows(a);
        const lq = logSoftmaxRows(a);
        const ce = crossEntropy(z, q, { reduction: 'none' }).perRow;
        const kl = klDivergenceRows(a, z);
        for (let i = 0; i < z.rows; i++) {
          let entropy = 0;
          for (let j = 0; j < z.cols; j++) {
            const k = i * z.cols + j;
            if (q.data[k] > 0) entropy -= q.data[k] * lq.data[k];
          }
          // Tolerance 1e-11: all three sums are O(40) at most, n ≤ 30 terms, float64.
          if (abs(ce[i] - (entropy + kl[i])) > 1e-11) return false;
        }
        return true;
      }),
      { seed: 34, numRuns: 100 },
    );
  });

  it('extreme logits: finite loss, no NaN where q = 0 meets an underflowed probability', () => {
    const z = fromRows([
      [1e4, -1e4, 0],
      [-1e4, 1e4, 5],
    ]);
    const q = fromRows([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const copyZ = z.data.slice();
    const copyQ = q.data.slice();
    const r = crossEntropy(z, q, { reduction: 'none', grad: true });
    // Row 0: −log p_1 = LSE − z_1 = 1e4 + 1e4 (+ log(1 + e^-1e4 + …) = 0 in float64).
    expect(Array.from(r.perRow)).toEqual([2e4, 2e4]);
    expect(toRows(r.gradLogits as Matrix)).toEqual([
      [1, -1, 0],
      [-1, 1, 0],
    ].map((row, i) => row.map((v, j) => (i === 1 && j === 2 ? Math.exp(5 - 1e4) : v))));
    expect(Number.isFinite(crossEntropy(z, Int32Array.of(1, 0)).loss)).toBe(true);
    expect(z.data).toEqual(copyZ);
    expect(q.data).toEqual(copyQ);
  });

  it('float32 logits give a float32 gradient and a float64 loss', () => {
    const z = fromRows([[0.5, -1, 2, 0]], 'float32');
    const z64 = fromRows([Array.from(z.data)]);
    const r = crossEntropy(z, Int32Array.of(2), { grad: true });
    const r64 = crossEntropy(z64, Int32Array.of(2), { grad: true });
    expect(r.gradLogits?.data).toBeInstanceOf(Float32Array);
    expect(r.perRow).toBeInstanceOf(Float64Array);
    // Same float64 computation on the same values; the gradient is rounded once to float32.
    expect(r.loss).toBe(r64.loss);
    expect(Array.from(r.gradLogits?.data ?? [])).toEqual(Array.from(r64.gradLogits?.data ?? []).map(Math.fround));
    // Hand value: uniform logits, target 2 of 3.
    const u = crossEntropy(fromRows([[0, 0, 0]]), Int32Array.of(2), { grad: true });
    expect(u.loss).toBeCloseTo(log(3), 15);
    expect(u.gradLogits?.data[2]).toBeCloseTo(-2 / 3, 15);
    expect(u.gradLogits?.data[0]).toBeCloseTo(1 / 3, 15);
  });

  it('accepts distribution rows within the documented tolerance, float32 targets included', () => {
    const z = fromRows([[0, 1, 2]]);
    expect(() => crossEntropy(z, fromRows([[0.2, 0.3, 0.5000005]]))).not.toThrow();
    expect(() => crossEntropy(z, fromRows([[0.2, 0.3, 0.5]], 'float32'))).not.toThrow();
    expect(() => crossEntropy(z, fromRows([[0.2, 0.3, 0.50001]]))).toThrow(DomainError);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    const z = fromRows([[0, 1, 2], [1, 1, 1]]);
    expect(() => crossEntropy(matrix(0, 3), new Int32Array(0))).toThrow(ShapeError);
    expect(() => crossEntropy(matrix(0, 3), new Int32Array(0))).toThrow("crossEntropy: argument 'logits' must be a non-empty matrix; got a 0×3 matrix");
    expect(() => crossEntropy(z, Int32Array.of(0))).toThrow(ShapeError);
    expect(() => crossEntropy(z, Int32Array.of(0))).toThrow("crossEntropy: argument 'targets' must be an Int32Array of length 2 (logits.rows); got length 1");
    expect(() => crossEntropy(z, Int32Array.of(0, 3))).toThrow(DomainError);
    expect(() => crossEntropy(z, Int32Array.of(0, 3))).toThrow("crossEntropy: argument 'targets' must be word indices in [0, 3); got 3 at position 1");
    expect(() => crossEntropy(z, fromRows([[1, 0, 0]]))).toThrow("crossEntropy: argument 'targets' must be a 2×3 matrix (the shape of logits); got a 1×3 matrix");
    expect(() => crossEntropy(z, fromRows([[1, 0, 0], [0.5, 0.6, -0.1]]))).toThrow(
      "crossEntropy: argument 'targets' must be a matrix of probability distributions (finite, non-negative entries); got -0.1 at (1, 2)",
    );
    expect(() => crossEntropy(z, fromRows([[1, 0, 0], [0.5, NaN, 0.5]]))).toThrow("got NaN at (1, 1)");
    expect(() => crossEntropy(z, fromRows([[1, 0, 0], [0.5, 0.6, 0]]))).toThrow(DomainError);
    expect(() => crossEntropy(z, fromRows([[1, 0, 0], [0.5, 0.6, 0]]))).toThrow(
      "crossEntropy: argument 'targets' must be a matrix whose rows sum to 1 (within 1.000e-6 = 1e-6 + n·u); got row 1 summing to 1.1",
    );
    expect(() => crossEntropy(z, [0, 1] as unknown as Int32Array)).toThrow(
      "crossEntropy: argument 'targets' must be an Int32Array of class indices or a Matrix of row distributions; got an array of length 2",
    );
    expect(() => crossEntropy(z, Float64Array.of(0, 1) as unknown as Int32Array)).toThrow(DomainError);
    expect(() => crossEntropy(fromRows([[0, NaN, 1]]), Int32Array.of(0))).toThrow("crossEntropy: argument 'logits' must be finite everywhere; got NaN at (0, 1)");
    expect(() => crossEntropy(z, Int32Array.of(0, 1), { reduction: 'avg' as 'mean' })).toThrow(
      "crossEntropy: argument 'opts.reduction' must be one of 'mean', 'sum', 'none'; got \"avg\"",
    );
    expect(() => crossEntropy(z, Int32Array.of(0, 1), { grad: 1 as unknown as boolean })).toThrow(
      "crossEntropy: argument 'opts.grad' must be a boolean or undefined; got 1",
    );
    expect(() => crossEntropy(z, Int32Array.of(0, 1), 5 as never)).toThrow("crossEntropy: argument 'opts' must be an options object or undefined; got 5");
  });
});

describe('crossEntropy ignoreIndex (PyTorch ignore_index)', () => {
  /** The rows of `z` listed in `keep`, as a new matrix. */
  const rowsOf = (z: Matrix, keep: number[]): Matrix => {
    const out = new Float64Array(keep.length * z.cols);
    keep.forEach((r, i) => out.set(z.data.subarray(r * z.cols, (r + 1) * z.cols), i * z.cols));
    return { rows: keep.length, cols: z.cols, data: out };
  };

  /** Ignored rows give 0 loss and a zero gradient row; the rest is bitwise crossEntropy on the kept rows. */
  const agreesWithKeptRows = (z: Matrix, t: Int32Array, ignore: number, reduction: 'mean' | 'sum' | 'none'): void => {
    const r = crossEntropy(z, t, { grad: true, reduction, ignoreIndex: ignore });
    const keep = [...t.keys()].filter((i) => t[i] !== ignore);
    const g = r.gradLogits!.data;
    for (let i = 0; i < z.rows; i++) {
      if (t[i] !== ignore) continue;
      expect(r.perRow[i]).toBe(0);
      for (let j = 0; j < z.cols; j++) expect(g[i * z.cols + j]).toBe(0);
    }
    if (keep.length === 0) {
      expect(r.loss).toBe(0);
      return;
    }
    const sub = crossEntropy(rowsOf(z, keep), Int32Array.from(keep, (i) => t[i]), { grad: true, reduction });
    // Adding the ignored rows' exact zeros changes no sum, so the reduced loss is bitwise the subset's.
    expect(r.loss).toBe(sub.loss);
    keep.forEach((row, i) => {
      expect(r.perRow[row]).toBe(sub.perRow[i]);
      expect(Array.from(g.subarray(row * z.cols, (row + 1) * z.cols))).toEqual(Array.from(sub.gradLogits!.data.subarray(i * z.cols, (i + 1) * z.cols)));
    });
  };

  it('ignored rows contribute neither loss nor gradient; the mean divides by the kept rows (property)', () => {
    fc.assert(
      fc.property(
        withIndexTargets(30).chain(([z, t]) => fc.tuple(fc.constant(z), fc.constant(t), fc.array(fc.boolean(), { minLength: z.rows, maxLength: z.rows }))),
        fc.constantFrom<'mean' | 'sum' | 'none'>('mean', 'sum', 'none'),
        ([z, t, pad], reduction) => {
          const padded = Int32Array.from(t, (v, i) => (pad[i] ? -100 : v));
          agreesWithKeptRows(z, padded, -100, reduction);
        },
      ),
      { seed: 1211, numRuns: 150 },
    );
  });

  it('an ignoreIndex inside [0, n) ignores that class; large batches (accelerated pass) agree too', () => {
    const z = fromRows([[0, 1, 2], [2, 1, 0], [5, -5, 0]]);
    agreesWithKeptRows(z, Int32Array.of(1, 2, 1), 1, 'mean');
    expect(crossEntropy(z, Int32Array.of(1, 2, 1), { ignoreIndex: 1 }).loss).toBe(crossEntropy(fromRows([[2, 1, 0]]), Int32Array.of(2)).loss);
    // 96 × 100 = 9600 logits, above the accelerated backend's threshold (4096): the row pass runs there.
    const m = 96;
    const n = 100;
    const big = matrix(m, n, Float64Array.from({ length: m * n }, (_, k) => Math.sin(k * 0.37) * 8));
    const t = Int32Array.from({ length: m }, (_, i) => (i % 3 === 0 ? -1 : (i * 7) % n));
    for (const reduction of ['mean', 'sum', 'none'] as const) agreesWithKeptRows(big, t, -1, reduction);
  });

  it('all rows ignored: loss 0 and a zero gradient for every reduction (documented; PyTorch gives NaN for the mean)', () => {
    const z = fromRows([[0, 1], [3, -2]]);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const r = crossEntropy(z, Int32Array.of(-100, -100), { grad: true, reduction, ignoreIndex: -100 });
      expect(r.loss).toBe(0);
      expect(Array.from(r.perRow)).toEqual([0, 0]);
      expect(Array.from(r.gradLogits!.data)).toEqual([0, 0, 0, 0]);
    }
  });

  it('rejects a bad ignoreIndex, ignoreIndex with distribution targets, and out-of-range targets that are not ignored', () => {
    const z = fromRows([[0, 1, 2], [1, 1, 1]]);
    expect(() => crossEntropy(z, Int32Array.of(0, 1), { ignoreIndex: 0.5 })).toThrow(DomainError);
    expect(() => crossEntropy(z, Int32Array.of(0, 1), { ignoreIndex: 0.5 })).toThrow("crossEntropy: argument 'opts.ignoreIndex' must be an integer or undefined; got 0.5");
    expect(() => crossEntropy(z, Int32Array.of(0, 1), { ignoreIndex: '-100' as unknown as number })).toThrow(DomainError);
    expect(() => crossEntropy(z, fromRows([[1, 0, 0], [0, 1, 0]]), { ignoreIndex: -100 })).toThrow(
      "crossEntropy: argument 'opts.ignoreIndex' must be undefined with distribution targets (it applies to Int32Array targets); got -100",
    );
    expect(() => crossEntropy(z, Int32Array.of(-100, 3), { ignoreIndex: -100 })).toThrow("crossEntropy: argument 'targets' must be word indices in [0, 3); got 3 at position 1");
    expect(() => crossEntropy(z, Int32Array.of(-100, 1))).toThrow("crossEntropy: argument 'targets' must be word indices in [0, 3); got -100 at position 0");
  });
});

describe('crossEntropy distribution gradient: the exact derivative softmax(z)·Σq − q', () => {
  const u = 2 ** -53;

  it('matches an exact rational reference at zero logits when Σq = 1 − 1e-6 (where softmax − q is off by 1e-6/n)', () => {
    // At z = 0, softmax(z)_j = 1/n exactly, so the exact gradient of the summed loss is Σq/n − q_j,
    // computed here in BigInt rationals from the float64 q (exact), then compared entry-wise. The
    // kernel's value is (1/n)·Σq − q_j with 3 roundings (1/n, the product, the difference) plus the
    // float64 sum Σq (n − 1 roundings of terms ≤ 1, each ≤ u relative to the running sum ≤ 1):
    // |error| ≤ (n + 3)·u·(Σq/n + q_j).
    const n = 7;
    const raw = [0.31, 0.05, 0.2, 0.01, 0.13, 0.2, 0.1]; // sums to 1
    const q = Float64Array.from(raw, (v) => v * (1 - 1e-6));
    const r = crossEntropy(matrix(1, n, new Float64Array(n)), matrix(1, n, q), { grad: true, reduction: 'sum' });
    // Exact rationals: every float64 is m·2^e; scale all to a common denominator 2^P.
    const P = 1100n;
    const toFixed = (x: number): bigint => {
      const buf = new DataView(new ArrayBuffer(8));
      buf.setFloat64(0, x);
      const bits = buf.getBigUint64(0);
      const e = Number((bits >> 52n) & 0x7ffn);
      const mant = (bits & ((1n << 52n) - 1n)) | (e === 0 ? 0n : 1n << 52n);
      const exp = BigInt((e === 0 ? 1 : e) - 1075);
      return exp >= 0n ? mant << (exp + P) : (mant << P) >> -exp; // exact: P exceeds every negative exponent here
    };
    const qFixed = Array.from(q, toFixed);
    const sumQ = qFixed.reduce((a, b) => a + b, 0n);
    let textbookFails = false;
    for (let j = 0; j < n; j++) {
      // exact g_j = Σq/n − q_j, as a float: (Σq − n·q_j) / (n·2^P), converted through a scaled integer.
      const num = sumQ - BigInt(n) * qFixed[j];
      const exact = Number((num * (1n << 60n)) / (BigInt(n) << P)) / 2 ** 60;
      const tol = (n + 3) * u * (1 / n + q[j]);
      expect(abs(r.gradLogits!.data[j] - exact)).toBeLessThanOrEqual(tol);
      // Teeth: the textbook softmax − q (the formula train used before) misses by ≈ 1e-6/n.
      if (abs(1 / n - q[j] - exact) > tol) textbookFails = true;
    }
    expect(textbookFails).toBe(true);
  });

  it('gradient rows sum to 0 for targets summing to 1 ± 1e-6 (shift invariance of the loss), unlike softmax − q (property)', () => {
    fc.assert(
      fc.property(
        logitsMatrix(4, 9, 20),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.double({ min: -9e-7, max: 9e-7, noNaN: true }),
        (z, seed, delta) => {
          const { rows: m, cols: n } = z;
          const q = new Float64Array(m * n);
          let x = seed;
          for (let i = 0; i < m; i++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += q[i * n + j] = ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) + 1e-3;
            for (let j = 0; j < n; j++) q[i * n + j] *= (1 + delta) / s;
          }
          const g = crossEntropy(z, matrix(m, n, q), { grad: true, reduction: 'sum' }).gradLogits!.data;
          for (let i = 0; i < m; i++) {
            let s = 0;
            let a = 0;
            let sq = 0;
            for (let j = 0; j < n; j++) {
              s += g[i * n + j];
              a += abs(g[i * n + j]);
              sq += q[i * n + j];
            }
            // Σ_j (p_j·Σq − q_j) = Σq·(Σp − 1) + rounding: ≤ 4n·u·(Σ|g| + Σq) covers the n products,
            // differences and the two float64 sums.
            const tol = 4 * n * u * (a + sq);
            expect(abs(s)).toBeLessThanOrEqual(tol);
            // The textbook gradient's row sums to 1 − Σq, which is |delta| up to rounding.
            if (abs(delta) > 1e-9) expect(abs(1 - sq)).toBeGreaterThan(tol);
          }
        },
      ),
      { seed: 1212, numRuns: 100 },
    );
  });
});
