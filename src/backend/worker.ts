/**
 * The worker threads' program. It is bundled at build time (scripts/build-worker.mjs, esbuild) into
 * one self-contained script embedded as a string in src/wasm/generated/worker.ts, from which the
 * pool starts each worker (Node: `new Worker(source, { eval: true })`; browsers: a Blob URL), so no
 * file has to be located at run time and an application that minifies the library still works.
 *
 * A worker instantiates the kernel module (when WebAssembly runs) over the shared heap and then
 * sleeps in `Atomics.wait` on its control slot (src/backend/protocol.ts). For each task it decodes
 * the descriptor, runs it through `runTask` — the function the calling thread runs its own share
 * with — records how long it took and signals done. After `idleMs` without a task it exits, unless
 * the calling thread has just claimed it.
 *
 * @internal
 */
import { exitWorker, receiveInit } from '../platform/workerPort.js';
import {
  ARGS_BYTE,
  BUSY,
  DONE,
  ERR,
  EXITED,
  IDLE,
  OP,
  OP_TEST_EXIT,
  OP_TEST_HANG,
  SEQ,
  SLOT_BYTES,
  STARTED,
  STATE,
  decodeTask,
  type WorkerInit,
} from './protocol.js';
import { runTask, type TaskContext } from './taskRunner.js';
import { instantiateKernels } from './wasmTypes.js';

function serve(init: WorkerInit): void {
  const { memory, slot, idleMs } = init;
  // The slot lies below the arena, so views of the memory as it is now always cover it.
  const I = new Int32Array(memory.buffer, slot, SLOT_BYTES >> 2);
  const busy = new Float64Array(memory.buffer, slot + ARGS_BYTE + BUSY * 8, 1);
  let ctx: TaskContext;
  try {
    ctx = { memory, exports: init.module ? instantiateKernels(init.module, memory) : null };
  } catch (e) {
    // Tell the calling thread at once instead of letting it wait for the start timeout.
    Atomics.store(I, STARTED, -1);
    Atomics.notify(I, DONE);
    throw e;
  }
  const i32 = new Int32Array(memory.buffer, 0, (slot + SLOT_BYTES) >> 2);
  const f64 = new Float64Array(memory.buffer, 0, (slot + SLOT_BYTES) >> 3);
  let seq = 0;
  Atomics.store(I, STARTED, 1);
  for (;;) {
    if (Atomics.wait(I, SEQ, seq, idleMs) === 'timed-out') {
      // Exit only if the calling thread has not just claimed this worker for a task.
      if (Atomics.compareExchange(I, STATE, IDLE, EXITED) === IDLE) break;
      continue;
    }
    seq = Atomics.load(I, SEQ);
    const code = I[OP];
    if (code === OP_TEST_EXIT) exitWorker();
    if (code === OP_TEST_HANG) for (;;) Atomics.wait(I, ERR, 0, 1000);
    const task = decodeTask(i32, f64, slot);
    if (task === null) break; // the quit order
    try {
      const t0 = performance.now();
      runTask(task, ctx);
      busy[0] = performance.now() - t0;
      I[ERR] = 0;
    } catch {
      I[ERR] = 1;
    }
    Atomics.store(I, STATE, IDLE);
    Atomics.store(I, DONE, seq);
    Atomics.notify(I, DONE);
  }
}

receiveInit(serve);
