import { postTestTask, waitTasks, workerCount } from '../../src/backend/pool.js';
import { setWorkerDeadlineForTests, taskDeadlineMs } from '../../src/backend/liveness.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { gemm } from '../../src/linalg/gemm.js';
import { NumericalError } from '../../src/core/errors.js';
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

describe('task deadlines', () => {
  // A live worker is taken as lost once its task overruns grace + work / floor rate, so the work
  // must be read from the right arguments of each operation: too small a deadline kills long,
  // healthy tasks (a large staging budget gives the js log-partition minutes-long chunks).
  const GRACE = 60000;
  const FLOOR = 0.05e9 / 1000; // flops per ms
  it('grows with the work of each operation, read from its documented arguments', () => {
    setWorkerDeadlineForTests(null);
    const gemmTask = { f32: 0, tA: 0, tB: 0, M: 100, N: 200, K: 300, alpha: 1, pA: 0, lda: 1, pB: 0, ldb: 1, beta: 0, pC: 0, ldc: 1 };
    expect(taskDeadlineMs({ op: 'wasmGemm', ...gemmTask, work: 0 })).toBeCloseTo(GRACE + (2 * 100 * 200 * 300) / FLOOR, 6);
    expect(taskDeadlineMs({ op: 'jsGemm', ...gemmTask })).toBeCloseTo(GRACE + (2 * 100 * 200 * 300) / FLOOR, 6);
    expect(taskDeadlineMs({ op: 'jsCeRows', f32: 0, pZ: 4096, rows: 50, n: 3000, pT: 0, pLse: 0, pLoss: 0, scale: 1, grad: 1 })).toBeCloseTo(GRACE + (100 * 50 * 3000) / FLOOR, 6);
    expect(taskDeadlineMs({ op: 'wasmCeRows', f32: 0, pZ: 4096, ldz: 3000, rows: 50, n: 3000, pT: 0, pLse: 0, pLoss: 0, pG: 0, ldg: 3000, scale: 1 })).toBeCloseTo(
      GRACE + (100 * 50 * 3000) / FLOOR,
      6,
    );
    // jsLse: contexts [r0, r1) against nw words of dimension d.
    const [r0, r1, d, nw] = [2048, 4096, 768, 1024];
    const jsLse = taskDeadlineMs({ op: 'jsLse', f32: 1, pH: 4096, m: 4096, d, pB: 9_000_000, nw, r0, r1, mb: 64, pMax: 20_000_000, pSum: 20_100_000, pBad: 20_200_000 });
    expect(jsLse).toBeCloseTo(GRACE + (2 * (r1 - r0) * d * nw + 100 * (r1 - r0) * nw) / FLOOR, 6);
    const wasmLse = taskDeadlineMs({ op: 'wasmLse', f32: 1, pAp: 0, M: 64, K: d, pV: 0, ldv: d, N: nw, pMax: 0, pSum: 0, work: 0 });
    expect(wasmLse).toBeCloseTo(GRACE + (2 * 64 * d * nw + 100 * 64 * nw) / FLOOR, 6);
    expect(taskDeadlineMs({ op: 'jsGemmQueue', pCtrl: 4096, ring: 3, flops: 5e9 })).toBeCloseTo(GRACE + 5e9 / FLOOR, 6);
  });
});
