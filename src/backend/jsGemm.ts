/**
 * The TypeScript GEMM kernel split across the thread pool with a work queue per worker, for the
 * `'js'` backend: `C ← α·op(A)·op(B) + β·C` with C cut into blocks along its longer side.
 *
 * Why not the staged strips of wasmGemm.ts: there every block of the product is staged, computed
 * by all threads and copied out by the calling thread, with a barrier per block; the calling
 * thread's share is rebalanced from the previous block's timings, which on this shared machine
 * leaves both threads busy only 1.80–1.89 of 2 (process CPU time over wall time), and the calling
 * thread also copies the blocks it computes itself. Here the calling thread computes its blocks
 * straight from the user's buffers (no copies), working from the far end of C, while each worker
 * runs one long task (`jsGemmQueue`, src/backend/taskRunner.ts) that takes staged blocks from a ring of
 * `RING` slots in the shared heap as soon as they are posted, without a round trip. Between two
 * of its own blocks the calling thread copies finished blocks out and stages new ones into the
 * freed slots, so a worker always has blocks queued while there is work to share. Which blocks go
 * where is the split policy's two-ended queue (`TwoEndedSplit`, src/backend/split.ts): a queue
 * stops growing once it would be as long as all that is left, so the threads finish within a block
 * of each other.
 *
 * Every block is a `gemmKernel` call over the whole depth K with block sizes of at least
 * `SMALL_FLOPS` multiply-adds, so every element of C is computed by the same arithmetic as in a
 * single-threaded call: results are bitwise the same for any thread count.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { gemmKernel, SMALL_FLOPS } from '../kernels/gemmKernel.js';
import { alloc, getHeap, heapF32, heapF64, heapI32, resetArena, stageBytes } from './heap.js';
import { copyBlock } from './stage.js';
import { postTasks, waitTasks, type Posted } from './pool.js';
import { QUEUE_DESCRIPTOR, writeQueuedGemm, type TaskOf } from './protocol.js';
import { TwoEndedSplit } from './split.js';

/** Slots per worker queue: a worker can run this many blocks ahead of the calling thread's copies. */
const RING = 3;
/** Multiply-adds per block: about 25 ms of work, against ≈ 1 % for re-packing the unsplit operand. */
const BLOCK_MADDS = 48e6;
/** Bytes of a queue's control block: Int32 [staged, done, end, −] then RING block descriptors. */
const CTRL_BYTES = 16 + RING * QUEUE_DESCRIPTOR * 8;

/**
 * `C ← α·op(A)·op(B) + β·C` (BLAS semantics, row-major; see `gemm`) on the TypeScript kernel with
 * `threads` threads (≥ 2), as described in the module comment. A, B and C must be of one element
 * type (all Float32Array or all Float64Array). Returns false, computing nothing, when the unsplit
 * operand and the queues do not fit the staging budget or the product has too few blocks; the
 * caller then uses the staged strips.
 *
 * @example
 * ```ts
 * const a = new Float64Array(64 * 300).fill(1);
 * const c = new Float64Array(64 * 3000);
 * jsGemm(2, false, true, 64, 3000, 300, 1, a, 0, 300, new Float64Array(3000 * 300).fill(1), 0, 300, 0, c, 0, 3000); // true; c all 300
 * ```
 */
