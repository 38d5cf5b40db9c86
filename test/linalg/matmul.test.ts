/**
 * matmul, matmulTransposeB, matmulTransposeA: against a naive triple loop on fast-check shapes
 * (1×1, thin 1×k and k×1, sizes that are not multiples of the 4×4 tile or of the packing blocks),
 * output precision, empty dimensions, inputs not mutated, and every documented throw.
 *
 * Tolerances, against s = Σ|aᵢbᵢ| (the scale of summation error bounds, Higham §3.1):
 * - float64: two summation orders differ by ≤ 2·K·2⁻⁵³·s ≈ 2.2e-16·K·s; allowed 1e-12·K·s.
 * - float32 (both inputs float32): the active backend may accumulate in float32 (WASM SIMD), within
 *   ≈ K·2⁻²⁴·s, plus one rounding on store; allowed (K + 2)·2⁻²³·s, twice that.
 * - mixed precision: float64 output accumulated in float64; float64 tolerance.
 */
import fc from 'fast-check';
import { DomainError, LmTransferError, ShapeError } from '../../src/core/errors.js';
import { matmul } from '../../src/linalg/matmul.js';
import { matmulTransposeA } from '../../src/linalg/matmulTransposeA.js';
import { matmulTransposeB } from '../../src/linalg/matmulTransposeB.js';
import { fromRows, matrix, type Matrix } from '../../src/core/matrix.js';
import { naiveProduct, randomMatrix, sameValues, worstExcess } from './helpers.js';

type Variant = {
  name: string;
  fn: (a: Matrix, b: Matrix) => Matrix;
  // Stored shapes of a and b for an M×K·K×N product.
  shapes: (M: number, N: number, K: number) => { a: [number, number]; b: [number, number] };
  A: (a: Matrix) => (i: number, p: number) => number;
  B: (b: Matrix) => (p: number, j: number) => number;
};

const variants: Variant[] = [
  {
    name: 'matmul',
    fn: matmul,
    shapes: (M, N, K) => ({ a: [M, K], b: [K, N] }),
    A: (a) => (i, p) => a.data[i * a.cols + p],
    B: (b) => (p, j) => b.data[p * b.cols + j],
  },
  {
    name: 'matmulTransposeB',
    fn: matmulTransposeB,
    shapes: (M, N, K) => ({ a: [M, K], b: [N, K] }),
    A: (a) => (i, p) => a.data[i * a.cols + p],
    B: (b) => (p, j) => b.data[j * b.cols + p],
  },
  {
    name: 'matmulTransposeA',
    fn: matmulTransposeA,
    shapes: (M, N, K) => ({ a: [K, M], b: [K, N] }),
    A: (a) => (i, p) => a.data[p * a.cols + i],
    B: (b) => (p, j) => b.data[p * b.cols + j],
  },
];

// Dimensions biased to the interesting edges: 1 (thin), around the tile size 4, and odd sizes.
const dim = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 9), fc.integer({ min: 1, max: 45 }));

function check(v: Variant, M: number, N: number, K: number, f32a: boolean, f32b: boolean, seed: number): void {
  const s = v.shapes(M, N, K);
  const a = randomMatrix(s.a[0], s.a[1], seed, f32a);
  const b = randomMatrix(s.b[0], s.b[1], seed + 1, f32b);
  const a0 = a.data.slice();
  const b0 = b.data.slice();
  const c = v.fn(a, b);
  expect(c.rows).toBe(M);
  expect(c.cols).toBe(N);
  const bothF32 = f32a && f32b;
  expect(c.data).toBeInstanceOf(bothF32 ? Float32Array : Float64Array);
  const ref = naiveProduct(M, N, K, v.A(a), v.B(b));
  const tol = bothF32 ? (K + 2) * 2 ** -23 : 1e-12 * K;
  expect(worstExcess(c.data, ref.value, ref.scale, tol).excess).toBeLessThanOrEqual(0);
  // Inputs never mutated.
  expect(sameValues(a.data, a0)).toBe(true);
  expect(sameValues(b.data, b0)).toBe(true);
}

