/**
 * A lazily started pool of worker threads that run tasks over the shared heap.
 *
 * Each worker (src/backend/worker.ts, started from its bundled source through the platform seam,
 * src/platform/) sleeps in `Atomics.wait` on its control slot. To run a batch, the calling thread
 * encodes each task into a worker's slot (src/backend/protocol.ts), bumps the slot's sequence
 * number and `Atomics.notify`s it, runs its own share, and then `Atomics.wait`s for each worker's
 * "done" number. This costs a few microseconds per call, against 0.1–0.3 ms for a postMessage
 * round trip, which is what lets threads pay off on problems of a few milliseconds. How a lost
 * worker is detected is in src/backend/liveness.ts.
 *
 * Workers never keep a Node process alive, exit after idling, and are stopped by `setThreads(1)`.
 * Workers started for the TypeScript kernels get no WebAssembly module; when a WebAssembly task
 * comes, the pool is restarted with the module.
 *
 * @internal
 */
import { spawnWorker, threadSupport } from '#platform';
import type { WorkerHandle } from '../platform/types.js';
import { NumericalError } from '../core/errors.js';
import { compiledKernelModule, getHeap, heapF64, heapI32, wasmKernels, type Heap } from './heap.js';
import { START_TIMEOUT_MS, WAKE_MS, taskDeadlineMs, workerStopped } from './liveness.js';
import {
  ARGS_BYTE,
  BUSY,
  CLAIMED,
  DONE,
  ERR,
  IDLE,
  MAX_SLOTS,
  OP,
  OP_QUIT,
  OP_TEST_EXIT,
  OP_TEST_HANG,
  SEQ,
  SLOT_BYTES,
  STARTED,
  STATE,
  encodeTask,
  type Task,
} from './protocol.js';
import { runTask } from './taskRunner.js';
import { WORKER_SOURCE } from '../wasm/generated/worker.js';

// An idle worker exits after this long, so that pools left behind (e.g. by test files, each of
// which loads its own copy of the library) do not accumulate threads; the next call restarts it.
let idleExitMs = 10000;

/**
 * Change how long an idle worker lives (tests use a short time to exercise the restart).
 *
 * @example
 * ```ts
 * setWorkerIdleExitMs(200);
 * ```
 */
export function setWorkerIdleExitMs(ms: number): void {
  idleExitMs = ms;
}

interface PoolWorker {
  handle: WorkerHandle;
  slot: number; // byte address of its control slot
  seq: number;
  alive: boolean;
  /** Whether it instantiated the WebAssembly module (it can run `wasm…` tasks). */
  wasm: boolean;
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
  const module = compiledKernelModule();
  // Where a worker cannot be restarted while the calling thread waits (browsers), it never exits
  // after idling.
  const idleMs = threadSupport().blockingStart ? idleExitMs : Infinity;
  const pw: PoolWorker = { handle: { stopped: () => null, terminate: () => undefined }, slot, seq: 0, alive: true, wasm: module !== null };
  pw.handle = spawnWorker(WORKER_SOURCE, { module, memory: h.memory, slot, idleMs }, () => {
    pw.alive = false;
  });
  return pw;
}

/** Make sure `n` workers exist (starting missing ones; all with the module if `wasm`); returns the live list. */
function ensureWorkers(h: Heap, n: number, wasm: boolean): PoolWorker[] {
  if (wasm && workers.some((w) => w.alive && !w.wasm)) stopWorkers();
  workers = workers.filter((w) => w.alive);
  while (workers.length < n) workers.push(startWorker(h));
  return workers;
}

/**
 * Number of worker threads currently started.
 *
 * @example
 * ```ts
 * workerCount(); // 1 after a two-thread product
 * ```
 */
export function workerCount(): number {
  return workers.filter((w) => w.alive).length;
}

/**
 * How many threads (the calling one included, at most `threads`) a call may split its work over
 * now. Where a new worker starts while its creator blocks (Node) that is `threads`, workers being
 * started on first use; in a browser only workers that have already started count (the others are
 * started here and join later calls), because a Web Worker cannot start while its creator waits
 * for it. Either way results do not depend on the count.
 *
 * @example
 * ```ts
 * usableThreads(2, true); // 2 in Node; 1 in a browser Web Worker until its worker has started
 * ```
 */
