/**
 * The fused softmax / cross-entropy row pass on the WebAssembly SIMD kernels: per row the maximum,
 * the exponentials (vector exp), their float64 sum, the log-sum-exp, the loss `lse − z[t]` and the
 * gradient `scale·(softmax(z) − onehot(t))`, in one visit of the row. Rows are staged through the
 * shared heap in blocks of at most `STAGE_BYTES` and split across the thread pool.
 *
 * @internal
 */
import type { RowPassArgs } from './backend.js';
import { alloc, getHeap, heapF32, heapF64, heapI32, resetArena, stageBytes, wasmKernels } from './heap.js';
import { copyBlock } from './stage.js';
import { postTasks, runHere, runTasks, taskBusyMs, waitTasks } from './pool.js';
import type { Task } from './protocol.js';
import { ShareBalancer, splitCuts } from './split.js';

/** Row passes over fewer elements than this run on one thread. */
export const ROWS_THREAD_MIN = 1 << 16;

/**
 * Run the fused row pass; see `RowPassArgs`. `z` and `grad` must have the same element type.
 *
 * @example
 * ```ts
 * const z = Float64Array.of(0, 0, 0, 0);
 * const loss = new Float64Array(1);
 * wasmSoftmaxCrossEntropy(1, { z, zOff: 0, ldz: 4, rows: 1, n: 4, targets: Int32Array.of(2), tOff: 0,
 *   lse: null, loss, grad: z, gOff: 0, ldg: 4, scale: 1 }); // loss = [log 4]; z = [¼, ¼, −¾, ¼]
 * ```
 */
export function wasmSoftmaxCrossEntropy(threads: number, p: RowPassArgs): void {
  wasmKernels();
  getHeap();
  const f32 = p.z instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const shift = f32 ? 2 : 3;
  const { rows, n } = p;
  const nt = rows * n >= ROWS_THREAD_MIN ? Math.max(1, Math.min(threads, rows)) : 1;
  // With threads and several blocks the blocks are double-buffered (see below), halving each.
  let rb = Math.max(1, Math.min(rows, Math.floor(stageBytes() / (n * elt))));
  const pipelined = nt > 1 && rb < rows;
  if (pipelined) rb = Math.max(1, Math.floor(rb / 2));
  const nbuf = pipelined ? 2 : 1;
  resetArena();
  const pZ: number[] = [];
  const pT: number[] = [];
  const pLse: number[] = [];
  const pLoss: number[] = [];
  for (let i = 0; i < nbuf; i++) {
    pZ.push(alloc(rb * n * elt));
    pT.push(p.targets ? alloc(rb * 4) : 0);
    pLse.push(alloc(rb * 8));
    pLoss.push(p.targets ? alloc(rb * 8) : 0);
  }
  const view = f32 ? heapF32() : heapF64();
  const I = heapI32();
  const F = heapF64();
  const stageIn = (r0: number, rc: number, buf: number): void => {
    copyBlock(p.z, p.zOff + r0 * p.ldz, p.ldz, rc, n, view, pZ[buf] >> shift, n);
    if (p.targets) I.set(p.targets.subarray(p.tOff + r0, p.tOff + r0 + rc), pT[buf] >> 2);
  };
  const stageOut = (r0: number, rc: number, buf: number): void => {
    if (p.grad) copyBlock(view, pZ[buf] >> shift, n, rc, n, p.grad, p.gOff + r0 * p.ldg, p.ldg);
    if (p.lse) p.lse.set(F.subarray(pLse[buf] >> 3, (pLse[buf] >> 3) + rc), r0);
    if (p.loss && pLoss[buf]) p.loss.set(F.subarray(pLoss[buf] >> 3, (pLoss[buf] >> 3) + rc), r0);
  };
  /** The fraction of the rows that the last `tasksOf` gave the calling thread (after rounding). */
  let mainShare = 1;
  /** Tasks for block rows [0, rc) of buffer `buf`: the calling thread's share first. */
  const tasksOf = (rc: number, buf: number, share: number): Task[] => {
    const cuts = splitCuts(rc, nt, share, 1);
    if (nt > 1) mainShare = cuts[1] / rc;
    const tasks: Task[] = [];
    for (let q = 0; q + 1 < cuts.length; q++) {
      const s = cuts[q];
      const zp = pZ[buf] + s * n * elt;
      tasks.push({
        op: 'wasmCeRows',
        f32: f32 ? 1 : 0,
        pZ: zp,
        ldz: n,
        rows: cuts[q + 1] - s,
        n,
        pT: pT[buf] ? pT[buf] + s * 4 : 0,
        pLse: pLse[buf] + s * 8,
        pLoss: pLoss[buf] ? pLoss[buf] + s * 8 : 0,
        pG: p.grad ? zp : 0,
        ldg: n,
        scale: p.scale,
      });
    }
    return tasks;
  };
  if (!pipelined) {
    for (let r0 = 0; r0 < rows; r0 += rb) {
      const rc = Math.min(rb, rows - r0);
      stageIn(r0, rc, 0);
      runTasks(tasksOf(rc, 0, 1 / nt));
      stageOut(r0, rc, 0);
    }
    return;
  }
  // Pipelined (as in wasmGemm.ts): while the workers process block k, the calling thread does a
  // share of it, copies block k − 1 out and block k + 1 in; its share is rebalanced from the
  // measured times (src/backend/split.ts). Rows are independent, so the split never changes a result.
  const balance = new ShareBalancer(nt);
  let pending: [number, number, number] | null = null;
  stageIn(0, Math.min(rb, rows), 0);
  for (let k = 0, r0 = 0; r0 < rows; k++, r0 += rb) {
    const rc = Math.min(rb, rows - r0);
    const buf = k % 2;
    const tasks = tasksOf(rc, buf, balance.share);
    const posted = postTasks(tasks.slice(1));
    let tMain = 0;
    let tCopy = 0;
    try {
      const t0 = performance.now();
      runHere(tasks[0]);
      const t1 = performance.now();
      if (pending) stageOut(...pending);
      pending = null;
      if (r0 + rb < rows) stageIn(r0 + rb, Math.min(rb, rows - r0 - rb), 1 - buf);
      tMain = t1 - t0;
      tCopy = performance.now() - t1;
    } finally {
      waitTasks(posted);
    }
    pending = [r0, rc, buf];
    if (tasks.length === nt) balance.update(mainShare, tMain, tCopy, taskBusyMs(posted));
  }
  if (pending) stageOut(...pending);
}
