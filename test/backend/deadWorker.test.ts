import { postTestTask, setWorkerDeadlineForTests, waitTasks, workerCount } from '../../src/backend/threadPool.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { gemm } from '../../src/linalg/gemm.js';
import { NumericalError } from '../../src/errors/errors.js';
import { gemmBuffers, maxScaledError, referenceGemm, type GemmCase } from './helpers.js';

// A worker that dies after it has started (killed by V8 for its resource limits, terminated) never
// signals, and its 'exit' event cannot arrive while the main thread is blocked in waitTasks: the
// wait must end with a NumericalError, not hang, and the next call must run on fresh workers.
afterEach(() => setWorkerDeadlineForTests(null));
afterAll(() => {
  setBackend('auto');
  setThreads('auto');
});

/** A threaded product (above the threading threshold) checked against the reference. */
function threadedGemmIsCorrect(): void {
  const g: GemmCase = { tA: false, tB: true, M: 120, N: 300, K: 48, alpha: 1.25, beta: 0.5, aOff: 0, lda: 48, bOff: 0, ldb: 48, cOff: 0, ldc: 300 };
  const { a, b, c } = gemmBuffers(false, g, 'deadWorker');
  const { ref, scale } = referenceGemm(g, a, b, c);
  gemm(g.tA, g.tB, g.M, g.N, g.K, g.alpha, a, 0, g.lda, b, 0, g.ldb, g.beta, c, 0, g.ldc);
  expect(maxScaledError(g, c, ref, scale)).toBeLessThanOrEqual((g.K + 2) * 2 ** -53);
  expect(workerCount()).toBeGreaterThanOrEqual(1);
}

function expectLost(kind: 'exit' | 'hang', deadlineMs: number, probe: boolean, pattern: RegExp): number {
  setThreads(2);
  threadedGemmIsCorrect(); // the pool is up and working
  setWorkerDeadlineForTests(deadlineMs, probe);
  const posted = postTestTask(kind);
  const t0 = Date.now();
  let err: unknown;
  try {
    waitTasks(posted);
  } catch (e) {
    err = e;
  }
  const ms = Date.now() - t0;
  expect(err).toBeInstanceOf(NumericalError);
  const msg = (err as Error).message;
  expect(msg).toMatch(/worker thread 1/);
  expect(msg).toMatch(/setThreads\(1\)/);
  expect(msg).toMatch(pattern);
  expect(workerCount()).toBe(0); // torn down
  setWorkerDeadlineForTests(null);
  threadedGemmIsCorrect(); // fresh workers
  return ms;
}

describe('a worker lost mid-task', () => {
  it.each(['wasm', 'js'] as const)('%s: a worker that exits mid-task is detected at the next wake-up', (backend) => {
    setBackend(backend);
    const ms = expectLost('exit', 60000, true, /died during kernel/);
    expect(ms).toBeLessThan(2000);
  });

  it('without the liveness probe, the deadline ends the wait', () => {
    setBackend('wasm');
    const ms = expectLost('exit', 600, false, /did not finish kernel .* within/);
    expect(ms).toBeLessThan(3000);
  });

  it('a worker that hangs (alive, never signals) is ended by the deadline and terminated', () => {
    setBackend('wasm');
    const ms = expectLost('hang', 600, true, /did not finish kernel .* within/);
    expect(ms).toBeLessThan(3000);
  });
});
