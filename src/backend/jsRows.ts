/**
 * The fused softmax cross-entropy row pass on the TypeScript kernel (`rowCrossEntropyIndex`), for
 * the `'js'` backend, split across the thread pool for large passes.
 *
 * Rows are independent, and every row is computed by the same function on the same values whichever
 * thread runs it, so the results are bitwise those of one thread. Only the calling thread can read
 * the user's buffers, so the split is asymmetric: the calling thread works through rows in place
 * from the bottom of the batch, in chunks of about `CHUNK_ELEMENTS`, and between two chunks hands
 * each worker its next block of rows from the top, staged in the shared heap (two buffers per
 * worker, so that the next block is already staged when a worker finishes one). The blocks are
 * handed out as the workers finish them, so the split adapts to the copy cost and to a core that
 * is slower or busy, and both threads work until the last rows. Which rows go where is the split
 * policy's two-ended queue (`TwoEndedSplit`, src/backend/split.ts): a worker gets a block only
 * while its queue with it stays shorter than what is left, and the calling thread takes the last
 * rows itself.
 *
 * @internal
 */
import { rowCrossEntropyIndex } from '../kernels/crossEntropyKernel.js';
import { alloc, getHeap, heapF32, heapF64, heapI32, resetArena, stageBytes } from './heap.js';
import { copyBlock } from './stage.js';
import { postTasks, tasksDone, waitTasks, type Posted } from './pool.js';
import type { RowPassArgs } from './backend.js';
import { TwoEndedSplit } from './split.js';

/** Row passes over fewer elements than this run on the calling thread only. */
export const JS_ROWS_THREAD_MIN = 1 << 16;
/** Elements per worker block: about 2 ms of work at 7–8 ns per element, against a few µs to hand it over. */
const BLOCK_ELEMENTS = 1 << 18;
/** Elements per chunk of the calling thread between two looks at the workers (about 60 µs). */
const CHUNK_ELEMENTS = 1 << 13;

// Scratch of the calling thread's rows, reused across calls.
let scratch = new Float64Array(0);
const tmp2 = new Float64Array(2);

/** Rows `[r0, r1)` of the pass, in place on the caller's buffers. */
function rowsInPlace(p: RowPassArgs, r0: number, r1: number): void {
  const { z, zOff, ldz, n, targets, tOff, grad, gOff, ldg, scale, loss, lse } = p;
  if (!targets) return;
  if (scratch.length < n) scratch = new Float64Array(n);
  for (let i = r0; i < r1; i++) {
    const l = rowCrossEntropyIndex(z, zOff + i * ldz, n, targets[tOff + i], scratch, tmp2, grad, gOff + i * ldg, scale);
    if (loss) loss[i] = l;
    if (lse) lse[i] = tmp2[0];
  }
}

/** A block of rows staged for a worker: rows `[r0, r0 + rc)` in buffer `buf` of that worker. */
interface Job {
  r0: number;
  rc: number;
  buf: number;
}

/**
 * The fused row pass of `RowPassArgs` with index targets (`p.targets` non-null): per row the loss
 * `lse − z[t]` into `p.loss`, the log-sum-exp into `p.lse` (each when given) and the gradient
 * `scale·(softmax(z) − onehot(t))` into `p.grad` (when given; it may be `z` itself with the same
 * layout), each row by `rowCrossEntropyIndex`. With `threads > 1`, a pass of at least
 * `JS_ROWS_THREAD_MIN` elements and a `grad` of the precision of `z`, the rows are split across the
 * pool (see the module comment); otherwise they run on the calling thread. Either way the results
 * are bitwise the same.
 *
 * @example
 * ```ts
 * const z = Float64Array.of(0, 0, 0, 0);
 * const loss = new Float64Array(1);
 * jsSoftmaxCrossEntropy(1, { z, zOff: 0, ldz: 4, rows: 1, n: 4, targets: Int32Array.of(2), tOff: 0,
 *   lse: null, loss, grad: z, gOff: 0, ldg: 4, scale: 1 }); // loss = [log 4]; z = [¼, ¼, −¾, ¼]
 * ```
 */
