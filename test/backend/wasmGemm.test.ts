import fc from 'fast-check';
import { wasmGemm, chooseStaging } from '../../src/backend/wasmGemm.js';
import { setStageBytes, STAGE_BYTES } from '../../src/backend/heap.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { getBackendInfo } from '../../src/backend/getBackendInfo.js';
import { gemmKernel } from '../../src/kernels/gemmKernel.js';
import { gemm } from '../../src/linalg/gemm.js';
import { countDifferences, gemmBuffers, maxScaledError, referenceGemm, type GemmCase } from './helpers.js';

// Error bounds, per element, as multiples of the scale |α|·Σ|a||b| + |β||c| (see helpers.ts):
// a K-term dot product in precision u is within γ_K ≈ K·u of exact (Higham §3.1); α, β and the
// final sum add at most 2 more roundings, hence (K + 2)·u. u = 2^-24 for the float32 kernel (it
// multiplies and accumulates in float32, as BLAS sgemm does) and 2^-53 for float64. The TypeScript
// kernel obeys the same bound, so the two kernels agree within twice it.
const U32 = 2 ** -24;
const U64 = 2 ** -53;
const bound = (K: number, f32: boolean) => (K + 2) * (f32 ? U32 : U64);

const caseArb = fc
  .record({
    tA: fc.boolean(),
    tB: fc.boolean(),
    M: fc.integer({ min: 1, max: 37 }),
    N: fc.integer({ min: 1, max: 41 }),
    // Crosses the kernels' 256-deep block.
    K: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 250, max: 300 })),
    alpha: fc.constantFrom(1, -0.5, 2.25),
    beta: fc.constantFrom(0, 1, 0.5),
    aOff: fc.integer({ min: 0, max: 3 }),
    bOff: fc.integer({ min: 0, max: 3 }),
    cOff: fc.integer({ min: 0, max: 3 }),
    pad: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ pad, ...g }): GemmCase => ({
    ...g,
    lda: (g.tA ? g.M : g.K) + pad,
    ldb: (g.tB ? g.K : g.N) + pad,
    ldc: g.N + pad,
  }));

function runWasm(f32: boolean, threads: number, g: GemmCase, a: Float32Array | Float64Array, b: Float32Array | Float64Array, c: Float32Array | Float64Array): void {
  wasmGemm('wasm', f32, threads, g.tA, g.tB, g.M, g.N, g.K, g.alpha, a, g.aOff, g.lda, b, g.bOff, g.ldb, g.beta, c, g.cOff, g.ldc);
}

function runTs(g: GemmCase, a: Float32Array | Float64Array, b: Float32Array | Float64Array, c: Float32Array | Float64Array): void {
  gemmKernel(g.tA, g.tB, g.M, g.N, g.K, g.alpha, a, g.aOff, g.lda, b, g.bOff, g.ldb, g.beta, c, g.cOff, g.ldc);
}

afterAll(() => {
  setThreads('auto');
  setStageBytes(STAGE_BYTES);
});

