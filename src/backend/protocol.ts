/**
 * The wire protocol between the calling thread and the worker threads: the layout of a worker's
 * control slot in the shared heap, and the typed task descriptors with their one encoding.
 *
 * A task is an object naming its operation and its arguments by name (`{ op: 'wasmGemm', M, N,
 * … }`). `encodeTask` writes it into a slot as the operation's index followed by its fields as
 * float64 in the order of `TASK_FIELDS[op]`; `decodeTask` reads it back. Both sides use these two
 * functions only, so no code reads arguments by position.
 *
 * @internal
 */

/** Bytes of one worker's control slot (sequence numbers, state, the encoded task). */
export const SLOT_BYTES = 256;
/** Control slots reserved (one per worker thread; the calling thread needs none). */
export const MAX_SLOTS = 64;

// Slot layout, Int32 indices relative to the slot.
/** Request sequence number: the calling thread bumps it to post a task. */
export const SEQ = 0;
/** Done sequence number: the worker sets it to the request's once the task has run. */
export const DONE = 1;
/** Operation index into `TASK_OPS`, or one of the control codes below. */
export const OP = 2;
/** Number of encoded fields. */
export const NARGS = 3;
/** 1 when the last task threw in the worker. */
export const ERR = 4;
/** 0 while starting, 1 once started, −1 when the worker failed to start. */
export const STARTED = 5;
/** The worker's state: `IDLE`, `CLAIMED` or `EXITED`. */
export const STATE = 6;
/** Waiting for a task; it may exit after idling. */
export const IDLE = 0;
/** A task is being posted or run. */
export const CLAIMED = 1;
/** It exited after idling; the next task needs a new worker. */
export const EXITED = 2;

/** Control code: stop the worker. */
export const OP_QUIT = -1;
/** Test-only control code: the worker dies mid-task without signalling. */
export const OP_TEST_EXIT = -2;
/** Test-only control code: the worker never finishes. */
export const OP_TEST_HANG = -3;

/** Byte offset of the encoded fields within the slot. */
export const ARGS_BYTE = 32;
/** Fields that fit in a slot (the last float64 is `BUSY`, not a field). */
export const MAX_ARGS = (SLOT_BYTES - ARGS_BYTE) / 8 - 1;
/** Float64 index (from `ARGS_BYTE`) where the worker leaves how long (ms) its last task ran. */
export const BUSY = MAX_ARGS;

/**
 * The fields of each operation, in encoding order. Pointers (`p…`) are byte addresses in the shared
 * heap; flags (`f32`, `tA`, `tB`, `grad`) are 0 or 1.
 *
 * - `wasmGemm`: `sgemm`/`dgemm` of the WebAssembly module (`f32` selects), `work` its workspace.
 * - `wasmCeRows`: `sceRows`/`dceRows`, the fused cross-entropy rows (`pT = 0`: no targets).
 * - `wasmLse`: `slseNT`/`dlseNT`, the fused log-partition of a packed strip of contexts.
 * - `jsGemm`: the TypeScript `gemmKernel` over staged blocks.
 * - `jsGemmQueue`: a queue of `jsGemm` blocks fed while the worker runs (src/backend/jsGemm.ts);
 *   `flops` sizes the task's deadline only.
 * - `jsCeRows`: the TypeScript `rowCrossEntropyIndex` on `rows` staged contiguous rows.
 * - `jsLse`: `logPartitionRowBlocks` for contexts `[r0, r1)` of the staged H (`pBad` receives the
 *   first bad context or −1).
 * - `wasmLseStore`: `slseStoreNT`/`dlseStoreNT`, `wasmLse` that also stores the logits at `pZ`
 *   (row stride `ldz` elements) for the ranking pass (src/backend/wasmWordProbabilitySums.ts).
 * - `wasmProbSums`: `sprobSums`/`dprobSums`, `sums[j] += μ_r·exp(z[r, j] − lse_r)` over `rows`
 *   stored logit rows and the `N` columns of one thread's words (`pW = 0`: unit weights).
 */
export const TASK_FIELDS = {
  wasmGemm: ['f32', 'tA', 'tB', 'M', 'N', 'K', 'alpha', 'pA', 'lda', 'pB', 'ldb', 'beta', 'pC', 'ldc', 'work'],
  wasmCeRows: ['f32', 'pZ', 'ldz', 'rows', 'n', 'pT', 'pLse', 'pLoss', 'pG', 'ldg', 'scale'],
  wasmLse: ['f32', 'pAp', 'M', 'K', 'pV', 'ldv', 'N', 'pMax', 'pSum', 'work'],
  jsGemm: ['f32', 'tA', 'tB', 'M', 'N', 'K', 'alpha', 'pA', 'lda', 'pB', 'ldb', 'beta', 'pC', 'ldc'],
  jsGemmQueue: ['pCtrl', 'ring', 'flops'],
  jsCeRows: ['f32', 'pZ', 'rows', 'n', 'pT', 'pLse', 'pLoss', 'scale', 'grad'],
  jsLse: ['f32', 'pH', 'm', 'd', 'pB', 'nw', 'r0', 'r1', 'mb', 'pMax', 'pSum', 'pBad'],
  wasmLseStore: ['f32', 'pAp', 'M', 'K', 'pV', 'ldv', 'N', 'pMax', 'pSum', 'work', 'pZ', 'ldz'],
  wasmProbSums: ['f32', 'pZ', 'ldz', 'rows', 'N', 'pLse', 'pW', 'pSums'],
} as const;

/** The operations a task can name. */
export type TaskOp = keyof typeof TASK_FIELDS;

