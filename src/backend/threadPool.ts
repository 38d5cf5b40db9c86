/**
 * A lazily started pool of worker threads that run kernel calls over the shared WebAssembly heap.
 *
 * Each worker instantiates the same compiled module over the same shared memory and then sleeps in
 * `Atomics.wait` on its control slot. To run a batch, the main thread writes each task's operation
 * and arguments into a worker's slot, bumps the slot's sequence number and `Atomics.notify`s it,
 * runs the first task itself, and then `Atomics.wait`s for each worker's "done" number. This costs a
 * few microseconds per call, against 0.1–0.3 ms for a postMessage round trip (measured on Node 20), which
 * is what lets threads pay off on problems of a few milliseconds.
 *
 * Workers are started from an inline source string (`eval: true`), so no file has to be located at
 * run time, and `unref()`ed, so an idle pool never keeps the process alive. `setThreads(1)` stops
 * them (`setThreads(n)` restarts the pool at the new size on next use).
 *
 * @internal
 */
import { Worker } from 'node:worker_threads';
import { NumericalError } from '../errors/errors.js';
import { getHeap, heapI32, heapF64, SLOT_BYTES, MAX_SLOTS, type Heap } from './heap.js';
import { jsGemmOnHeap, jsKernelSource, jsWorkerOpsSource } from './jsKernel.js';

/** The operations a task can name: kernel exports, run identically on every thread. */
export const OPS = ['sgemm', 'dgemm', 'sceRows', 'dceRows', 'slseNT', 'dlseNT', 'jsgemm', 'jsgemmq', 'jsce', 'jslse'] as const;
export type OpName = (typeof OPS)[number];

/** One unit of work: a kernel export and its (numeric) arguments. */
export interface Task {
  op: OpName;
  args: number[];
}

// Slot layout (Int32 indices relative to the slot): 0 request sequence, 1 done sequence,
// 2 operation index (−1 = quit), 3 argument count, 4 error flag, 5 "started" flag; arguments as
// Float64 from byte 32.
const SEQ = 0;
const DONE = 1;
const OP = 2;
const NARGS = 3;
const ERR = 4;
const STARTED = 5;
// 6: the worker's state: IDLE (waiting, may exit), CLAIMED (a task is being posted or run), EXITED.
const STATE = 6;
const IDLE = 0;
const CLAIMED = 1;
const EXITED = 2;
// An idle worker exits after this long, so that pools left behind (e.g. by test files, each of
// which loads its own copy of the library) do not accumulate threads; the next call restarts it.
let idleExitMs = 10000;

/** Change how long an idle worker lives (tests use a short time to exercise the restart). */
export function setWorkerIdleExitMs(ms: number): void {
  idleExitMs = ms;
}
// A worker that has not started after this long is taken as failed.
const START_TIMEOUT_MS = 30000;
// Test-only operation codes (see `postTestTask`); −1 is the quit order.
const OP_TEST_EXIT = -2;
const OP_TEST_HANG = -3;
// A started worker can still die mid-task without signalling (V8 ends it for exceeding its
// `resourceLimits`, something terminates it), and its 'exit' event cannot be delivered while the
// main thread is blocked in `waitTasks`. Two guards, both checked only on the 250 ms wake-ups:
//  - a liveness probe (`workerStopped`) that sees a dead worker within one wake-up;
//  - a deadline per task from its work at a very pessimistic rate, plus a fixed grace, after which
//    the worker is taken as lost whatever the probe says (the probe uses Node internals).
const FLOOR_FLOPS_PER_MS = 0.05e9 / 1000; // 0.05 GFLOP/s
const DEADLINE_GRACE_MS = 60000;
let deadlineOverrideMs: number | null = null;
let probeEnabled = true;

/**
 * Test hooks: replace every task's deadline by `ms` (null restores the work-based one) and turn the
 * liveness probe off, so that the deadline path can be exercised on its own.
 *
 * @internal
 */
export function setWorkerDeadlineForTests(ms: number | null, probe = true): void {
  deadlineOverrideMs = ms;
  probeEnabled = probe;
}

