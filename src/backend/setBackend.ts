import { checkOneOf } from '../core/check.js';
import { DomainError } from '../core/errors.js';
import { BACKEND_NAMES, setRequestedBackend, type BackendName } from './config.js';
import { wasmSupport } from './wasmApi.js';

/**
 * Choose the kernels behind every product and row pass: `'wasm'` (WebAssembly SIMD, float32 and
 * float64 GEMM, the fused softmax/cross-entropy row pass and the fused log-partition), `'js'` (the
 * TypeScript kernels only), or `'auto'` (the default: WebAssembly SIMD where the engine supports
 * it, else TypeScript). The environment variable `LMTRANSFER_BACKEND=js|wasm|auto` sets the
 * initial choice; this call overrides it for the rest of the process.
 *
 * The WebAssembly kernels use fused multiply-adds (relaxed SIMD) where the engine allows: natively
 * on Node ≥ 22; on Node 20 by turning on V8's `--experimental-wasm-relaxed-simd` at run time when
 * the kernels are first compiled (`v8.setFlagsFromString`; it stays on for the process). The
 * environment variable `LMTRANSFER_RELAXED_SIMD=0` keeps the portable multiply-and-add kernels and
 * leaves V8's flags alone. Every thread runs the same build (the build never adds a
 * dependence on the thread count); `getBackendInfo()` reports the build (`fma`, `fmaReason`).
 *
 * Both backends give the same results within rounding: float64 agrees to about 1e-13 relative
 * (different summation order), float32 within the float32 product error bound (see
 * `test/backend/`).
 *
 * @example
 * ```ts
 * import { setBackend, getBackendInfo } from 'lmtransfer';
 * setBackend('js');            // reference TypeScript kernels
 * getBackendInfo().backend;    // 'js'
 * setBackend('auto');
 * ```
 * @throws DomainError when `backend` is not `'auto'`, `'wasm'` or `'js'`, or is `'wasm'` on an
 *   engine without WebAssembly SIMD and shared memory
 */
export function setBackend(backend: BackendName): void {
  checkOneOf('setBackend', 'backend', backend, BACKEND_NAMES);
  if (backend === 'wasm') {
    const s = wasmSupport();
    if (!s.ok) {
      throw new DomainError(`setBackend: argument 'backend' must be 'auto' or 'js' on this engine (${s.reason}); got 'wasm'`);
    }
  }
  setRequestedBackend(backend);
}