/** The operations in index order (the index is what a slot carries). */
export const TASK_OPS = Object.keys(TASK_FIELDS) as TaskOp[];

/** The task descriptor of one operation: its name and its named numeric fields. */
export type TaskOf<O extends TaskOp> = { op: O } & { [F in (typeof TASK_FIELDS)[O][number]]: number };

/** One unit of work for a thread. */
export type Task = { [O in TaskOp]: TaskOf<O> }[TaskOp];

/** The widest task, in fields (checked against `MAX_ARGS` by a test). */
export const MAX_TASK_FIELDS = Math.max(...TASK_OPS.map((o) => TASK_FIELDS[o].length));

/**
 * Write `task` into the slot at byte address `slot`: its fields as float64 at `ARGS_BYTE`, its
 * operation index and field count in the header (not the sequence number: the caller publishes).
 *
 * @example
 * ```ts
 * const i32 = new Int32Array(2 * SLOT_BYTES / 4);
 * const f64 = new Float64Array(i32.buffer);
 * encodeTask({ op: 'jsGemmQueue', pCtrl: 4096, ring: 3, flops: 1e9 }, i32, f64, SLOT_BYTES);
 * decodeTask(i32, f64, SLOT_BYTES); // → { op: 'jsGemmQueue', pCtrl: 4096, ring: 3, flops: 1e9 }
 * ```
 */
export function encodeTask(task: Task, i32: Int32Array, f64: Float64Array, slot: number): void {
  const fields = TASK_FIELDS[task.op] as readonly string[];
  const base = (slot + ARGS_BYTE) >> 3;
  const values = task as unknown as Record<string, number>;
  for (let i = 0; i < fields.length; i++) f64[base + i] = values[fields[i]];
  i32[(slot >> 2) + NARGS] = fields.length;
  i32[(slot >> 2) + OP] = TASK_OPS.indexOf(task.op);
}

/**
 * Read the task in the slot at byte address `slot` (see `encodeTask`); null for a control code.
 *
 * @example
 * ```ts
 * const i32 = new Int32Array(SLOT_BYTES / 4);
 * const f64 = new Float64Array(i32.buffer);
 * encodeTask({ op: 'jsGemmQueue', pCtrl: 4096, ring: 3, flops: 1e9 }, i32, f64, 0);
 * const t = decodeTask(i32, f64, 0); // → { op: 'jsGemmQueue', pCtrl: 4096, ring: 3, flops: 1e9 }
 * i32[OP] = OP_QUIT;
 * decodeTask(i32, f64, 0); // → null
 * ```
 */
export function decodeTask(i32: Int32Array, f64: Float64Array, slot: number): Task | null {
  const code = i32[(slot >> 2) + OP];
  if (code < 0 || code >= TASK_OPS.length) return null;
  const op = TASK_OPS[code];
  const fields = TASK_FIELDS[op] as readonly string[];
  const base = (slot + ARGS_BYTE) >> 3;
  const task: Record<string, number | string> = { op };
  for (let i = 0; i < fields.length; i++) task[fields[i]] = f64[base + i];
  return task as unknown as Task;
}

/** Float64 slots of a queued `jsGemm` block's descriptor (src/backend/jsGemm.ts). */
export const QUEUE_DESCRIPTOR = 16;
const QUEUE_FIELDS = TASK_FIELDS.jsGemm;

/**
 * Write a queued `jsGemm` block's descriptor at float64 index `at` (the one encoding of the queue
 * that a `jsGemmQueue` task consumes).
 *
 * @example
 * ```ts
 * const f64 = new Float64Array(3 * QUEUE_DESCRIPTOR); // a ring of 3 descriptors
 * const block = { op: 'jsGemm', f32: 0, tA: 0, tB: 1, M: 4, N: 4, K: 4, alpha: 1, pA: 0, lda: 4, pB: 128, ldb: 4, beta: 0, pC: 256, ldc: 4 } as const;
 * writeQueuedGemm(f64, 2 * QUEUE_DESCRIPTOR, block); // the third descriptor of the ring
 * readQueuedGemm(f64, 2 * QUEUE_DESCRIPTOR); // → block
 * ```
 */
export function writeQueuedGemm(f64: Float64Array, at: number, t: TaskOf<'jsGemm'>): void {
  for (let i = 0; i < QUEUE_FIELDS.length; i++) f64[at + i] = t[QUEUE_FIELDS[i]];
}

/**
 * Read the queued `jsGemm` block at float64 index `at` (see `writeQueuedGemm`).
 *
 * @example
 * ```ts
 * const f64 = new Float64Array(QUEUE_DESCRIPTOR);
 * writeQueuedGemm(f64, 0, { op: 'jsGemm', f32: 1, tA: 0, tB: 0, M: 2, N: 3, K: 4, alpha: 1, pA: 0, lda: 4, pB: 32, ldb: 3, beta: 1, pC: 80, ldc: 3 });
 * const block = readQueuedGemm(f64, 0);
 * [block.op, block.M, block.N, block.K, block.beta]; // → ['jsGemm', 2, 3, 4, 1]
 * ```
 */
export function readQueuedGemm(f64: Float64Array, at: number): TaskOf<'jsGemm'> {
  const t: Record<string, number | string> = { op: 'jsGemm' };
  for (let i = 0; i < QUEUE_FIELDS.length; i++) t[QUEUE_FIELDS[i]] = f64[at + i];
  return t as unknown as TaskOf<'jsGemm'>;
}

export type { WorkerInit } from '../platform/types.js';