export function usableThreads(threads: number, wasm: boolean): number {
  const ts = threadSupport();
  if (!ts.ok || threads <= 1) return 1;
  if (ts.blockingStart) return threads;
  // Workers that will run WebAssembly tasks must get the module when they start: a restart later
  // would leave the calling thread waiting for workers that cannot start while it waits.
  if (wasm) wasmKernels();
  const h = getHeap();
  const pool = ensureWorkers(h, threads - 1, wasm);
  const I = heapI32();
  let ready = 0;
  while (ready < pool.length && Atomics.load(I, (pool[ready].slot >> 2) + STARTED) === 1) ready++;
  return 1 + ready;
}

/**
 * Stop all workers (they exit after finishing their current task, if any).
 *
 * @example
 * ```ts
 * stopWorkers(); // workerCount() is 0 once they have exited
 * ```
 */
export function stopWorkers(): void {
  if (workers.length === 0) return;
  const I = heapI32();
  for (const w of workers) {
    const base = w.slot >> 2;
    I[base + OP] = OP_QUIT;
    Atomics.add(I, base + SEQ, 1);
    Atomics.notify(I, base + SEQ);
  }
  workers = [];
}

/** Tasks posted to workers and not yet waited for (see `postTasks` / `waitTasks`). */
export interface Posted {
  /** The worker of each task, in task order. */
  pool: PoolWorker[];
  tasks: Task[];
}

/** Claim `pool[i]` for a task, replacing it if it exited after idling; returns the claimed worker. */
function claim(h: Heap, pool: PoolWorker[], i: number, I: Int32Array): PoolWorker {
  let w = pool[i];
  if (Atomics.compareExchange(I, (w.slot >> 2) + STATE, IDLE, CLAIMED) !== IDLE) {
    // It exited after idling (its exit event may not have been delivered yet): replace it.
    w.alive = false;
    w = startWorker(h);
    pool[i] = w;
    Atomics.store(I, (w.slot >> 2) + STATE, CLAIMED);
  }
  return w;
}

/** Publish the slot's new request to its worker. */
function publish(w: PoolWorker, I: Int32Array): void {
  const base = w.slot >> 2;
  w.seq = Atomics.add(I, base + SEQ, 1) + 1;
  Atomics.notify(I, base + SEQ);
}

/**
 * Post `tasks` to worker threads (started on first use), one per worker, without waiting; the
 * caller does its own share and then calls `waitTasks`. Posting nothing is allowed. Task `t` goes
 * to worker `firstWorker + t`, so that a caller can keep several workers busy with separately
 * posted tasks (the threaded TypeScript row pass hands each worker its next block on its own).
 *
 * @example
 * ```ts
 * const posted = postTasks(tasks.slice(1));
 * runHere(tasks[0]);
 * waitTasks(posted);
 * ```
 */
export function postTasks(tasks: Task[], firstWorker = 0): Posted {
  if (tasks.length === 0) return { pool: [], tasks };
  const h = getHeap();
  const pool = ensureWorkers(h, firstWorker + tasks.length, tasks.some((t) => t.op.startsWith('wasm')));
  const I = heapI32();
  const F = heapF64();
  const used: PoolWorker[] = [];
  for (let t = 0; t < tasks.length; t++) {
    const w = claim(h, pool, firstWorker + t, I);
    encodeTask(tasks[t], I, F, w.slot);
    publish(w, I);
    used.push(w);
  }
  return { pool: used, tasks };
}

/**
 * Test hook: post one order that makes a worker die mid-task without signalling ('exit') or never
 * finish ('hang'), as a worker killed for its resource limits would; `waitTasks` on the result
 * must throw instead of waiting forever.
 *
 * @example
 * ```ts
 * waitTasks(postTestTask('exit')); // throws NumericalError
 * waitTasks(postTasks(tasks)); // the next call starts fresh workers
 * ```
 * @internal
 */
export function postTestTask(kind: 'exit' | 'hang'): Posted {
  const h = getHeap();
  const pool = ensureWorkers(h, 1, false);
  const I = heapI32();
  const w = claim(h, pool, 0, I);
  I[(w.slot >> 2) + OP] = kind === 'exit' ? OP_TEST_EXIT : OP_TEST_HANG;
  publish(w, I);
  // The deadline of a task of no work: the fixed grace (or the tests' override).
  return { pool: [w], tasks: [{ op: 'jsGemmQueue', pCtrl: 0, ring: 0, flops: 0 }] };
}

