/**
 * The fused softmax / cross-entropy row pass on the WebAssembly SIMD kernels: per row the maximum,
 * the exponentials (vector exp), their float64 sum, the log-sum-exp, the loss `lse − z[t]` and the
 * gradient `scale·(softmax(z) − onehot(t))`, in one visit of the row. Rows are staged through the
 * shared heap in blocks of at most `STAGE_BYTES` and split across the thread pool.
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';
import { alloc, getHeap, heapF32, heapF64, heapI32, resetArena, stageBytes } from './heap.js';
import { copyBlock } from './stage.js';
import { runTasks, type Task } from './threadPool.js';

/** Row passes over fewer elements than this run on one thread. */
export const ROWS_THREAD_MIN = 1 << 16;

/** Arguments of `wasmSoftmaxCrossEntropy`. */
export interface RowPassArgs {
  /** Logits, `rows` rows of length `n` with row stride `ldz`, from offset `zOff`. */
  z: FloatArray;
  zOff: number;
  ldz: number;
  rows: number;
  n: number;
  /** Index targets (one per row, in [0, n)) from `tOff`, or null for a plain softmax/LSE pass. */
  targets: Int32Array | null;
  tOff: number;
  /** Per-row outputs (float64), each optional: log-sum-exp and loss `lse − z[t]`. */
  lse: Float64Array | null;
  loss: Float64Array | null;
  /** Gradient output (same precision as `z`; may be `z` itself with the same layout), or null. */
  grad: FloatArray | null;
  gOff: number;
  ldg: number;
  /** Gradient scale (e.g. 1/rows for a mean loss). */
  scale: number;
}

/** Run the fused row pass; see `RowPassArgs`. `z` and `grad` must have the same element type. */
export function wasmSoftmaxCrossEntropy(threads: number, p: RowPassArgs): void {
  getHeap();
  const f32 = p.z instanceof Float32Array;
  const elt = f32 ? 4 : 8;
  const shift = f32 ? 2 : 3;
  const op = f32 ? 'sceRows' : 'dceRows';
  const { rows, n } = p;
  const rb = Math.max(1, Math.min(rows, Math.floor(stageBytes() / (n * elt))));
  const nt = rows * n >= ROWS_THREAD_MIN ? Math.max(1, Math.min(threads, rb)) : 1;
  resetArena();
  const pZ = alloc(rb * n * elt);
  const pT = p.targets ? alloc(rb * 4) : 0;
  const pLse = alloc(rb * 8);
  const pLoss = p.targets ? alloc(rb * 8) : 0;
  const view = f32 ? heapF32() : heapF64();
  const I = heapI32();
  const F = heapF64();
  const per = Math.ceil(rb / nt);
  for (let r0 = 0; r0 < rows; r0 += rb) {
    const rc = Math.min(rb, rows - r0);
    copyBlock(p.z, p.zOff + r0 * p.ldz, p.ldz, rc, n, view, pZ >> shift, n);
    if (p.targets) I.set(p.targets.subarray(p.tOff + r0, p.tOff + r0 + rc), pT >> 2);
    const tasks: Task[] = [];
    for (let s = 0; s < rc; s += per) {
      const len = Math.min(per, rc - s);
      const zp = pZ + s * n * elt;
      tasks.push({
        op,
        args: [zp, n, len, n, pT ? pT + s * 4 : 0, pLse + s * 8, pLoss ? pLoss + s * 8 : 0, p.grad ? zp : 0, n, p.scale],
      });
    }
    runTasks(tasks);
    if (p.grad) copyBlock(view, pZ >> shift, n, rc, n, p.grad, p.gOff + r0 * p.ldg, p.ldg);
    if (p.lse) p.lse.set(F.subarray(pLse >> 3, (pLse >> 3) + rc), r0);
    if (p.loss && pLoss) p.loss.set(F.subarray(pLoss >> 3, (pLoss >> 3) + rc), r0);
  }
}
