/**
 * Runs one task (src/backend/protocol.ts) over the shared heap. The calling thread runs its own
 * share through this function and every worker runs its tasks through it (src/backend/worker.ts),
 * so a result never depends on which thread computed it.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { gemmKernel } from '../kernels/gemmKernel.js';
import { rowCrossEntropyIndex } from '../kernels/crossEntropyKernel.js';
import { logPartitionRowBlocks } from '../kernels/logPartitionRowBlocksKernel.js';
import { QUEUE_DESCRIPTOR, readQueuedGemm, type Task, type TaskOf } from './protocol.js';
import type { KernelExports } from './wasmTypes.js';

/**
 * What a thread runs tasks with: the shared heap and, when WebAssembly runs, its kernel instance.
 * The heap's buffer is read from the memory for every task: the memory may have grown since this
 * thread started, and an older `SharedArrayBuffer` object keeps its older length.
 */
export interface TaskContext {
  memory: { readonly buffer: SharedArrayBuffer };
  exports: KernelExports | null;
}

// Per-thread scratch, reused across tasks.
let scratch = new Float64Array(0);
const tmp2 = new Float64Array(2);
let z32 = new Float32Array(0);
let z64 = new Float64Array(0);

function floatView(buffer: SharedArrayBuffer, f32: number, byteOffset = 0, length?: number): FloatArray {
  return f32 ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}

function jsGemm(buffer: SharedArrayBuffer, t: TaskOf<'jsGemm'>): void {
  const v = floatView(buffer, t.f32);
  const s = t.f32 ? 2 : 3;
  gemmKernel(t.tA !== 0, t.tB !== 0, t.M, t.N, t.K, t.alpha, v, t.pA >> s, t.lda, v, t.pB >> s, t.ldb, t.beta, v, t.pC >> s, t.ldc);
}

function jsGemmQueue(buffer: SharedArrayBuffer, t: TaskOf<'jsGemmQueue'>): void {
  // Control block: Int32 [staged, done, end, −], then `ring` descriptors.
  const I = new Int32Array(buffer, t.pCtrl, 4);
  const D = new Float64Array(buffer, t.pCtrl + 16, t.ring * QUEUE_DESCRIPTOR);
  for (let k = 0; ; k++) {
    for (;;) {
      // Read the end flag before the count: once it is set the count is final.
      const end = Atomics.load(I, 2);
      if (Atomics.load(I, 0) > k) break;
      if (end !== 0) return;
      Atomics.wait(I, 0, k, 20);
    }
    jsGemm(buffer, readQueuedGemm(D, (k % t.ring) * QUEUE_DESCRIPTOR));
    Atomics.store(I, 1, k + 1);
  }
}

function jsCeRows(buffer: SharedArrayBuffer, t: TaskOf<'jsCeRows'>): void {
  const { rows, n } = t;
  const z = floatView(buffer, t.f32, t.pZ, rows * n);
  const T = new Int32Array(buffer, t.pT, rows);
  const F = new Float64Array(buffer);
  if (scratch.length < n) scratch = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    const loss = rowCrossEntropyIndex(z, i * n, n, T[i], scratch, tmp2, t.grad ? z : null, i * n, t.scale);
    if (t.pLoss) F[(t.pLoss >> 3) + i] = loss;
    if (t.pLse) F[(t.pLse >> 3) + i] = tmp2[0];
  }
}

function jsLse(buffer: SharedArrayBuffer, t: TaskOf<'jsLse'>): void {
  const H = floatView(buffer, t.f32, t.pH, t.m * t.d);
  const B = floatView(buffer, t.f32, t.pB, t.nw * t.d);
  let z: FloatArray;
  if (t.f32) {
    if (z32.length < t.mb * t.nw) z32 = new Float32Array(t.mb * t.nw);
    z = z32;
  } else {
    if (z64.length < t.mb * t.nw) z64 = new Float64Array(t.mb * t.nw);
    z = z64;
  }
  const runMax = new Float64Array(buffer, t.pMax, t.m);
  const runSum = new Float64Array(buffer, t.pSum, t.m);
  new Float64Array(buffer, t.pBad, 1)[0] = logPartitionRowBlocks(gemmKernel, H, t.r0, t.r1, t.d, B, 0, t.nw, z, t.mb, runMax, runSum);
}

function wasm(ctx: TaskContext): KernelExports {
  if (!ctx.exports) throw new Error('lmtransfer backend: a WebAssembly task reached a thread without the kernel module');
  return ctx.exports;
}

/**
 * Run `task` on this thread.
 *
 * @example
 * ```ts
 * // A, B and C, 4 × 4 float64 each, at byte addresses 0, 128 and 256 of a shared heap
 * const memory = { buffer: new SharedArrayBuffer(3 * 16 * 8) };
 * const heap = new Float64Array(memory.buffer);
 * heap.set([1, 2, 3, 4, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], 0);
 * heap.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], 16);
 * runTask({ op: 'jsGemm', f32: 0, tA: 0, tB: 1, M: 4, N: 4, K: 4, alpha: 1, pA: 0, lda: 4, pB: 128, ldb: 4, beta: 0, pC: 256, ldc: 4 }, { memory, exports: null });
 * heap.subarray(32, 36); // → [1, 2, 3, 4]
 * ```
 */
export function runTask(task: Task, ctx: TaskContext): void {
  switch (task.op) {
    case 'wasmGemm': {
      const t = task;
      const f = t.f32 ? wasm(ctx).sgemm : wasm(ctx).dgemm;
      f(t.tA, t.tB, t.M, t.N, t.K, t.alpha, t.pA, t.lda, t.pB, t.ldb, t.beta, t.pC, t.ldc, t.work);
      return;
    }
    case 'wasmCeRows': {
      const t = task;
      const f = t.f32 ? wasm(ctx).sceRows : wasm(ctx).dceRows;
      f(t.pZ, t.ldz, t.rows, t.n, t.pT, t.pLse, t.pLoss, t.pG, t.ldg, t.scale);
      return;
    }
    case 'wasmLse': {
      const t = task;
      const f = t.f32 ? wasm(ctx).slseNT : wasm(ctx).dlseNT;
      f(t.pAp, t.M, t.K, t.pV, t.ldv, t.N, t.pMax, t.pSum, t.work);
      return;
    }
    case 'wasmLseStore': {
      const t = task;
      const f = t.f32 ? wasm(ctx).slseStoreNT : wasm(ctx).dlseStoreNT;
      f(t.pAp, t.M, t.K, t.pV, t.ldv, t.N, t.pMax, t.pSum, t.work, t.pZ, t.ldz);
      return;
    }
    case 'wasmProbSums': {
      const t = task;
      const f = t.f32 ? wasm(ctx).sprobSums : wasm(ctx).dprobSums;
      f(t.pZ, t.ldz, t.rows, t.N, t.pLse, t.pW, t.pSums);
      return;
    }
    case 'jsGemm':
      jsGemm(ctx.memory.buffer, task);
      return;
    case 'jsGemmQueue':
      jsGemmQueue(ctx.memory.buffer, task);
      return;
    case 'jsCeRows':
      jsCeRows(ctx.memory.buffer, task);
      return;
    case 'jsLse':
      jsLse(ctx.memory.buffer, task);
      return;
  }
}
