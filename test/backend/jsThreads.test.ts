import { WORKER_SOURCE } from '../../src/wasm/generated/worker.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { getBackendInfo } from '../../src/backend/getBackendInfo.js';
import { gemm } from '../../src/linalg/gemm.js';
import { countDifferences, gemmBuffers, maxScaledError, referenceGemm, type GemmCase } from './helpers.js';

// The 'js' backend with threads: the TypeScript kernel (src/kernels/gemmKernel.ts) runs on the main
// thread and in a worker (the bundled src/backend/worker.ts).
afterAll(() => {
  setBackend('auto');
  setThreads('auto');
});

describe('TypeScript kernel in worker threads (js backend)', () => {
  it('starts its workers from the bundled worker program, without compiling WebAssembly', () => {
    expect(WORKER_SOURCE.length).toBeGreaterThan(1000);
  });

  it.each([
    ['float64', false],
    ['float32', true],
  ])('%s: 2 threads give bitwise the results of 1 thread, within the float64-accumulation bound', (_n, f32) => {
    setBackend('js');
    // 120·300·48 ≈ 1.7M multiply-adds: above the threading threshold.
    for (const [tA, tB] of [[false, true], [true, false], [false, false]] as const) {
      const M = 120;
      const N = 300;
      const K = 48;
      const g: GemmCase = { tA, tB, M, N, K, alpha: 1.25, beta: 0.5, aOff: 0, lda: tA ? M : K, bOff: 0, ldb: tB ? K : N, cOff: 0, ldc: N };
      const { a, b, c } = gemmBuffers(f32, g, `js${tA}${tB}`);
      const { ref, scale } = referenceGemm(g, a, b, c);
      const c1 = c.slice();
      const c2 = c.slice();
      setThreads(1);
      gemm(tA, tB, M, N, K, g.alpha, a, 0, g.lda, b, 0, g.ldb, g.beta, c1, 0, g.ldc);
      setThreads(2);
      gemm(tA, tB, M, N, K, g.alpha, a, 0, g.lda, b, 0, g.ldb, g.beta, c2, 0, g.ldc);
      expect(getBackendInfo().workersStarted).toBe(1);
      expect(countDifferences(c2, c1)).toBe(0);
      // The TypeScript kernel accumulates in float64 (rounded once to float32 for float32 storage).
      expect(maxScaledError(g, c2, ref, scale)).toBeLessThanOrEqual((K + 2) * 2 ** -53 + (f32 ? 2 ** -24 : 0));
    }
  });

  it('workers started before the shared heap grows see the grown heap (bitwise the 1-thread results)', () => {
    setBackend('js');
    setThreads(2);
    // A small threaded product starts the worker over a small heap …
    const small: GemmCase = { tA: false, tB: true, M: 120, N: 300, K: 48, alpha: 1, beta: 0, aOff: 0, lda: 48, bOff: 0, ldb: 48, cOff: 0, ldc: 300 };
    const s = gemmBuffers(false, small, 'grow-small');
    gemm(false, true, small.M, small.N, small.K, 1, s.a, 0, small.lda, s.b, 0, small.ldb, 0, s.c, 0, small.ldc);
    const heapBefore = getBackendInfo().heapBytes;
    // … then a product whose staging needs a larger heap runs on that same worker.
    const big: GemmCase = { tA: false, tB: true, M: 400, N: 3000, K: 300, alpha: 1, beta: 0, aOff: 0, lda: 300, bOff: 0, ldb: 300, cOff: 0, ldc: 3000 };
    const { a, b, c } = gemmBuffers(false, big, 'grow-big');
    const c2 = c.slice();
    gemm(false, true, big.M, big.N, big.K, 1, a, 0, big.lda, b, 0, big.ldb, 0, c2, 0, big.ldc);
    expect(getBackendInfo().heapBytes).toBeGreaterThan(heapBefore);
    expect(getBackendInfo().workersStarted).toBe(1);
    setThreads(1);
    const c1 = c.slice();
    gemm(false, true, big.M, big.N, big.K, 1, a, 0, big.lda, b, 0, big.ldb, 0, c1, 0, big.ldc);
    expect(countDifferences(c2, c1)).toBe(0);
  });
});
