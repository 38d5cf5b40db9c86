/**
 * Whether and how the WebAssembly kernels run here: the feature probes, the choice between the
 * portable and the relaxed-SIMD module, and compiling the chosen one. Only the WebAssembly backend
 * calls `kernelVariant` and `kernelModule`; the TypeScript backends need `sharedMemorySupport` only
 * (for their worker threads), so they never compile WebAssembly nor set a V8 flag.
 *
 * @internal
 */
import { base64Bytes, envVar, setEngineFlag, warn } from '#platform';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../wasm/generated/kernels.js';
import { wasmNamespace, type WasmModule, type WasmNamespace } from './wasmTypes.js';

export { wasmNamespace } from './wasmTypes.js';
export type { KernelExports, WasmMemory, WasmModule } from './wasmTypes.js';

let shared: { ok: boolean; reason: string } | undefined;

/**
 * Whether this host has shared WebAssembly memory and Atomics (what worker threads need, for the
 * TypeScript kernels too); computed once. Creating a memory compiles nothing.
 *
 * @example
 * ```ts
 * sharedMemorySupport(); // { ok: true, reason: 'shared WebAssembly memory available' }
 * ```
 */
export function sharedMemorySupport(): { ok: boolean; reason: string } {
  if (shared) return shared;
  const wa = wasmNamespace();
  if (!wa) shared = { ok: false, reason: 'no WebAssembly in this JavaScript engine' };
  else if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    shared = { ok: false, reason: 'no SharedArrayBuffer/Atomics in this engine (in a browser: the page is not cross-origin isolated)' };
  } else {
    try {
      const m = new wa.Memory({ initial: 1, maximum: 1, shared: true });
      shared = m.buffer instanceof SharedArrayBuffer ? { ok: true, reason: 'shared WebAssembly memory available' } : { ok: false, reason: 'shared WebAssembly memory is not supported' };
    } catch (e) {
      shared = { ok: false, reason: `shared WebAssembly memory is not supported (${String(e)})` };
    }
  }
  return shared;
}

// The smallest module that uses a SIMD instruction (i8x16.popcnt on a splat), as published by
// GoogleChromeLabs/wasm-feature-detect (src/detectors/simd/module.wat).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let support: { ok: boolean; reason: string } | undefined;

/**
 * Whether this host can run the WebAssembly kernels: SIMD, shared memory and Atomics (validating
 * the probe compiles nothing). The answer is computed once.
 *
 * @example
 * ```ts
 * wasmSupport(); // { ok: true, reason: 'WebAssembly SIMD available' }
 * ```
 */
export function wasmSupport(): { ok: boolean; reason: string } {
  if (support) return support;
  const mem = sharedMemorySupport();
  if (!mem.ok) support = mem;
  else {
    try {
      const wa = wasmNamespace() as WasmNamespace;
      support = wa.validate(SIMD_PROBE) ? { ok: true, reason: 'WebAssembly SIMD available' } : { ok: false, reason: 'WebAssembly SIMD is not supported' };
    } catch (e) {
      support = { ok: false, reason: `WebAssembly feature probe failed (${String(e)})` };
    }
  }
  return support;
}

/** Which of the two embedded modules runs, and why. */
export interface KernelVariant {
  /** True for the relaxed-SIMD module (fused multiply-add micro-kernels). */
  fma: boolean;
  reason: string;
}

/** The V8 flag that enables relaxed SIMD on Node 20 (V8 11.3); Node ≥ 22 has it on by default. */
export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * Read `LMTRANSFER_RELAXED_SIMD`: `'0'`, `'off'` or `'false'` keep the portable module (and leave
 * the V8 flags alone); unset, empty, `'1'`, `'on'`, `'true'` or `'auto'` use relaxed SIMD where it
 * can be had. An unknown value warns once and counts as auto, like the other backend variables.
 */