describe.each([
  ['float32', true],
  ['float64', false],
])('WASM %s GEMM', (_name, f32) => {
  it('agrees with the float64 reference and with the TypeScript kernel, all layouts, edges, offsets', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 1e6 }), (g, s) => {
        const { a, b, c } = gemmBuffers(f32, g, `g${s}`);
        const { ref, scale } = referenceGemm(g, a, b, c);
        const aIn = a.slice();
        const bIn = b.slice();
        const cw = c.slice();
        const ct = c.slice();
        runWasm(f32, 1, g, a, b, cw);
        runTs(g, a, b, ct);
        expect(maxScaledError(g, cw, ref, scale)).toBeLessThanOrEqual(bound(g.K, f32));
        expect(maxScaledError(g, ct, ref, scale)).toBeLessThanOrEqual(bound(g.K, f32));
        // Agreement of the two kernels (each within the bound of the reference), measured directly.
        let worst = 0;
        for (let i = 0; i < g.M; i++) {
          for (let j = 0; j < g.N; j++) {
            const q = g.cOff + i * g.ldc + j;
            worst = Math.max(worst, Math.abs(cw[q] - ct[q]) / Math.max(scale[i * g.N + j], Number.MIN_VALUE));
          }
        }
        expect(worst).toBeLessThanOrEqual(2 * bound(g.K, f32));
        // Inputs untouched; C untouched outside its M×N window (padding and offset).
        expect(countDifferences(a, aIn)).toBe(0);
        expect(countDifferences(b, bIn)).toBe(0);
        let outside = 0;
        for (let q = 0; q < c.length; q++) {
          const inWindow = q >= g.cOff && (q - g.cOff) % g.ldc < g.N && q < g.cOff + g.M * g.ldc;
          if (!inWindow && !Object.is(cw[q], c[q])) outside++;
        }
        expect(outside).toBe(0);
      }),
      { seed: f32 ? 71 : 72, numRuns: 60 },
    );
  });

  it('ignores NaN in C when β = 0 (BLAS semantics)', () => {
    const g: GemmCase = { tA: false, tB: true, M: 9, N: 13, K: 17, alpha: 1, beta: 0, aOff: 0, lda: 17, bOff: 0, ldb: 17, cOff: 0, ldc: 13 };
    const { a, b, c } = gemmBuffers(f32, g, 'nan');
    c.fill(NaN);
    runWasm(f32, 1, g, a, b, c);
    expect(c.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('stages large problems in blocks (small budget) with the same results, for all layouts', () => {
    // A 32 KiB budget forces several C blocks and depth blocks (K > 1024) on a problem this size.
    setStageBytes(32 * 1024);
    try {
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const M = 21;
        const N = 35;
        const K = 1100;
        const g: GemmCase = { tA, tB, M, N, K, alpha: 1.5, beta: 0.5, aOff: 1, lda: (tA ? M : K) + 1, bOff: 2, ldb: (tB ? K : N) + 3, cOff: 1, ldc: N + 2 };
        expect(chooseStaging(M, N, K, f32 ? 4 : 8, 32 * 1024)[2]).toBe(1024);
        const { a, b, c } = gemmBuffers(f32, g, `stage${tA}${tB}`);
        const { ref, scale } = referenceGemm(g, a, b, c);
        const cw = c.slice();
        runWasm(f32, 1, g, a, b, cw);
        expect(maxScaledError(g, cw, ref, scale)).toBeLessThanOrEqual(bound(K, f32));
      }
    } finally {
      setStageBytes(STAGE_BYTES);
    }
  });

  it('gives bitwise identical results with 1 and 2 threads (and with a staged split)', () => {
    // 96·530·40 ≈ 2M multiply-adds: above the threading threshold; N > NC of no kernel, but the
    // strips put the column split inside a micro-panel row of 8.
    for (const [tA, tB] of [[false, true], [true, false], [false, false]] as const) {
      const M = 96;
      const N = 530;
      const K = 40;
      const g: GemmCase = { tA, tB, M, N, K, alpha: 1, beta: 0, aOff: 0, lda: tA ? M : K, bOff: 0, ldb: tB ? K : N, cOff: 0, ldc: N };
      const { a, b, c } = gemmBuffers(f32, g, `thr${tA}${tB}`);
      const c1 = c.slice();
      const c2 = c.slice();
      runWasm(f32, 1, g, a, b, c1);
      runWasm(f32, 2, g, a, b, c2);
      expect(countDifferences(c2, c1)).toBe(0);
      // Tall problem: the split is along M.
      const gt: GemmCase = { ...g, M: 530, N: 96, lda: tA ? 530 : K, ldb: tB ? K : 96, ldc: 96 };
      const bt = gemmBuffers(f32, gt, `tall${tA}${tB}`);
      const t1 = bt.c.slice();
      const t2 = bt.c.slice();
      runWasm(f32, 1, gt, bt.a, bt.b, t1);
      runWasm(f32, 2, gt, bt.a, bt.b, t2);
      expect(countDifferences(t2, t1)).toBe(0);
    }
    // The two-thread runs really used a worker.
    expect(getBackendInfo().workersStarted).toBe(1);
  });

  it('gives bitwise identical results with 1 and 2 threads when staged in several double-buffered blocks', () => {
    // A 32 KiB budget makes many C blocks and depth blocks (K > 1024), so the 2-thread run takes
    // the pipelined path (copies overlapping compute, rebalanced strips); β ≠ 0 stages C in too.
    setStageBytes(32 * 1024);
    try {
      for (const [tA, tB] of [[false, true], [true, false]] as const) {
        const M = 40;
        const N = 72;
        const K = 1300;
        const g: GemmCase = { tA, tB, M, N, K, alpha: 0.75, beta: 0.5, aOff: 0, lda: tA ? M : K, bOff: 0, ldb: tB ? K : N, cOff: 0, ldc: N };
        const { a, b, c } = gemmBuffers(f32, g, `pipe${tA}${tB}`);
        const { ref, scale } = referenceGemm(g, a, b, c);
        const c1 = c.slice();
        const c2 = c.slice();
        runWasm(f32, 1, g, a, b, c1);
        runWasm(f32, 2, g, a, b, c2);
        expect(countDifferences(c2, c1)).toBe(0);
        expect(maxScaledError(g, c2, ref, scale)).toBeLessThanOrEqual(bound(K, f32));
      }
    } finally {
      setStageBytes(STAGE_BYTES);
    }
  });
});

describe('gemm dispatch', () => {
  it('routes large products to WASM under auto and to the TypeScript kernel under js, with equal results', () => {
    const g: GemmCase = { tA: false, tB: true, M: 64, N: 100, K: 64, alpha: 1, beta: 0, aOff: 0, lda: 64, bOff: 0, ldb: 64, cOff: 0, ldc: 100 };
    const { a, b, c } = gemmBuffers(false, g, 'dispatch');
    const { ref, scale } = referenceGemm(g, a, b, c);
    const cAuto = c.slice();
    const cJs = c.slice();
    setBackend('auto');
    gemm(g.tA, g.tB, g.M, g.N, g.K, 1, a, 0, g.lda, b, 0, g.ldb, 0, cAuto, 0, g.ldc);
    setBackend('js');
    gemm(g.tA, g.tB, g.M, g.N, g.K, 1, a, 0, g.lda, b, 0, g.ldb, 0, cJs, 0, g.ldc);
    setBackend('auto');
    expect(maxScaledError(g, cAuto, ref, scale)).toBeLessThanOrEqual(bound(g.K, false));
    expect(maxScaledError(g, cJs, ref, scale)).toBeLessThanOrEqual(bound(g.K, false));
  });

  it('float32 output with a float64 input is left to the TypeScript kernel (float64 accumulation)', () => {
    const a = new Float64Array(64 * 64).fill(1 / 3);
    const b = new Float32Array(64 * 64).fill(3);
    const c = new Float32Array(64 * 64);
    gemm(false, false, 64, 64, 64, 1, a, 0, 64, b, 0, 64, 0, c, 0, 64);
    // 64 · (1/3) · 3 accumulated in float64 is 64 up to 1 float64 rounding per term, then rounded to
    // float32: exactly 64.
    expect(c.every((v) => v === 64)).toBe(true);
  });
});
