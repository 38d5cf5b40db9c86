import { alloc, getHeap, resetArena } from '../../src/backend/heap.js';
import { postTasks, taskBusyMs, waitTasks, workerCount } from '../../src/backend/threadPool.js';
import { setThreads } from '../../src/backend/setThreads.js';

// The pipelined GEMM rebalances its split from the time each worker reports for its strip
// (wasmGemm.ts), so the report must be there after every task, and it lives in the slot word
// after the arguments, so a task with too many arguments must be refused before it could
// overwrite it.
afterAll(() => setThreads('auto'));

describe('taskBusyMs', () => {
  it('reports a positive, plausible kernel time for each posted task', () => {
    setThreads(2);
    const h = getHeap();
    resetArena();
    const work = alloc(h.exports.gemmWorkspaceBytes());
    const n = 128;
    const p = alloc(3 * n * n * 4);
    // Zeroed memory is valid input; a 128³ sgemm takes well under a second on any machine.
    const task = { op: 'sgemm' as const, args: [0, 0, n, n, n, 1, p, n, p + n * n * 4, n, 0, p + 2 * n * n * 4, n, work] };
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

  it('refuses a task with more arguments than the slot holds, leaving the pool usable', () => {
    setThreads(2);
    expect(() => postTasks([{ op: 'sgemm', args: new Array(28).fill(0) }])).toThrow(/at most 27 fit/);
    const posted = postTasks([{ op: 'sgemm', args: [0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0] }]);
    waitTasks(posted);
    expect(workerCount()).toBeGreaterThanOrEqual(1);
  });
});