/** A pessimistic count of floating-point operations for a task (see the kernels' signatures). */
function taskFlops(t: Task): number {
  const a = t.args;
  switch (t.op) {
    case 'sgemm':
    case 'dgemm':
    case 'jsgemm':
      return 2 * a[2] * a[3] * a[4]; // (tA, tB, M, N, K, ...)
    case 'sceRows':
    case 'dceRows':
      return 100 * a[2] * a[3]; // (pZ, ldz, rows, n, ...): exp/log per element
    case 'slseNT':
    case 'dlseNT':
      return 2 * a[1] * a[2] * a[5] + 100 * a[1] * a[5]; // (pAp, M, K, pV, ldv, N, ...)
    case 'jsgemmq':
      return a[2]; // (pCtrl, ring, flops): the whole product's, the worker's share being smaller
    case 'jsce':
      return 100 * a[2] * a[3]; // (f32, pZ, rows, n, ...)
    case 'jslse':
      return 2 * (a[7] - a[6]) * a[3] * a[5] + 100 * (a[7] - a[6]) * a[5]; // (f32, pH, m, d, pB, nw, r0, r1, ...): (r1 − r0)·nw logits of depth d
  }
}

/**
 * How long (ms) a worker may take for `t` before it is taken as lost: the fixed grace plus the
 * task's work (`taskFlops`, from its arguments) at the pessimistic floor rate. Exported for tests.
 *
 * @example
 * ```ts
 * taskDeadlineMs({ op: 'dgemm', args: [0, 0, 100, 100, 100] }); // 60000 + 2e6 / 5e4 = 60040
 * ```
 * @internal
 */
export function taskDeadlineMs(t: Task | undefined): number {
  if (deadlineOverrideMs !== null) return deadlineOverrideMs;
  const flops = t ? taskFlops(t) : 0;
  return DEADLINE_GRACE_MS + (Number.isFinite(flops) && flops > 0 ? flops / FLOOR_FLOPS_PER_MS : 0);
}

// Node's native worker handle answers `loopIdleTime()` synchronously, under the worker's mutex,
// with −1 once the worker thread has stopped (or before its environment exists) and ≥ 0 while it
// runs — whatever the event loop of this thread is doing. It is reached through a private symbol,
// so it is used only when present and behaving as described; the deadline covers everything else.
let handleSymbol: symbol | null | undefined;
function workerStopped(worker: Worker): boolean {
  if (!probeEnabled) return false;
  try {
    if (handleSymbol === undefined) {
      handleSymbol = Object.getOwnPropertySymbols(worker).find((s) => s.description === 'kHandle') ?? null;
    }
    if (handleSymbol === null) return false;
    const handle = (worker as unknown as Record<symbol, { loopIdleTime?: () => number } | null | undefined>)[handleSymbol];
    // The JS side drops the handle once the exit has been processed.
    if (handle == null) return true;
    return typeof handle.loopIdleTime === 'function' && handle.loopIdleTime() === -1;
  } catch {
    return false;
  }
}
const ARGS_BYTE = 32;
// The last Float64 of the slot is not an argument: the worker leaves there how long (ms) its last
// task ran, which the GEMM's rebalance reads (see `taskBusyMs`).
const MAX_ARGS = (SLOT_BYTES - ARGS_BYTE) / 8 - 1;
const BUSY = MAX_ARGS;

