/**
 * The shared WebAssembly heap: one `WebAssembly.Memory` (shared, so that worker threads run the
 * same kernels over the same bytes), the main thread's kernel instance, and a bump arena that each
 * accelerated call resets and fills with its scratch (packing workspaces, staged operand blocks).
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
import { kernelModule, wasmNamespace, type KernelExports, type WasmMemory, type WasmModule } from './wasmApi.js';

/** Bytes of one worker's control slot (sequence numbers and arguments; see threadPool.ts). */
export const SLOT_BYTES = 256;
/** Control slots reserved (one per worker thread; the main thread needs none). */
export const MAX_SLOTS = 64;
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
  readonly module: WasmModule;
  readonly exports: KernelExports;
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

/** The heap, created (module compiled and instantiated, kernels warmed up) on first use. */
export function getHeap(): Heap {
  if (heap) return heap;
  // Callers check wasmSupport() first, so the namespace exists here.
  const wa = wasmNamespace() as NonNullable<ReturnType<typeof wasmNamespace>>;
  const module = kernelModule();
  const memory = new wa.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const exports = new wa.Instance(module, { env: { memory } }).exports as KernelExports;
  const ctrl = alignUp(exports.heapBase(), 4096);
  const arena = alignUp(ctrl + MAX_SLOTS * SLOT_BYTES, 4096);
  heap = { memory, module, exports, ctrl, arena };
  top = arena;
  ensureBytes(arena + 4 * PAGE);
  warmUp(heap);
  return heap;
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
function warmUp(h: Heap): void {
  const e = h.exports;
  const ws = e.gemmWorkspaceBytes();
  const work = h.arena;
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