describe.each(variants)('$name', (v) => {
  it('equals a naive triple loop on random shapes, in every precision combination', () => {
    // numRuns 150 per variant; shapes ≤ 45 keep the naive loop cheap.
    fc.assert(
      fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 2 ** 30 }), (M, N, K, f32a, f32b, seed) => {
        check(v, M, N, K, f32a, f32b, seed);
      }),
      { seed: 8675309, numRuns: 150 },
    );
  });

  it('handles 1×1, thin shapes and sizes across the packing blocks', () => {
    const cases: Array<[number, number, number]> = [
      [1, 1, 1],
      [1, 300, 7], // 1×k times k×n: a row vector
      [300, 1, 7], // a column result
      [5, 6, 1], // rank-one outer product
      [131, 10, 259], // crosses MC = 128 and KC = 256
    ];
    for (const [M, N, K] of cases) {
      for (const f32 of [false, true]) check(v, M, N, K, f32, f32, M * 1000 + N * 10 + K);
    }
  });

  it('gives an empty or zero result for empty dimensions', () => {
    const make = (M: number, N: number, K: number) => {
      const s = v.shapes(M, N, K);
      return v.fn(matrix(s.a[0], s.a[1]), matrix(s.b[0], s.b[1]));
    };
    // K = 0: the sum over an empty index set is 0.
    const z = make(2, 3, 0);
    expect([z.rows, z.cols]).toEqual([2, 3]);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const e1 = make(0, 3, 4);
    expect([e1.rows, e1.cols, e1.data.length]).toEqual([0, 3, 0]);
    const e2 = make(2, 0, 4);
    expect([e2.rows, e2.cols, e2.data.length]).toEqual([2, 0, 0]);
  });
});

describe('matmul family: worked examples', () => {
  it('computes the documented examples exactly (small integers)', () => {
    expect(Array.from(matmul(fromRows([[1, 2], [3, 4]]), fromRows([[5], [6]])).data)).toEqual([17, 39]);
    const H = fromRows([[1, 0], [0, 1]]);
    const V = fromRows([[1, 2], [3, 4], [5, 6]]);
    expect(Array.from(matmulTransposeB(H, V).data)).toEqual([1, 3, 5, 2, 4, 6]);
    const X = fromRows([[1, 2], [3, 4]]);
    expect(Array.from(matmulTransposeA(X, X).data)).toEqual([10, 14, 14, 20]);
  });
});

describe('matmul family: errors', () => {
  const shapeCases: Array<[string, () => unknown, string]> = [
    ['matmul', () => matmul(matrix(2, 3), matrix(2, 3)), "matmul: argument 'b' must have 3 rows (a.cols); got a 2×3 matrix"],
    ['matmulTransposeB', () => matmulTransposeB(matrix(2, 3), matrix(2, 4)), "matmulTransposeB: argument 'b' must have 3 columns (a.cols); got a 2×4 matrix"],
    ['matmulTransposeA', () => matmulTransposeA(matrix(3, 2), matrix(2, 4)), "matmulTransposeA: argument 'b' must have 3 rows (a.rows); got a 2×4 matrix"],
  ];
  it.each(shapeCases)('%s throws ShapeError on mismatched shapes', (_name, call, message) => {
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(message);
  });

  const fns: Array<[string, (a: Matrix, b: Matrix) => Matrix]> = [
    ['matmul', matmul],
    ['matmulTransposeB', matmulTransposeB],
    ['matmulTransposeA', matmulTransposeA],
  ];
  it.each(fns)('%s throws DomainError / ShapeError on malformed matrices', (name, fn) => {
    const bad = { rows: 2, cols: 2, data: [1, 2, 3, 4] } as unknown as Matrix;
    expect(() => fn(bad, matrix(2, 2))).toThrow(DomainError);
    expect(() => fn(bad, matrix(2, 2))).toThrow(
      `${name}: argument 'a' must be a Matrix whose data is a Float64Array or Float32Array; got an array of length 4`,
    );
    expect(() => fn(matrix(2, 2), null as unknown as Matrix)).toThrow(`${name}: argument 'b' must be a Matrix { rows, cols, data }; got null`);
    const short = { rows: 2, cols: 2, data: new Float64Array(3) };
    expect(() => fn(matrix(2, 2), short)).toThrow(ShapeError);
    expect(() => fn(matrix(2, 2), short)).toThrow(
      `${name}: argument 'b' must be a Matrix with data.length = rows·cols = 2·2 = 4; got data.length = 3`,
    );
    expect(() => fn(bad, matrix(2, 2))).toThrow(LmTransferError);
  });
});
