import { PLATFORM_NAME, threadSupport } from '#platform';
import { activeBackend, requestedBackend, threadCount, type BackendName } from './config.js';
import { heapBytes } from './heap.js';
import { workerCount } from './pool.js';
import { kernelVariant, wasmSupport } from './wasmApi.js';

/** What `getBackendInfo` reports. */
export interface BackendInfo {
  /** The kernels that run: `'wasm'` or `'js'`. */
  backend: 'wasm' | 'js';
  /** What was asked for (`setBackend` or `LMTRANSFER_BACKEND`). */
  requested: BackendName;
  /**
   * The build of the kernels that run: `'wasm-relaxed-simd'` (fused multiply-adds),
   * `'wasm-simd'` (portable SIMD) or `'typescript'`.
   */
  build: 'wasm-relaxed-simd' | 'wasm-simd' | 'typescript';
  /** The host: `'node'` or `'browser'` (the package's `#platform` implementation). */
  platform: 'node' | 'browser';
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
  /** Threads large problems may use (1 where this thread cannot run workers), and worker threads currently started. */
  threads: number;
  /** Why worker threads can or cannot run on this thread. */
  threadsReason: string;
  workersStarted: number;
  /** Bytes of the shared heap (0 until first used). */
  heapBytes: number;
}

/**
 * Describe the active kernel backend.
 *
 * @example
 * ```ts
 * import { getBackendInfo } from 'lmtransfer';
 * const info = getBackendInfo(); // { backend: 'wasm', build: 'wasm-relaxed-simd', platform: 'node', threads: 2, ... }
 * ```
 */
export function getBackendInfo(): BackendInfo {
  const s = wasmSupport();
  const backend = activeBackend();
  // Only the WebAssembly backend's products use the variant, so only it decides one here (the
  // TypeScript backends never compile WebAssembly nor set a V8 flag).
  const v = backend === 'wasm' ? kernelVariant() : { fma: false, reason: 'the TypeScript kernels run' };
  return {
    backend,
    requested: requestedBackend(),
    build: backend === 'wasm' ? (v.fma ? 'wasm-relaxed-simd' : 'wasm-simd') : 'typescript',
    platform: PLATFORM_NAME,
    wasmSimd: s.ok,
    wasmReason: s.reason,
    fma: v.fma,
    fmaReason: v.reason,
    threads: threadCount(),
    threadsReason: threadSupport().reason,
    workersStarted: workerCount(),
    heapBytes: heapBytes(),
  };
}
