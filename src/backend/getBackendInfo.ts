import { activeBackend, requestedBackend, threadCount, type BackendName } from './config.js';
import { heapBytes } from './heap.js';
import { workerCount } from './threadPool.js';
import { kernelVariant, wasmSupport } from './wasmApi.js';

/** What `getBackendInfo` reports. */
export interface BackendInfo {
  /** The kernels that run: `'wasm'` or `'js'`. */
  backend: 'wasm' | 'js';
  /** What was asked for (`setBackend` or `LMTRANSFER_BACKEND`). */
  requested: BackendName;
  /** Whether WebAssembly SIMD with shared memory is available, and why not if not. */
  wasmSimd: boolean;
  wasmReason: string;
  /**
   * Whether the WebAssembly products use fused multiply-adds (the module compiled with relaxed
   * SIMD), and why or why not. On Node 20 this needs V8's `--experimental-wasm-relaxed-simd`, which
   * the backend turns on at run time unless `LMTRANSFER_RELAXED_SIMD=0`; Node ≥ 22 has it by
   * default. False whenever the TypeScript kernels run.
   */
  fma: boolean;
  fmaReason: string;
  /** Threads large problems may use, and worker threads currently started. */
  threads: number;
  workersStarted: number;
  /** Bytes of the shared WebAssembly heap (0 until first used). */
  heapBytes: number;
}

/**
 * Describe the active kernel backend.
 *
 * @example
 * ```ts
 * import { getBackendInfo } from 'lmtransfer';
 * const info = getBackendInfo(); // { backend: 'wasm', requested: 'auto', wasmSimd: true, fma: true, threads: 2, ... }
 * ```
 */
export function getBackendInfo(): BackendInfo {
  const s = wasmSupport();
  const backend = activeBackend();
  // Only the WebAssembly backend's products use the variant, so only it reports one here. (The
  // 'js' backend's worker threads are also started over the compiled module, so a threaded 'js'
  // run decides the variant too and, on Node 20, may set the V8 flag; asking here does not.)
  const v = backend === 'wasm' ? kernelVariant() : { fma: false, reason: 'the TypeScript kernels run' };
  return {
    backend,
    requested: requestedBackend(),
    wasmSimd: s.ok,
    wasmReason: s.reason,
    fma: v.fma,
    fmaReason: v.reason,
    threads: threadCount(),
    workersStarted: workerCount(),
    heapBytes: heapBytes(),
  };
}
