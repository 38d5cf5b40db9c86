import { activeBackend, requestedBackend, threadCount, type BackendName } from './config.js';
import { heapBytes } from './heap.js';
import { workerCount } from './threadPool.js';
import { wasmSupport } from './wasmApi.js';

/** What `getBackendInfo` reports. */
export interface BackendInfo {
  /** The kernels that run: `'wasm'` or `'js'`. */
  backend: 'wasm' | 'js';
  /** What was asked for (`setBackend` or `LMTRANSFER_BACKEND`). */
  requested: BackendName;
  /** Whether WebAssembly SIMD with shared memory is available, and why not if not. */
  wasmSimd: boolean;
  wasmReason: string;
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
 * const info = getBackendInfo(); // { backend: 'wasm', requested: 'auto', wasmSimd: true, threads: 2, ... }
 * ```
 */
export function getBackendInfo(): BackendInfo {
  const s = wasmSupport();
  return {
    backend: activeBackend(),
    requested: requestedBackend(),
    wasmSimd: s.ok,
    wasmReason: s.reason,
    threads: threadCount(),
    workersStarted: workerCount(),
    heapBytes: heapBytes(),
  };
}