export function jsGemm(
  threads: number,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  beta: number,
  c: FloatArray,
  cOff: number,
  ldc: number,
): boolean {
  const f32 = c instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const byN = N >= M;
  // S: the split side (columns of C when byN, else rows); T: the other side of C.
  const S = byN ? N : M;
  const T = byN ? M : N;
  const nw = threads - 1;
  if (nw < 1) return false;
  // Staged per worker block: the split operand's block (K × nb) and the C block (T × nb); staged
  // once: the unsplit operand (T × K).
  const unsplit = T * K * elt;
  const minNb = Math.ceil((SMALL_FLOPS + 1) / (T * K) / 4) * 4;
  const fit = Math.floor((stageBytes() - unsplit - nw * CTRL_BYTES) / (nw * RING * (K + T) * elt) / 4) * 4;
  const want = Math.max(minNb, Math.round(BLOCK_MADDS / (T * K) / 8) * 8);
  const nb = Math.min(want, fit, Math.floor(S / 8 / 4) * 4);
  if (unsplit > stageBytes() / 2 || nb < Math.max(4, minNb)) return false;
  // Blocks of nb along S; the last one takes the remainder (so no block is narrower than nb) and
  // always goes to the calling thread, so the workers' slots are all nb wide.
  const nBlk = Math.floor(S / nb);
  const blockStart = (k: number): number => k * nb;
  const blockLen = (k: number): number => (k === nBlk - 1 ? S - k * nb : nb);

  getHeap();
  resetArena();
  const shift = f32 ? 2 : 3;
  const pU = alloc(unsplit);
  const ctrl: number[] = [];
  const pS: number[][] = [];
  const pC: number[][] = [];
  for (let w = 0; w < nw; w++) {
    const p = alloc(CTRL_BYTES);
    ctrl.push(p);
    const ss: number[] = [];
    const cs: number[] = [];
    for (let r = 0; r < RING; r++) {
      ss.push(alloc(K * nb * elt));
      cs.push(alloc(T * nb * elt));
    }
    pS.push(ss);
    pC.push(cs);
  }
  // Views after the allocations, which may grow the heap.
  const view = f32 ? heapF32() : heapF64();
  const I = heapI32();
  const F = heapF64();
  for (const p of ctrl) for (let i = 0; i < 4; i++) Atomics.store(I, (p >> 2) + i, 0);
  const tA = transA ? 1 : 0;
  const tB = transB ? 1 : 0;
  // The unsplit operand, staged once: op(A) whole (byN) or op(B) whole, in its stored layout.
  let ldU: number;
  if (byN) {
    ldU = transA ? M : K;
    if (transA) copyBlock(a, aOff, lda, K, M, view, pU >> shift, M);
    else copyBlock(a, aOff, lda, M, K, view, pU >> shift, K);
  } else {
    ldU = transB ? K : N;
    if (transB) copyBlock(b, bOff, ldb, N, K, view, pU >> shift, K);
    else copyBlock(b, bOff, ldb, K, N, view, pU >> shift, N);
  }

  /** The calling thread's block k, straight from the user's buffers. */
  const computeHere = (k: number): void => {
    const s0 = blockStart(k);
    const len = blockLen(k);
    if (byN) {
      gemmKernel(transA, transB, M, len, K, alpha, a, aOff, lda, b, bOff + s0 * (transB ? ldb : 1), ldb, beta, c, cOff + s0, ldc);
    } else {
      gemmKernel(transA, transB, len, N, K, alpha, a, aOff + s0 * (transA ? 1 : lda), lda, b, bOff, ldb, beta, c, cOff + s0 * ldc, ldc);
    }
  };
  /** Stage block k into slot r of worker w and write its `jsgemm` arguments as the slot's descriptor. */
  const stage = (w: number, r: number, k: number): void => {
    const s0 = blockStart(k);
    const len = nb;
    const ps = pS[w][r];
    const pc = pC[w][r];
    let block: TaskOf<'jsGemm'>;
    const common = { op: 'jsGemm', f32: f32 ? 1 : 0, tA, tB, K, alpha, beta } as const;
    if (byN) {
      // op(B) columns s0.. : stored N × K rows (transB) or K × N columns.
      if (transB) copyBlock(b, bOff + s0 * ldb, ldb, len, K, view, ps >> shift, K);
      else copyBlock(b, bOff + s0, ldb, K, len, view, ps >> shift, len);
      if (beta !== 0) copyBlock(c, cOff + s0, ldc, M, len, view, pc >> shift, len);
      block = { ...common, M, N: len, pA: pU, lda: ldU, pB: ps, ldb: transB ? K : len, pC: pc, ldc: len };
    } else {
      // op(A) rows s0.. : stored K × M columns (transA) or M × K rows.
      if (transA) copyBlock(a, aOff + s0, lda, K, len, view, ps >> shift, len);
      else copyBlock(a, aOff + s0 * lda, lda, len, K, view, ps >> shift, K);
      if (beta !== 0) copyBlock(c, cOff + s0 * ldc, ldc, len, N, view, pc >> shift, N);
      block = { ...common, M: len, N, pA: ps, lda: transA ? len : K, pB: pU, ldb: ldU, pC: pc, ldc: N };
    }
    writeQueuedGemm(F, (ctrl[w] + 16 + r * QUEUE_DESCRIPTOR * 8) >> 3, block);
  };
  const copyOut = (w: number, r: number, k: number): void => {
    const s0 = blockStart(k);
    const pc = pC[w][r] >> shift;
    if (byN) copyBlock(view, pc, nb, M, nb, c, cOff + s0, ldc);
    else copyBlock(view, pc, N, nb, N, c, cOff + s0 * ldc, ldc);
  };

  // The split policy's two-ended queue (src/backend/split.ts) over the blocks: workers take from
  // the front, the calling thread from the back.
  const split = new TwoEndedSplit(nBlk, nw);
  const staged = new Array<number>(nw).fill(0);
  const copied = new Array<number>(nw).fill(0);
  const slotBlock: number[][] = Array.from({ length: nw }, () => new Array<number>(RING).fill(-1));
  /** Copy out worker w's finished blocks and refill its free slots while the split stays fair. */
  const service = (w: number): void => {
    const base = ctrl[w] >> 2;
    const done = Atomics.load(I, base + 1);
    while (copied[w] < done) {
      const r = copied[w] % RING;
      copyOut(w, r, slotBlock[w][r]);
      copied[w]++;
      split.finished(w, 1);
    }
    // Queue another block while a slot is free and the policy hands one.
    while (staged[w] - copied[w] < RING) {
      const k = split.takeFront(w, 1);
      if (k < 0) break;
      const r = staged[w] % RING;
      slotBlock[w][r] = k;
      stage(w, r, k);
      staged[w]++;
      Atomics.store(I, base, staged[w]);
      Atomics.notify(I, base);
    }
  };

  const posted: Posted[] = [];
  let failure: unknown = null;
  try {
    for (let w = 0; w < nw; w++) {
      service(w);
      posted.push(postTasks([{ op: 'jsGemmQueue', pCtrl: ctrl[w], ring: RING, flops: 2 * M * N * K }], w));
    }
    while (split.takeBack(1) > 0) {
      computeHere(split.bottom);
      for (let w = 0; w < nw; w++) service(w);
    }
  } catch (e) {
    failure = e;
  }
  // Tell every worker that nothing more comes, then wait for it (never return or throw while a
  // worker still uses the staged buffers) and copy out what it finished.
  for (let w = 0; w < nw; w++) {
    Atomics.store(I, (ctrl[w] >> 2) + 2, 1);
    Atomics.notify(I, ctrl[w] >> 2);
  }
  for (const pw of posted) {
    try {
      waitTasks(pw);
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure instanceof Error) throw failure;
  if (failure !== null) throw new Error('lmtransfer backend: the threaded TypeScript GEMM failed');
  for (let w = 0; w < nw; w++) {
    const done = Atomics.load(I, (ctrl[w] >> 2) + 1);
    while (copied[w] < done) {
      const r = copied[w] % RING;
      copyOut(w, r, slotBlock[w][r]);
      copied[w]++;
    }
  }
  return true;
}
