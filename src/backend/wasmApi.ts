/**
 * The few WebAssembly JS-API types the backend uses. The project compiles against `lib: ES2022`
 * and @types/node 20, neither of which declares the `WebAssembly` namespace (it lives in
 * lib.dom), so the backend reaches it through `globalThis` with these minimal local types.
 *
 * @internal
 */
import { KERNELS_WASM_BASE64 } from '../wasm/generated/kernels.js';

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

let compiled: WasmModule | undefined;

/** The compiled kernel module (compiled once per thread that asks). */
export function kernelModule(): WasmModule {
  if (!compiled) {
    // Callers check wasmSupport() first, so the namespace exists here.
    const wa = wasmNamespace() as WasmNamespace;
    compiled = new wa.Module(new Uint8Array(Buffer.from(KERNELS_WASM_BASE64, 'base64')));
  }
  return compiled;
}
