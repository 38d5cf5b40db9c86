import { alloc, resetArena, wasmKernels } from '../../src/backend/heap.js';
import { postTasks, taskBusyMs, waitTasks, workerCount } from '../../src/backend/pool.js';
import { MAX_ARGS, MAX_TASK_FIELDS, TASK_FIELDS, TASK_OPS, decodeTask, encodeTask, type Task } from '../../src/backend/protocol.js';
import { setThreads } from '../../src/backend/setThreads.js';

// The pipelined operations rebalance their split from the time each worker reports for its strip
// (src/backend/split.ts), so the report must be there after every task; it lives in the slot word
// after the encoded fields, so no task may have more fields than fit before it.
afterAll(() => setThreads('auto'));

describe('taskBusyMs', () => {
  it('reports a positive, plausible kernel time for each posted task', () => {
    setThreads(2);
    const h = wasmKernels();
    resetArena();
    const work = alloc(h.exports.gemmWorkspaceBytes());
    const n = 128;
    const p = alloc(3 * n * n * 4);
    // Zeroed memory is valid input; a 128³ sgemm takes well under a second on any machine.
    const task: Task = { op: 'wasmGemm', f32: 1, tA: 0, tB: 0, M: n, N: n, K: n, alpha: 1, pA: p, lda: n, pB: p + n * n * 4, ldb: n, beta: 0, pC: p + 2 * n * n * 4, ldc: n, work };
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const posted = postTasks([task]);
      waitTasks(posted);
      const wall = performance.now() - t0;
      const [busy] = taskBusyMs(posted);
      expect(busy).toBeGreaterThan(0);
      // The worker's own time excludes the wake-up, so it cannot exceed the wait seen here.
      expect(busy).toBeLessThanOrEqual(wall + 1e-6);
    }
  });

  it('every task fits a slot, and decodes to the object that was encoded', () => {
    expect(MAX_TASK_FIELDS).toBeLessThanOrEqual(MAX_ARGS);
    const buf = new SharedArrayBuffer(1024);
    const i32 = new Int32Array(buf);
    const f64 = new Float64Array(buf);
    for (const op of TASK_OPS) {
      const task = { op } as Record<string, string | number>;
      TASK_FIELDS[op].forEach((f, i) => (task[f] = 1000 * (i + 1) + 0.5));
      encodeTask(task as unknown as Task, i32, f64, 256);
      expect(decodeTask(i32, f64, 256)).toEqual(task);
    }
  });

  it('a posted task that fails in the worker reports a typed error and leaves the pool usable', () => {
    setThreads(2);
    // A WebAssembly product reading far beyond the heap traps in the worker.
    const h = wasmKernels();
    resetArena();
    const work = alloc(h.exports.gemmWorkspaceBytes());
    const bad: Task = { op: 'wasmGemm', f32: 1, tA: 0, tB: 0, M: 8, N: 8, K: 8, alpha: 1, pA: 2 ** 31, lda: 8, pB: 0, ldb: 8, beta: 0, pC: 0, ldc: 8, work };
    expect(() => waitTasks(postTasks([bad]))).toThrow(/kernel 'wasmGemm' failed in worker thread 1/);
    const ok: Task = { ...bad, pA: work, M: 0 };
    waitTasks(postTasks([ok]));
    expect(workerCount()).toBeGreaterThanOrEqual(1);
  });
});
