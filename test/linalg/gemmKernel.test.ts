/**
 * gemmKernel, called directly (so that the accelerated backend behind `gemm` cannot take over and
 * the float64-accumulation guarantees of the TypeScript kernel are what is tested): every (transA, transB) layout against a naive triple loop, on
 * sizes that cross the register tile (4), the packing blocks (MC = 128, KC = 256, NC = 2048) and the
 * small-problem cut-over (32³ multiply-adds), with offsets and leading dimensions wider than the
 * operand, α/β semantics, and float32 storage.
 *
 * Tolerances. The kernel and the reference both sum K float64 products, in different orders; each
 * is within γ_K·Σ|aᵢbᵢ| of the exact sum (γ_K ≈ K·2⁻⁵³ ≈ K·1.1e-16, Higham, "Accuracy and Stability
 * of Numerical Algorithms", §3.1), so they differ by at most ≈ 2.2e-16·K·Σ|aᵢbᵢ|. The tests allow
 * 1e-12·K·Σ|aᵢbᵢ|, far above that bound yet far below any indexing mistake (which is O(Σ|aᵢbᵢ|)).
 * With float32 storage of C, each stored partial sum (one per 256-deep block) is rounded once more,
 * by at most 2⁻²⁴ relative, so float32 tests allow 2⁻²⁴·⌈K/256⌉·Σ|aᵢbᵢ| on top.
 */
import fc from 'fast-check';
import { gemmKernel } from '../../src/kernels/gemmKernel.js';
import type { FloatArray } from '../../src/core/matrix.js';
import { naiveProduct, seededUniform, worstExcess } from './helpers.js';

interface Case {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  padA: number; // extra columns in the stored rows of A (lda = width + padA)
  padB: number;
  padC: number;
  offA: number;
  offB: number;
  offC: number;
  alpha: number;
  beta: number;
  f32: boolean;
  seed: number;
}

/** Build buffers for a case, run gemm, and return the worst tolerance excess over C (including padding checks). */
function runCase(c: Case): { excess: number; at: number; paddingIntact: boolean; inputsIntact: boolean } {
  const u = seededUniform(c.seed);
  const F = c.f32 ? Float32Array : Float64Array;
  // Stored shapes: op(A) is M×K, stored K×M when transposed.
  const aRows = c.transA ? c.K : c.M;
  const aCols = c.transA ? c.M : c.K;
  const bRows = c.transB ? c.N : c.K;
  const bCols = c.transB ? c.K : c.N;
  const lda = aCols + c.padA;
  const ldb = bCols + c.padB;
  const ldc = c.N + c.padC;
  const fill = (len: number): FloatArray => {
    const x = new F(len);
    for (let i = 0; i < len; i++) x[i] = 2 * u() - 1;
    return x;
  };
  const a = fill(c.offA + aRows * lda);
  const b = fill(c.offB + bRows * ldb);
  const cBuf = fill(c.offC + c.M * ldc);
  const a0 = a.slice();
  const b0 = b.slice();
  const c0 = cBuf.slice();
  const A = (i: number, p: number): number => (c.transA ? a[c.offA + p * lda + i] : a[c.offA + i * lda + p]);
  const B = (p: number, j: number): number => (c.transB ? b[c.offB + j * ldb + p] : b[c.offB + p * ldb + j]);
  const ref = naiveProduct(c.M, c.N, c.K, A, B);
  const want = new Float64Array(c.M * c.N);
  const scale = new Float64Array(c.M * c.N);
  const got = new Float64Array(c.M * c.N);
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < c.N; j++) {
      const old = c0[c.offC + i * ldc + j];
      want[i * c.N + j] = c.alpha * ref.value[i * c.N + j] + c.beta * old;
      scale[i * c.N + j] = Math.abs(c.alpha) * ref.scale[i * c.N + j] + Math.abs(c.beta * old);
    }
  }
  gemmKernel(c.transA, c.transB, c.M, c.N, c.K, c.alpha, a, c.offA, lda, b, c.offB, ldb, c.beta, cBuf, c.offC, ldc);
  for (let i = 0; i < c.M; i++) for (let j = 0; j < c.N; j++) got[i * c.N + j] = cBuf[c.offC + i * ldc + j];
  const blocks = Math.max(1, Math.ceil(c.K / 256));
  const tol = 1e-12 * Math.max(c.K, 1) + (c.f32 ? 2 ** -24 * (blocks + 1) : 0);
  const { excess, at } = worstExcess(got, want, scale, tol);
  // Everything of C outside the M×N window (offset prefix, padding columns) must be untouched.
  let paddingIntact = true;
  for (let idx = 0; idx < cBuf.length; idx++) {
    const rel = idx - c.offC;
    const inside = rel >= 0 && Math.floor(rel / ldc) < c.M && rel % ldc < c.N;
    if (!inside && !Object.is(cBuf[idx], c0[idx])) paddingIntact = false;
  }
  const inputsIntact = a.every((v, i) => Object.is(v, a0[i])) && b.every((v, i) => Object.is(v, b0[i]));
  return { excess, at, paddingIntact, inputsIntact };
}