/** Terminate every worker at once (a lost worker may leave the others in any state). */
function tearDownPool(): void {
  const all = workers;
  workers = [];
  for (const w of all) {
    w.alive = false;
    w.handle.terminate();
  }
  // Termination is asynchronous: give the threads a moment to stop touching the heap before the
  // caller may reuse staged buffers (bounded; with no probe it is a plain short pause).
  const I = new Int32Array(new SharedArrayBuffer(4));
  const t0 = Date.now();
  while (all.some((w) => !workerStopped(w.handle)) && Date.now() - t0 < 500) Atomics.wait(I, 0, 0, 5);
}

/**
 * Wait until every task of `posted` has finished; throws if a worker failed. A worker that fails to
 * start, dies mid-task or overruns its deadline makes this tear the whole pool down (the next call
 * starts fresh workers) and throw a NumericalError — after the other workers have finished, so that
 * none still uses the staged buffers.
 *
 * @example
 * ```ts
 * const posted = postTasks(tasks);
 * waitTasks(posted); // blocks until every task has run
 * tasksDone(posted); // → true
 * ```
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
      // exit event cannot be delivered while this thread is blocked.
      const woke = Atomics.wait(I, base + DONE, done, WAKE_MS);
      const started = Atomics.load(I, base + STARTED);
      if (started < 0) {
        lost = `worker thread ${t + 1} failed to start`;
        break;
      }
      if (woke !== 'timed-out') continue;
      // Only here, after WAKE_MS without news, is time read or the worker probed.
      const now = Date.now();
      if (t0 === 0) t0 = now;
      if (deadline === 0) deadline = Math.max(t0, now - WAKE_MS) + taskDeadlineMs(posted.tasks[t]);
      if (started === 0 && now - t0 > START_TIMEOUT_MS) {
        lost = `worker thread ${t + 1} failed to start`;
        break;
      }
      if (started > 0 && workerStopped(w.handle)) {
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
      while (Atomics.load(I, base + DONE) !== w.seq && !workerStopped(w.handle) && Date.now() < end) {
        Atomics.wait(I, base + DONE, Atomics.load(I, base + DONE), 50);
      }
    }
    tearDownPool();
    throw new NumericalError(`lmtransfer backend: ${lost}; the worker pool was stopped and restarts on the next call — call setThreads(1) to run without threads`);
  }
  if (failed !== null) throw new NumericalError(`lmtransfer backend: ${failed}`);
}

/**
 * True when every task of `posted` has finished (successfully or not), without waiting. Call
 * `waitTasks` afterwards for the error check (it then returns at once); a worker that dies never
 * reports done, so a caller that runs out of its own work must block in `waitTasks`.
 *
 * @example
 * ```ts
 * const posted = postTasks(tasks);
 * let polls = 0;
 * while (!tasksDone(posted)) polls++; // the calling thread does its own rows here
 * waitTasks(posted);
 * ```
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
 * How long (ms) each task of `posted` ran in its worker, from the worker's own clock (without the
 * wake-up latency). Read it after `waitTasks`; the split policy (src/backend/split.ts) needs it to
 * know how fast a worker was when it finished before the calling thread started waiting.
 *
 * @example
 * ```ts
 * const posted = postTasks(tasks);
 * waitTasks(posted);
 * const [workerMs] = taskBusyMs(posted);
 * workerMs >= 0; // → true
 * ```
 */
export function taskBusyMs(posted: Posted): number[] {
  const F = heapF64();
  return posted.pool.map((w) => F[((w.slot + ARGS_BYTE) >> 3) + BUSY]);
}

/**
 * Run one task on the calling thread, through the function the workers use.
 *
 * @example
 * ```ts
 * runHere(tasks[0]);
 * ```
 */
export function runHere(task: Task): void {
  const h = getHeap();
  runTask(task, { memory: h.memory, exports: task.op.startsWith('wasm') ? wasmKernels().exports : null });
}

/**
 * Run the tasks, the first on the calling thread and the others on workers (started on first use),
 * and return when all are done. With one task nothing is dispatched.
 *
 * @example
 * ```ts
 * runTasks([stripA, stripB]); // two strips of one product, one per thread
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