const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, slot, ops, jsSource, idleMs } = workerData;
const I = new Int32Array(memory.buffer, slot, 8);
const A = new Float64Array(memory.buffer, slot + ${ARGS_BYTE}, ${MAX_ARGS + 1});
let fns;
try {
  const exportsObj = new WebAssembly.Instance(module, { env: { memory } }).exports;
  // The 'js…' operations run the TypeScript kernels, compiled here from their source (jsKernel.ts).
  const jsOps = jsSource ? (0, eval)(jsSource) : null;
  fns = ops.map((name) => (jsOps && name in jsOps ? (...a) => jsOps[name](memory, ...a) : exportsObj[name]));
} catch (e) {
  // Tell the main thread at once instead of letting it wait for the start timeout.
  Atomics.store(I, ${STARTED}, -1);
  Atomics.notify(I, ${DONE});
  throw e;
}
let seq = 0;
Atomics.store(I, ${STARTED}, 1);
for (;;) {
  if (Atomics.wait(I, ${SEQ}, seq, idleMs) === 'timed-out') {
    // Exit only if the main thread has not just claimed this worker for a task.
    if (Atomics.compareExchange(I, ${STATE}, ${IDLE}, ${EXITED}) === ${IDLE}) break;
    continue;
  }
  seq = Atomics.load(I, ${SEQ});
  const op = I[${OP}];
  if (op === ${OP_TEST_EXIT}) process.exit(1); // test hook: die mid-task without signalling
  if (op === ${OP_TEST_HANG}) for (;;) Atomics.wait(I, ${ERR}, 0, 1000); // test hook: never finish
  if (op < 0) break;
  try {
    const n = I[${NARGS}];
    const args = new Array(n);
    for (let i = 0; i < n; i++) args[i] = A[i];
    const t0 = performance.now();
    fns[op](...args);
    A[${BUSY}] = performance.now() - t0;
    I[${ERR}] = 0;
  } catch (e) {
    I[${ERR}] = 1;
  }
  Atomics.store(I, ${STATE}, ${IDLE});
  Atomics.store(I, ${DONE}, seq);
  Atomics.notify(I, ${DONE});
}
`;

interface PoolWorker {
  worker: Worker;
  slot: number; // byte address of its control slot
  seq: number;
  alive: boolean;
}

let workers: PoolWorker[] = [];
// Slots are handed out round-robin and never reused right away, so that a stopped worker that has
// not yet read its quit order can never see a new task written into its old slot.
let nextSlot = 0;

function startWorker(h: Heap): PoolWorker {
  const slot = h.ctrl + (nextSlot++ % MAX_SLOTS) * SLOT_BYTES;
  const I = heapI32();
  const base = slot >> 2;
  for (let i = 0; i < SLOT_BYTES / 4; i++) Atomics.store(I, base + i, 0);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: h.module, memory: h.memory, slot, ops: OPS, jsSource: jsWorkerSource(), idleMs: idleExitMs },
    // The worker runs only the inline script above: none of the parent's flags (an ESM
    // `--input-type`, a loader such as tsx) applies to it, and some would break it.
    execArgv: [],
    // Kernels use no JS heap to speak of; keep the worker's V8 heap small.
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  });
  worker.unref();
  const pw: PoolWorker = { worker, slot, seq: 0, alive: true };
  worker.on('exit', () => {
    pw.alive = false;
  });
  // An error event would otherwise be an uncaught exception on the main thread.
  worker.on('error', () => {
    pw.alive = false;
  });
  return pw;
}

/** Make sure `n` workers exist (starting missing ones); returns the live list. */
function ensureWorkers(h: Heap, n: number): PoolWorker[] {
  workers = workers.filter((w) => w.alive);
  while (workers.length < n) workers.push(startWorker(h));
  return workers;
}

/** Number of worker threads currently started. */
export function workerCount(): number {
  return workers.filter((w) => w.alive).length;
}

/** Stop all workers (they exit after finishing their current task, if any). */
export function stopWorkers(): void {
  if (workers.length === 0) return;
  const I = heapI32();
  for (const w of workers) {
    const base = w.slot >> 2;
    I[base + OP] = -1;
    Atomics.add(I, base + SEQ, 1);
    Atomics.notify(I, base + SEQ);
  }
  workers = [];
}

function runOnMain(h: Heap, t: Task): void {
  if (t.op === 'jsgemm') {
    const [tA, tB, M, N, K, alpha, f32, pA, lda, pB, ldb, beta, pC, ldc] = t.args;
    jsGemmOnHeap(h.memory.buffer, tA, tB, M, N, K, alpha, f32, pA, lda, pB, ldb, beta, pC, ldc);
    return;
  }
  // The queued GEMM and the JS row passes do their calling thread's share themselves (jsGemm.ts,
  // jsRows.ts, jsLogPartition.ts), on the user's buffers or through the kernel modules, and only
  // post these to workers.
  if (t.op === 'jsgemmq' || t.op === 'jsce' || t.op === 'jslse') throw new Error(`lmtransfer backend: '${t.op}' runs in worker threads only`);
  const f: (...a: number[]) => void = h.exports[t.op];
  f(...t.args);
}

let jsWorkerSourceCache: string | null | undefined;

/** The worker-side source of the 'js…' operations, or null when the TypeScript kernels cannot run in workers. */
export function jsWorkerSource(): string | null {
  if (jsWorkerSourceCache === undefined) {
    const k = jsKernelSource();
    jsWorkerSourceCache = k ? jsWorkerOpsSource(k) : null;
  }
  return jsWorkerSourceCache;
}

/** Tasks posted to workers and not yet waited for (see `postTasks` / `waitTasks`). */
export interface Posted {
  /** The worker of each task, in task order. */
  pool: PoolWorker[];
  tasks: Task[];
}

/**
 * Post `tasks` to worker threads (started on first use), one per worker, without waiting; the
 * caller does its own share and then calls `waitTasks`. Posting nothing is allowed. Task `t` goes
 * to worker `firstWorker + t`, so that a caller can keep several workers busy with separately
 * posted tasks (the threaded TypeScript row pass hands each worker its next block on its own).
 */
export function postTasks(tasks: Task[], opCode?: number, firstWorker = 0): Posted {
  if (tasks.length === 0) return { pool: [], tasks };
  // Checked before any worker is claimed, so that a bad batch leaves the pool as it was.
  for (const t of tasks) {
    if (t.args.length > MAX_ARGS) throw new Error(`lmtransfer backend: task '${t.op}' has ${t.args.length} arguments; at most ${MAX_ARGS} fit`);
  }
  const h = getHeap();
  const pool = ensureWorkers(h, firstWorker + tasks.length);
  const I = heapI32();
  const F = heapF64();
  const used: PoolWorker[] = [];
  for (let t = 0; t < tasks.length; t++) {
    let w = pool[firstWorker + t];
    if (Atomics.compareExchange(I, (w.slot >> 2) + STATE, IDLE, CLAIMED) !== IDLE) {
      // It exited after idling (its 'exit' event may not have been delivered yet): replace it.
      w.alive = false;
      w = startWorker(h);
      pool[firstWorker + t] = w;
      Atomics.store(I, (w.slot >> 2) + STATE, CLAIMED);
    }
    const task = tasks[t];
    const base = w.slot >> 2;
    const fbase = (w.slot + ARGS_BYTE) >> 3;
    for (let i = 0; i < task.args.length; i++) F[fbase + i] = task.args[i];
    I[base + NARGS] = task.args.length;
    I[base + OP] = opCode ?? OPS.indexOf(task.op);
    w.seq = Atomics.add(I, base + SEQ, 1) + 1;
    Atomics.notify(I, base + SEQ);
    used.push(w);
  }
  return { pool: used, tasks };
}

/**
 * Test hook: post one task that makes a worker die mid-task without signalling ('exit':
 * `process.exit` in the worker) or never finish ('hang'), as a worker killed for its resource
 * limits would; `waitTasks` on the result must throw instead of waiting forever.
 *
 * @internal
 */
export function postTestTask(kind: 'exit' | 'hang'): Posted {
  return postTasks([{ op: 'dgemm', args: [] }], kind === 'exit' ? OP_TEST_EXIT : OP_TEST_HANG);
}

/** Terminate every worker at once (a lost worker may leave the others in any state). */
function tearDownPool(): void {
  const all = workers;
  workers = [];
  for (const w of all) {
    w.alive = false;
    void w.worker.terminate().catch(() => undefined);
  }
  // Termination is asynchronous: give the threads a moment to stop touching the heap before the
  // caller may reuse staged buffers (bounded; with no probe it is a plain short pause).
  const I = new Int32Array(new SharedArrayBuffer(4));
  const t0 = Date.now();
  while (all.some((w) => !workerStopped(w.worker)) && Date.now() - t0 < 500) Atomics.wait(I, 0, 0, 5);
}

/**
 * Wait until every task of `posted` has finished; throws if a worker failed. A worker that fails to
 * start, dies mid-task or overruns its deadline makes this tear the whole pool down (the next call
 * starts fresh workers) and throw a NumericalError — after the other workers have finished, so that
 * none still uses the staged buffers.
 */
export function waitTasks(posted: Posted): void {
  const I = heapI32();
  let lost: string | null = null;
  let failed: string | null = null;
  let lostIndex = -1;
  let t0 = 0;
  for (let t = 0; t < posted.tasks.length; t++) {
    const w = posted.pool[t];
    const base = w.slot >> 2;
    let deadline = 0;
    for (;;) {
      const done = Atomics.load(I, base + DONE);
      if (done === w.seq) break;
      // Wake up now and then: a worker that never starts or dies mid-task never signals, and its
      // 'exit' event cannot be delivered while this thread is blocked.
      const woke = Atomics.wait(I, base + DONE, done, 250);
      const started = Atomics.load(I, base + STARTED);
      if (started < 0) {
        lost = `worker thread ${t + 1} failed to start`;
        break;
      }
      if (woke !== 'timed-out') continue;
      // Only here, after 250 ms without news, is time read or the worker probed.
      const now = Date.now();
      if (t0 === 0) t0 = now;
      if (deadline === 0) deadline = Math.max(t0, now - 250) + taskDeadlineMs(posted.tasks[t]);
      if (started === 0 && now - t0 > START_TIMEOUT_MS) {
        lost = `worker thread ${t + 1} failed to start`;
        break;
      }
      if (started > 0 && workerStopped(w.worker)) {
        lost = `worker thread ${t + 1} died during kernel '${posted.tasks[t].op}' (terminated, e.g. for exceeding its resource limits)`;
        break;
      }
      if (now > deadline) {
        lost = `worker thread ${t + 1} did not finish kernel '${posted.tasks[t].op}' within ${Math.round((now - t0) / 1000)} s (it hung or died)`;
        break;
      }
    }
    if (lost !== null) {
      lostIndex = t;
      break;
    }
    if (I[base + ERR] !== 0 && failed === null) failed = `kernel '${posted.tasks[t].op}' failed in worker thread ${t + 1}`;
  }
  if (lost !== null) {
    // Let the other workers finish (each bounded by its own deadline) before tearing down.
    for (let t = lostIndex + 1; t < posted.tasks.length; t++) {
      const w = posted.pool[t];
      const base = w.slot >> 2;
      const end = Date.now() + Math.min(taskDeadlineMs(posted.tasks[t]), 5000);
      while (Atomics.load(I, base + DONE) !== w.seq && !workerStopped(w.worker) && Date.now() < end) {
        Atomics.wait(I, base + DONE, Atomics.load(I, base + DONE), 50);
      }
    }
    tearDownPool();
    throw new NumericalError(`lmtransfer backend: ${lost}; the worker pool was stopped and restarts on the next call — call setThreads(1) to run without threads`);
  }
  if (failed !== null) throw new NumericalError(`lmtransfer backend: ${failed}`);
}

/**
 * True when every task of `posted` has finished (successfully or not), without waiting: the
 * threaded TypeScript row pass polls its worker between rows of its own share and hands it the next
 * block at once. Call `waitTasks` afterwards for the error check (it then returns at once); a
 * worker that dies never reports done, so a caller that runs out of its own work must block in
 * `waitTasks`, which detects that.
 */
export function tasksDone(posted: Posted): boolean {
  const I = heapI32();
  for (let t = 0; t < posted.tasks.length; t++) {
    const w = posted.pool[t];
    if (Atomics.load(I, (w.slot >> 2) + DONE) !== w.seq) return false;
  }
  return true;
}

/**
 * How long (ms) each task of `posted` ran in its worker, from the worker's own clock: the time
 * between picking up the arguments and finishing, without the wake-up latency. Read it after
 * `waitTasks`. The calling thread cannot see this otherwise when a worker finished before it
 * started waiting, and the GEMM's rebalance needs it to know how fast the worker was.
 *
 * @example
 * ```ts
 * const posted = postTasks(tasks.slice(1));
 * runHere(tasks[0]);
 * waitTasks(posted);
 * const [workerMs] = taskBusyMs(posted);
 * ```
 */
export function taskBusyMs(posted: Posted): number[] {
  const F = heapF64();
  return posted.pool.map((w) => F[((w.slot + ARGS_BYTE) >> 3) + BUSY]);
}

/** Run one task on the calling thread. */
export function runHere(task: Task): void {
  runOnMain(getHeap(), task);
}

/**
 * Run the tasks, the first on the calling thread and the others on workers (started on first use),
 * and return when all are done. With one task nothing is dispatched.
 *
 * @example
 * ```ts
 * // Two strips of one product, one per thread (pointers into the heap, see wasmGemm.ts).
 * runTasks([{ op: 'dgemm', args: stripA }, { op: 'dgemm', args: stripB }]);
 * ```
 */
export function runTasks(tasks: Task[]): void {
  if (tasks.length === 0) return;
  const posted = postTasks(tasks.slice(1));
  try {
    runHere(tasks[0]);
  } finally {
    // Never return (or throw) while workers still use the staged buffers.
    waitTasks(posted);
  }
}
