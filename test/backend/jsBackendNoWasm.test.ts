import * as v8 from 'node:v8';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { getBackendInfo } from '../../src/backend/getBackendInfo.js';
import { compiledKernelModule } from '../../src/backend/heap.js';
import { gemm } from '../../src/linalg/gemm.js';
import { crossEntropy } from '../../src/loss/crossEntropy.js';
import { matrix } from '../../src/core/matrix.js';

// The 'js' backend runs the TypeScript kernels, threaded over a shared memory: it must neither
// compile WebAssembly nor touch V8's flags (this file's module registry is its own, so nothing
// else has compiled the kernels here).
afterAll(() => {
  setBackend('auto');
  setThreads('auto');
});

describe("the 'js' backend", () => {
  it('runs threaded products and row passes without compiling WebAssembly or setting a V8 flag', () => {
    const wa = (globalThis as unknown as { WebAssembly: { Module: new () => object; Instance: new () => object } }).WebAssembly;
    const compile = jest.spyOn(wa, 'Module');
    const instantiate = jest.spyOn(wa, 'Instance');
    const flags = jest.spyOn(v8, 'setFlagsFromString');
    setBackend('js');
    setThreads(2);
    const M = 160;
    const N = 400;
    const K = 64;
    const a = Float64Array.from({ length: M * K }, (_, i) => Math.cos(i));
    const b = Float64Array.from({ length: N * K }, (_, i) => Math.sin(i));
    const c = new Float64Array(M * N);
    gemm(false, true, M, N, K, 1, a, 0, K, b, 0, K, 0, c, 0, N);
    const z = matrix(64, 2000, Float64Array.from({ length: 64 * 2000 }, (_, i) => Math.sin(i / 7)));
    crossEntropy(z, Int32Array.from({ length: 64 }, (_, i) => (i * 31) % 2000));
    const info = getBackendInfo();
    expect(info.workersStarted).toBeGreaterThanOrEqual(1);
    expect(info.build).toBe('typescript');
    expect(compiledKernelModule()).toBeNull();
    expect(compile).not.toHaveBeenCalled();
    expect(instantiate).not.toHaveBeenCalled();
    expect(flags).not.toHaveBeenCalled();
    // And the product is right (float64 accumulation: within (K + 2)·u·Σ|a_ik b_jk|).
    for (let i = 0; i < M; i += 13) {
      for (let j = 0; j < N; j += 17) {
        let s = 0;
        let sa = 0;
        for (let k = 0; k < K; k++) {
          s += a[i * K + k] * b[j * K + k];
          sa += Math.abs(a[i * K + k] * b[j * K + k]);
        }
        expect(Math.abs(c[i * N + j] - s)).toBeLessThanOrEqual((K + 2) * 2 ** -53 * sa);
      }
    }
  });
});
