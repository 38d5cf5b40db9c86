/**
 * The shared heap: one shared `WebAssembly.Memory` (so that worker threads run the same kernels over
 * the same bytes), the calling thread's kernel instance (made only when the WebAssembly backend
 * first runs: the TypeScript backends use the memory alone and never compile WebAssembly), and a
 * bump arena that each accelerated call resets and fills with its scratch (packing workspaces,
 * staged operand blocks).
 *
 * Layout: `[0, RESERVED_BYTES)` belongs to the kernel module's static data (its `heapBase()` is
 * checked against it when the module is instantiated), then the workers' control slots, then the
 * arena.
 *
 * Why an arena and staging instead of keeping user matrices in the heap: user matrices live in
 * ordinary ArrayBuffers that WebAssembly and other threads cannot address, so blocks of them are
 * copied in (a `TypedArray.set`, i.e. memcpy speed) and results copied out. The blocks are sized
 * to a fixed budget (`STAGE_BYTES`), so the heap stays at a few MB per thread plus that budget no
 * matter how large the problem, and each operand element is copied in once for typical shapes.
 * The memory grows on demand and never shrinks (WebAssembly memories cannot shrink); old views of a
 * shared memory stay valid after it grows, so nothing needs re-pointing except our cached views.
 *
 * @internal
 */
import { kernelModule } from './wasmApi.js';
import { MAX_SLOTS, SLOT_BYTES } from './protocol.js';
import { instantiateKernels, wasmNamespace, type KernelExports, type WasmMemory, type WasmModule } from './wasmTypes.js';

/** Bytes below the control slots kept for the kernel module's static data (it needs about 7 KB). */
export const RESERVED_BYTES = 65536;
/** Default budget for staged operand blocks per call (A, B and C blocks together). */
export const STAGE_BYTES = 12 * 1024 * 1024;
let stageBudget = STAGE_BYTES;

/** The staging budget in bytes. */
export function stageBytes(): number {
  return stageBudget;
}

/** Change the staging budget (tests use a small one to exercise the blocked paths). */
export function setStageBytes(bytes: number): void {
  stageBudget = bytes;
}

const PAGE = 65536;
// 65536 pages = 4 GiB, the wasm32 limit; the module declares the same maximum.
const MAX_PAGES = 65536;

export interface Heap {
  readonly memory: WasmMemory;
  /** Byte address of the control slots. */
  readonly ctrl: number;
  /** Byte address where the per-call arena starts. */
  readonly arena: number;
}

let heap: Heap | undefined;
let top = 0;
let f32: Float32Array = new Float32Array(0);
let f64: Float64Array = new Float64Array(0);
let i32: Int32Array = new Int32Array(0);

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/**
 * The heap (a shared memory; nothing compiled), created on first use. Callers check
 * `sharedMemorySupport()` first.
 *
 * @example
 * ```ts
 * const h = getHeap(); h.memory.buffer; // a SharedArrayBuffer
 * ```
 */
export function getHeap(): Heap {
  if (heap) return heap;
  const wa = wasmNamespace() as NonNullable<ReturnType<typeof wasmNamespace>>;
  const memory = new wa.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const ctrl = RESERVED_BYTES;
  const arena = alignUp(ctrl + MAX_SLOTS * SLOT_BYTES, 4096);
  heap = { memory, ctrl, arena };
  top = arena;
  ensureBytes(arena + 4 * PAGE);
  return heap;
}

/** The calling thread's instance of the kernel module over the heap. */
export interface WasmKernels {
  readonly module: WasmModule;
  readonly exports: KernelExports;
}

let kernels: WasmKernels | undefined;

/**
 * The compiled kernel module and this thread's instance over the heap, made (and warmed up) on
 * first use by the WebAssembly backend. Callers check `wasmSupport()` first.
 *
 * @example
 * ```ts
 * wasmKernels().exports.gemmWorkspaceBytes();
 * ```
 */
export function wasmKernels(): WasmKernels {
  if (kernels) return kernels;
  const h = getHeap();
  const module = kernelModule();
  const exports = instantiateKernels(module, h.memory);
  if (exports.heapBase() > RESERVED_BYTES) {
    throw new Error(`lmtransfer backend: the kernel module's static data (${exports.heapBase()} bytes) exceeds the reserved ${RESERVED_BYTES}`);
  }
  kernels = { module, exports };
  warmUp(exports, h.arena);
  return kernels;
}

/**
 * The compiled module when the WebAssembly backend has run here, else null (workers started for
 * the TypeScript backends get no module).
 *
 * @example
 * ```ts
 * compiledKernelModule(); // null until the first WebAssembly product
 * ```
 */
export function compiledKernelModule(): WasmModule | null {
  return kernels ? kernels.module : null;
}

/** Grow the memory so that bytes [0, end) exist, and refresh the cached views. */
export function ensureBytes(end: number): void {
  const h = heap as Heap;
  const have = h.memory.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    h.memory.grow(pages);
  }
  if (f32.buffer !== h.memory.buffer || f32.byteLength !== h.memory.buffer.byteLength) {
    const buf = h.memory.buffer;
    f32 = new Float32Array(buf);
    f64 = new Float64Array(buf);
    i32 = new Int32Array(buf);
  }
}

/** Start a call's scratch: everything allocated by the previous call is released. */
export function resetArena(): void {
  top = (heap as Heap).arena;
}

/**
 * Allocate `bytes` of call scratch (64-byte aligned) and return its byte address.
 *
 * @example
 * ```ts
 * resetArena();
 * const p = alloc(1024 * 8);                      // byte address of 1024 float64s
 * heapF64().fill(0, p >> 3, (p >> 3) + 1024);
 * ```
 */
export function alloc(bytes: number): number {
  const p = alignUp(top, 64);
  top = p + bytes;
  ensureBytes(top);
  return p;
}

/** A Float32Array view of the whole heap (valid until the next `alloc`/`ensureBytes`). */
export function heapF32(): Float32Array {
  return f32;
}

/** A Float64Array view of the whole heap (valid until the next `alloc`/`ensureBytes`). */
export function heapF64(): Float64Array {
  return f64;
}

/** An Int32Array view of the whole heap (valid until the next `alloc`/`ensureBytes`). */
export function heapI32(): Int32Array {
  return i32;
}

/** Current heap size in bytes (for tests and the memory report). */
export function heapBytes(): number {
  return heap ? heap.memory.buffer.byteLength : 0;
}

// Run each hot kernel a few times on small problems: V8 first compiles WebAssembly with its
// baseline compiler (Liftoff) and tiers hot functions up to TurboFan in the background, so without
// this the first large product of a process would run at baseline speed (about 2× slower, measured
// with a 512×1024×256 sgemm: 30 ms after 10 warm-up calls, 14 ms once tiered up).
function warmUp(e: KernelExports, arena: number): void {
  const ws = e.gemmWorkspaceBytes();
  const work = arena;
  const p = alignUp(work + ws, 64);
  ensureBytes(p + 64 * 64 * 8 * 3);
  // Zeroed memory is valid input for every kernel (exp(0 − 0) = 1, sums of 64 ones).
  for (let r = 0; r < 8; r++) {
    e.sgemm(0, 1, 32, 32, 64, 1, p, 64, p, 64, 0, p + 32768, 32, work);
    e.dgemm(0, 0, 16, 16, 64, 1, p, 64, p, 16, 0, p + 32768, 16, work);
    e.sceRows(p, 64, 8, 64, 0, p + 65536, 0, p + 32768, 64, 1);
    e.dceRows(p, 64, 8, 64, 0, p + 65536, 0, p + 32768, 64, 1);
  }
}
