/**
 * The few WebAssembly JS-API types the backend uses. The project compiles against `lib: ES2022`
 * and @types/node 20, neither of which declares the `WebAssembly` namespace (it lives in
 * lib.dom), so the backend reaches it through `globalThis` with these minimal local types. This
 * module imports nothing, so that the worker bundle (src/backend/worker.ts) can use it.
 *
 * @internal
 */

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
  slseStoreNT: (pAp: number, M: number, K: number, pV: number, ldv: number, N: number, pMax: number, pSum: number, work: number, pZ: number, ldz: number) => void;
  dlseStoreNT: (pAp: number, M: number, K: number, pV: number, ldv: number, N: number, pMax: number, pSum: number, work: number, pZ: number, ldz: number) => void;
  sprobSums: (pZ: number, ldz: number, rows: number, N: number, pLse: number, pW: number, pSums: number) => void;
  dprobSums: (pZ: number, ldz: number, rows: number, N: number, pLse: number, pW: number, pSums: number) => void;
}

/** The parts of the host's `WebAssembly` namespace the backend uses. */
export interface WasmNamespace {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/**
 * The host's `WebAssembly` namespace, or undefined where there is none.
 *
 * @example
 * ```ts
 * const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00); // "\0asm", version 1
 * wasmNamespace()?.validate(empty); // → true
 * ```
 */
export function wasmNamespace(): WasmNamespace | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmNamespace }).WebAssembly;
}

/**
 * Instantiate the kernel module over `memory` (each thread has its own instance of the one module).
 *
 * @example
 * ```ts
 * const e = instantiateKernels(kernelModule(), getHeap().memory);
 * e.heapBase() > 0; // → true
 * ```
 */
export function instantiateKernels(module: WasmModule, memory: WasmMemory | { buffer: SharedArrayBuffer }): KernelExports {
  const wa = wasmNamespace() as WasmNamespace;
  return new wa.Instance(module, { env: { memory } }).exports as KernelExports;
}
