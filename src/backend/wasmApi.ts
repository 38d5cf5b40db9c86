/**
 * The few WebAssembly JS-API types the backend uses. The project compiles against `lib: ES2022`
 * and @types/node 20, neither of which declares the `WebAssembly` namespace (it lives in
 * lib.dom), so the backend reaches it through `globalThis` with these minimal local types.
 *
 * @internal
 */
import { setFlagsFromString } from 'node:v8';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../wasm/generated/kernels.js';

/** A shared `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}

/** A compiled module (opaque; structured-cloneable to workers). */
export type WasmModule = object;

/** The exports of `src/wasm/assembly/kernels.ts` (numbers stand in for i32/usize/f32/f64). */
export interface KernelExports {
  heapBase: () => number;
  fusedMultiplyAdd: () => number;
  gemmWorkspaceBytes: () => number;
  lseWorkspaceBytes: (K: number) => number;
  packAFullBytes: (M: number, K: number, elt: number) => number;
  sgemm: (tA: number, tB: number, M: number, N: number, K: number, alpha: number, pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number, work: number) => void;
  dgemm: (tA: number, tB: number, M: number, N: number, K: number, alpha: number, pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number, work: number) => void;
  sexpArray: (src: number, dst: number, n: number) => void;
  dexpArray: (src: number, dst: number, n: number) => void;
  sceRows: (pZ: number, ldz: number, rows: number, n: number, pT: number, pLse: number, pLoss: number, pG: number, ldg: number, scale: number) => void;
  dceRows: (pZ: number, ldz: number, rows: number, n: number, pT: number, pLse: number, pLoss: number, pG: number, ldg: number, scale: number) => void;
  spackAFull: (tA: number, M: number, K: number, pA: number, lda: number, dst: number) => void;
  dpackAFull: (tA: number, M: number, K: number, pA: number, lda: number, dst: number) => void;
  slseNT: (pAp: number, M: number, K: number, pV: number, ldv: number, N: number, pMax: number, pSum: number, work: number) => void;
  dlseNT: (pAp: number, M: number, K: number, pV: number, ldv: number, N: number, pMax: number, pSum: number, work: number) => void;
}

interface WasmNamespace {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The host's `WebAssembly` namespace, or undefined where there is none. */
export function wasmNamespace(): WasmNamespace | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmNamespace }).WebAssembly;
}

// The smallest module that uses a SIMD instruction (i8x16.popcnt on a splat), as published by
// GoogleChromeLabs/wasm-feature-detect (src/detectors/simd/module.wat).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let support: { ok: boolean; reason: string } | undefined;

/**
 * Whether this host can run the kernels: WebAssembly with SIMD, shared memory and Atomics. The
 * answer is computed once.
 */
export function wasmSupport(): { ok: boolean; reason: string } {
  if (support) return support;
  const wa = wasmNamespace();
  if (!wa) support = { ok: false, reason: 'no WebAssembly in this JavaScript engine' };
  else if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    support = { ok: false, reason: 'no SharedArrayBuffer/Atomics in this engine' };
  } else {
    try {
      if (!wa.validate(SIMD_PROBE)) support = { ok: false, reason: 'WebAssembly SIMD is not supported' };
      else {
        const m = new wa.Memory({ initial: 1, maximum: 1, shared: true });
        support = m.buffer instanceof SharedArrayBuffer ? { ok: true, reason: 'WebAssembly SIMD available' } : { ok: false, reason: 'shared WebAssembly memory is not supported' };
      }
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
  const v = process.env.LMTRANSFER_RELAXED_SIMD;
  if (v === undefined) return false;
  const lower = v.trim().toLowerCase();
  if (['0', 'off', 'false'].includes(lower)) return true;
  if (['', '1', 'on', 'true', 'auto'].includes(lower)) return false;
  process.emitWarning(`lmtransfer: LMTRANSFER_RELAXED_SIMD must be one of '0', '1', 'auto' (or off/on, false/true); got ${JSON.stringify(v)}; using 'auto'`);
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
    relaxedBytes ??= new Uint8Array(Buffer.from(KERNELS_RELAXED_WASM_BASE64, 'base64'));
    return relaxedBytes;
  }
  return new Uint8Array(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
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
  variant = chooseKernelVariant(relaxedDisabledByEnv(), validate, () => setFlagsFromString(RELAXED_SIMD_FLAG));
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