export function jsSoftmaxCrossEntropy(threads: number, p: RowPassArgs): void {
  const { rows, n, targets } = p;
  if (!targets || rows <= 0 || n <= 0) return;
  const f32 = p.z instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const nw = Math.min(threads, rows) - 1;
  // Two staged blocks per worker within the staging budget (logits, target, loss and lse per row),
  // and at least four blocks per thread, so that a mid-size pass is still shared.
  const rowBytes = n * elt + 4 + 16;
  const rb = Math.min(Math.ceil(BLOCK_ELEMENTS / n), Math.ceil(rows / (4 * (nw + 1))), Math.floor(stageBytes() / (2 * nw * rowBytes)));
  if (nw < 1 || rows * n < JS_ROWS_THREAD_MIN || rb < 1 || (p.grad !== null && (p.grad instanceof Float32Array) !== f32)) {
    rowsInPlace(p, 0, rows);
    return;
  }
  getHeap();
  resetArena();
  const pZ: number[][] = [];
  const pT: number[][] = [];
  const pLoss: number[][] = [];
  const pLse: number[][] = [];
  for (let w = 0; w < nw; w++) {
    pZ.push([alloc(rb * n * elt), alloc(rb * n * elt)]);
    pT.push([alloc(rb * 4), alloc(rb * 4)]);
    pLoss.push([alloc(rb * 8), alloc(rb * 8)]);
    pLse.push([alloc(rb * 8), alloc(rb * 8)]);
  }
  const view = f32 ? heapF32() : heapF64();
  const shift = f32 ? 2 : 3;
  const I = heapI32();
  const F = heapF64();
  const chunkRows = Math.max(1, Math.floor(CHUNK_ELEMENTS / n));

  // The split policy's two-ended queue (src/backend/split.ts) over the rows: workers take blocks of
  // rb rows from the front, the calling thread chunks from the back. A block is handed only while
  // the worker's queue with it stays shorter than what is left, so no worker is left with a long
  // block at the end (and a block is always rb rows whole).
  const split = new TwoEndedSplit(rows, nw);
  const take = (w: number, buf: number): Job | null => {
    const r0 = split.takeFront(w, rb);
    if (r0 < 0) return null;
    const rc = rb;
    const job = { r0, rc, buf };
    copyBlock(p.z, p.zOff + job.r0 * p.ldz, p.ldz, rc, n, view, pZ[w][buf] >> shift, n);
    I.set(targets.subarray(p.tOff + job.r0, p.tOff + job.r0 + rc), pT[w][buf] >> 2);
    return job;
  };
  const post = (w: number, job: Job): Posted =>
    postTasks(
      [
        {
          op: 'jsCeRows',
          f32: f32 ? 1 : 0,
          pZ: pZ[w][job.buf],
          rows: job.rc,
          n,
          pT: pT[w][job.buf],
          pLse: p.lse ? pLse[w][job.buf] : 0,
          pLoss: p.loss ? pLoss[w][job.buf] : 0,
          scale: p.scale,
          grad: p.grad ? 1 : 0,
        },
      ],
      w,
    );
  const finish = (w: number, job: Job): void => {
    if (p.grad) copyBlock(view, pZ[w][job.buf] >> shift, n, job.rc, n, p.grad, p.gOff + job.r0 * p.ldg, p.ldg);
    if (p.loss) p.loss.set(F.subarray(pLoss[w][job.buf] >> 3, (pLoss[w][job.buf] >> 3) + job.rc), job.r0);
    if (p.lse) p.lse.set(F.subarray(pLse[w][job.buf] >> 3, (pLse[w][job.buf] >> 3) + job.rc), job.r0);
  };

  const cur: (Job | null)[] = new Array<Job | null>(nw).fill(null);
  const next: (Job | null)[] = new Array<Job | null>(nw).fill(null);
  const posted: (Posted | null)[] = new Array<Posted | null>(nw).fill(null);
  try {
    for (let w = 0; w < nw; w++) {
      cur[w] = take(w, 0);
      if (cur[w] === null) break;
      posted[w] = post(w, cur[w] as Job);
      next[w] = take(w, 1);
    }
    for (;;) {
      const cm = split.takeBack(chunkRows);
      if (cm > 0) rowsInPlace(p, split.bottom, split.bottom + cm);
      let busy = false;
      for (let w = 0; w < nw; w++) {
        const job = cur[w];
        const pw = posted[w];
        if (job === null || pw === null) continue;
        // While the calling thread still has rows, only look; once it has none, wait.
        if (cm > 0 && !tasksDone(pw)) {
          busy = true;
          continue;
        }
        posted[w] = null;
        waitTasks(pw);
        split.finished(w, job.rc);
        const nj = next[w];
        cur[w] = nj;
        next[w] = null;
        if (nj) {
          posted[w] = post(w, nj);
          busy = true;
        }
        finish(w, job);
        if (nj) next[w] = take(w, 1 - nj.buf);
      }
      if (cm === 0 && !busy) break;
    }
  } catch (e) {
    // Never return (or throw) while a worker still uses the staged buffers.
    for (const pw of posted) {
      if (pw === null) continue;
      try {
        waitTasks(pw);
      } catch {
        // The first error is the one reported.
      }
    }
    throw e;
  }
}
