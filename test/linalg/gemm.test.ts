/**
 * gemm, the dispatch point: whichever backend is active (the WebAssembly SIMD backend under the
 * default 'auto', the TypeScript kernel under 'js'), results must meet the accuracy that the
 * storage precision promises, with BLAS α/β semantics. The tight float64-accumulation checks of the
 * TypeScript kernel itself are in gemmKernel.test.ts.
 *
 * Tolerances (stated against s = Σ|aᵢbᵢ|, the scale of rounding-error bounds, Higham §3.1):
 * - float64: any summation order is within K·2⁻⁵³·s of the exact sum, so two orders differ by
 *   ≤ 2.2e-16·K·s; we allow 1e-12·K·s.
 * - float32: the WASM backend accumulates in float32 (float32 products, as the API allows for
 *   float32 storage), within ≈ K·2⁻²⁴·s, plus the float32 rounding of α·Σ + β·C; we allow
 *   (K + 4)·2⁻²³·s, twice that bound.
 */
import fc from 'fast-check';
import { setBackend } from '../../src/backend/index.js';
import { gemm } from '../../src/linalg/gemm.js';
import { gemmKernel } from '../../src/kernels/gemmKernel.js';
import { naiveProduct, sameValues, seededUniform, worstExcess } from './helpers.js';

afterAll(() => setBackend('auto'));

function build(transA: boolean, transB: boolean, M: number, N: number, K: number, f32: boolean, seed: number) {
  const u = seededUniform(seed);
  const fill = (len: number): Float64Array | Float32Array => {
    const x = f32 ? new Float32Array(len) : new Float64Array(len);
    for (let i = 0; i < len; i++) x[i] = 2 * u() - 1;
    return x;
  };
  const a = fill(M * K);
  const b = fill(K * N);
  const c = fill(M * N);
  const lda = transA ? M : K;
  const ldb = transB ? K : N;
  const A = (i: number, p: number): number => (transA ? a[p * lda + i] : a[i * lda + p]);
  const B = (p: number, j: number): number => (transB ? b[j * ldb + p] : b[p * ldb + j]);
  return { a, b, c, lda, ldb, ref: naiveProduct(M, N, K, A, B) };
}

const shape = fc.record({
  transA: fc.boolean(),
  transB: fc.boolean(),
  M: fc.integer({ min: 1, max: 48 }),
  N: fc.integer({ min: 1, max: 48 }),
  K: fc.integer({ min: 1, max: 48 }),
  f32: fc.boolean(),
  alpha: fc.constantFrom(1, -2, 0.5),
  beta: fc.constantFrom(0, 1, 0.25),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe.each(['auto', 'js'] as const)('gemm on backend %s', (backend) => {
  beforeAll(() => setBackend(backend));

  it('meets the precision bound of the storage type on random shapes', () => {
    // numRuns 100, shapes ≤ 48³: sizes on both sides of the WASM cut-over (4096 multiply-adds).
    fc.assert(
      fc.property(shape, ({ transA, transB, M, N, K, f32, alpha, beta, seed }) => {
        const { a, b, c, lda, ldb, ref } = build(transA, transB, M, N, K, f32, seed);
        const old = Float64Array.from(c);
        gemm(transA, transB, M, N, K, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, N);
        const want = ref.value.map((v, i) => alpha * v + beta * old[i]);
        const scale = ref.scale.map((v, i) => Math.abs(alpha) * v + Math.abs(beta * old[i]));
        const tol = f32 ? (K + 4) * 2 ** -23 : 1e-12 * K;
        expect(worstExcess(c, want, scale, tol).excess).toBeLessThanOrEqual(0);
      }),
      { seed: 424242, numRuns: 100 },
    );
  });

  it('β = 0 overwrites NaN in C, and α = 0 reads neither A nor B', () => {
    const M = 33, N = 35, K = 37; // above the WASM cut-over
    for (const f32 of [false, true]) {
      const { a, b, lda, ldb, ref } = build(false, true, M, N, K, f32, 11);
      const c = f32 ? new Float32Array(M * N).fill(NaN) : new Float64Array(M * N).fill(NaN);
      gemm(false, true, M, N, K, 1, a, 0, lda, b, 0, ldb, 0, c, 0, N);
      const tol = f32 ? (K + 4) * 2 ** -23 : 1e-12 * K;
      expect(worstExcess(c, ref.value, ref.scale, tol).excess).toBeLessThanOrEqual(0);
      const nanA = new Float64Array(M * K).fill(NaN);
      const d = Float64Array.from({ length: M * N }, (_, i) => i);
      gemm(false, false, M, N, K, 0, nanA, 0, K, nanA, 0, N, 3, d, 0, N);
      expect(Array.from(d)).toEqual(Array.from({ length: M * N }, (_, i) => 3 * i));
    }
  });
});

describe('gemm on the js backend', () => {
  beforeAll(() => setBackend('js'));

  it('is the TypeScript kernel, bit for bit', () => {
    // The dispatch must add nothing: same inputs, identical outputs (no tolerance needed).
    const M = 70, N = 66, K = 300;
    for (const f32 of [false, true]) {
      const { a, b, c, lda, ldb } = build(true, false, M, N, K, f32, 3);
      const c2 = c.slice();
      gemm(true, false, M, N, K, 0.75, a, 0, lda, b, 0, ldb, -1, c, 0, N);
      gemmKernel(true, false, M, N, K, 0.75, a, 0, lda, b, 0, ldb, -1, c2, 0, N);
      expect(sameValues(c, c2)).toBe(true);
    }
  });
});