const dim = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9), fc.integer({ min: 1, max: 70 }));

describe('gemmKernel: all layouts against a naive triple loop', () => {
  it('matches on random shapes, offsets, leading dimensions, α and β (float64 and float32)', () => {
    // numRuns 200: shapes up to 70³ keep each case well under a millisecond of naive work.
    fc.assert(
      fc.property(
        fc.record({
          transA: fc.boolean(),
          transB: fc.boolean(),
          M: dim,
          N: dim,
          K: dim,
          padA: fc.integer({ min: 0, max: 3 }),
          padB: fc.integer({ min: 0, max: 3 }),
          padC: fc.integer({ min: 0, max: 3 }),
          offA: fc.integer({ min: 0, max: 5 }),
          offB: fc.integer({ min: 0, max: 5 }),
          offC: fc.integer({ min: 0, max: 5 }),
          alpha: fc.constantFrom(1, -1, 0.5, 2.75),
          beta: fc.constantFrom(0, 1, -0.5, 3),
          f32: fc.boolean(),
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        }),
        (c) => {
          const r = runCase(c);
          expect(r.excess).toBeLessThanOrEqual(0);
          expect(r.paddingIntact).toBe(true);
          expect(r.inputsIntact).toBe(true);
        },
      ),
      { seed: 20240601, numRuns: 200 },
    );
  });

  // Shapes chosen to cross each blocking boundary of the packed path: M > MC = 128 (with a partial
  // last block and a partial 4-row tile), K > KC = 256 (two depth blocks, so β is applied once and
  // the second block accumulates), N > NC = 2048 (two column panels).
  const big: Array<[number, number, number]> = [
    [130, 37, 260],
    [9, 2053, 5],
    [10, 7, 513], // three depth blocks (the last partial), just above the small-problem cut-over
    [129, 6, 41],
  ];
  for (const [M, N, K] of big) {
    for (const [transA, transB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      for (const f32 of [false, true]) {
        it(`matches at ${M}×${N}×${K}, transA=${transA}, transB=${transB}, ${f32 ? 'float32' : 'float64'}`, () => {
          const r = runCase({ transA, transB, M, N, K, padA: 2, padB: 1, padC: 3, offA: 1, offB: 2, offC: 3, alpha: 1.5, beta: -0.25, f32, seed: M * 7919 + N * 31 + K });
          expect(r.excess).toBeLessThanOrEqual(0);
          expect(r.paddingIntact).toBe(true);
          expect(r.inputsIntact).toBe(true);
        });
      }
    }
  }
});

describe('gemmKernel: α/β semantics', () => {
  const sizes: Array<[number, number, number]> = [
    [3, 2, 4], // direct path
    [40, 41, 42], // packed path, partial tiles
  ];
  for (const [M, N, K] of sizes) {
    it(`β = 0 overwrites C even where C holds NaN or ∞ (${M}×${N}×${K})`, () => {
      const u = seededUniform(7);
      const a = Float64Array.from({ length: M * K }, () => u() - 0.5);
      const b = Float64Array.from({ length: K * N }, () => u() - 0.5);
      const c = new Float64Array(M * N).fill(NaN);
      c[0] = Infinity;
      gemmKernel(false, false, M, N, K, 1, a, 0, K, b, 0, N, 0, c, 0, N);
      const ref = naiveProduct(M, N, K, (i, p) => a[i * K + p], (p, j) => b[p * N + j]);
      // Same γ_K bound as above; the only question here is that no NaN survives.
      expect(worstExcess(c, ref.value, ref.scale, 1e-12 * K).excess).toBeLessThanOrEqual(0);
    });

    it(`α = 0 scales C by β without reading A or B (${M}×${N}×${K})`, () => {
      const a = new Float64Array(M * K).fill(NaN);
      const b = new Float64Array(K * N).fill(NaN);
      const c = Float64Array.from({ length: M * N }, (_, i) => i + 1);
      gemmKernel(true, true, M, N, K, 0, a, 0, M, b, 0, K, 2, c, 0, N);
      expect(Array.from(c)).toEqual(Array.from({ length: M * N }, (_, i) => 2 * (i + 1)));
      gemmKernel(false, false, M, N, K, 0, a, 0, K, b, 0, N, 0, c, 0, N);
      expect(Array.from(c)).toEqual(new Array<number>(M * N).fill(0));
    });
  }

  it('K = 0 gives β·C (zero when β = 0, even over NaN)', () => {
    const c = new Float64Array([1, 2, NaN, 4, 5, 6]);
    const empty = new Float64Array(0);
    gemmKernel(false, false, 2, 3, 0, 1, empty, 0, 0, empty, 0, 3, 0, c, 0, 3);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    const d = new Float64Array([1, 2, 3, 4, 5, 6]);
    gemmKernel(false, false, 2, 3, 0, 1, empty, 0, 0, empty, 0, 3, -1, d, 0, 3);
    expect(Array.from(d)).toEqual([-1, -2, -3, -4, -5, -6]);
  });

  it('M = 0 or N = 0 touches nothing', () => {
    const c = new Float64Array([NaN, 7]);
    const a = new Float64Array(6);
    gemmKernel(false, false, 0, 2, 3, 1, a, 0, 3, a, 0, 2, 0, c, 0, 2);
    gemmKernel(false, false, 2, 0, 3, 1, a, 0, 3, a, 0, 0, 0, c, 0, 0);
    expect(Number.isNaN(c[0])).toBe(true);
    expect(c[1]).toBe(7);
  });

  it('is exact on small integers (products and sums below 2⁵³)', () => {
    // Integers make every rounding vanish, so equality is exact whatever the summation order.
    const M = 37, N = 29, K = 45;
    const u = seededUniform(99);
    const a = Float64Array.from({ length: M * K }, () => Math.floor(u() * 21) - 10);
    const b = Float64Array.from({ length: K * N }, () => Math.floor(u() * 21) - 10);
    const c = new Float64Array(M * N);
    gemmKernel(false, false, M, N, K, 1, a, 0, K, b, 0, N, 0, c, 0, N);
    const ref = naiveProduct(M, N, K, (i, p) => a[i * K + p], (p, j) => b[p * N + j]);
    expect(Array.from(c)).toEqual(Array.from(ref.value));
  });

  it('rounds float32 output once per 256-deep block (K ≤ 256: the float32 rounding of the float64 sum)', () => {
    // With K ≤ 256 there is a single block, so each entry is fround(α·Σ) of a float64 sum; integers
    // make that sum exact, so the result must equal fround of the exact value.
    const M = 20, N = 24, K = 200;
    const u = seededUniform(5);
    const a = Float32Array.from({ length: M * K }, () => Math.floor(u() * 2001) - 1000);
    const b = Float32Array.from({ length: K * N }, () => Math.floor(u() * 2001) - 1000);
    const c = new Float32Array(M * N);
    gemmKernel(false, true, M, N, K, 1 / 3, a, 0, K, b, 0, K, 0, c, 0, N);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += a[i * K + p] * b[j * K + p];
        expect(c[i * N + j]).toBe(Math.fround((1 / 3) * s));
      }
    }
  });
});