function relaxedDisabledByEnv(): boolean {
  const v = envVar('LMTRANSFER_RELAXED_SIMD');
  if (v === undefined) return false;
  const lower = v.trim().toLowerCase();
  if (['0', 'off', 'false'].includes(lower)) return true;
  if (['', '1', 'on', 'true', 'auto'].includes(lower)) return false;
  warn(`lmtransfer: LMTRANSFER_RELAXED_SIMD must be one of '0', '1', 'auto' (or off/on, false/true); got ${JSON.stringify(v)}; using 'auto'`);
  return false;
}

/**
 * Decide which module to run (pure, so that every branch can be tested with stand-ins):
 * the relaxed-SIMD module when the engine validates it; otherwise, unless `disabled`, after
 * `enableFlag()` (turning on V8's relaxed-SIMD flag) if it validates then; otherwise the portable
 * module. `enableFlag` may throw (the flag is unknown to the engine); that counts as unavailable.
 *
 * @example
 * ```ts
 * chooseKernelVariant(false, () => true, () => {}); // { fma: true, reason: 'relaxed SIMD supported by this engine' }
 * ```
 */
export function chooseKernelVariant(disabled: boolean, validateRelaxed: () => boolean, enableFlag: () => void): KernelVariant {
  if (disabled) return { fma: false, reason: 'relaxed SIMD disabled by LMTRANSFER_RELAXED_SIMD' };
  if (validateRelaxed()) return { fma: true, reason: 'relaxed SIMD supported by this engine' };
  try {
    enableFlag();
  } catch (e) {
    return { fma: false, reason: `relaxed SIMD unavailable (setting ${RELAXED_SIMD_FLAG} failed: ${String(e)})` };
  }
  if (validateRelaxed()) return { fma: true, reason: `relaxed SIMD enabled with the V8 flag ${RELAXED_SIMD_FLAG}` };
  return { fma: false, reason: 'relaxed SIMD is not supported by this engine' };
}

let variant: KernelVariant | undefined;
let relaxedBytes: Uint8Array | undefined;

function moduleBytes(fma: boolean): Uint8Array {
  if (fma) {
    relaxedBytes ??= base64Bytes(KERNELS_RELAXED_WASM_BASE64);
    return relaxedBytes;
  }
  return base64Bytes(KERNELS_WASM_BASE64);
}

/**
 * The module variant this process runs, decided once (callers check `wasmSupport()` first). On
 * Node 20 the relaxed-SIMD module needs V8's `--experimental-wasm-relaxed-simd`; when the engine
 * does not validate the module as is, the flag is turned on at run time with
 * `v8.setFlagsFromString` (before anything is compiled; it stays on for the process, and only
 * admits the relaxed-SIMD instructions) unless `LMTRANSFER_RELAXED_SIMD=0`. Every thread runs the
 * same compiled module, so the build never differs between threads.
 *
 * @example
 * ```ts
 * if (wasmSupport().ok) kernelVariant(); // on Node 20: { fma: true, reason: 'relaxed SIMD enabled with the V8 flag …' }
 * ```
 */
export function kernelVariant(): KernelVariant {
  if (variant) return variant;
  const wa = wasmNamespace() as WasmNamespace;
  const validate = (): boolean => {
    try {
      return wa.validate(moduleBytes(true));
    } catch {
      return false;
    }
  };
  variant = chooseKernelVariant(relaxedDisabledByEnv(), validate, () => setEngineFlag(RELAXED_SIMD_FLAG));
  return variant;
}

let compiled: WasmModule | undefined;

/** The compiled kernel module of the chosen variant (compiled once per thread that asks). */
export function kernelModule(): WasmModule {
  if (!compiled) {
    // Callers check wasmSupport() first, so the namespace exists here.
    const wa = wasmNamespace() as WasmNamespace;
    compiled = new wa.Module(moduleBytes(kernelVariant().fma));
    relaxedBytes = undefined;
  }
  return compiled;
}
