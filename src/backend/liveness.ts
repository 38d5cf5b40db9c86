/**
 * How the calling thread tells a lost worker from a slow one. A started worker can die mid-task
 * without signalling (V8 ends it for exceeding its `resourceLimits`, something terminates it), and
 * its exit event cannot be delivered while the calling thread is blocked waiting for it. Two guards,
 * both checked only on the pool's periodic wake-ups (src/backend/pool.ts):
 *  - a liveness probe (the platform's `stopped()`, src/platform/) that sees a dead worker within
 *    one wake-up where the platform can tell;
 *  - a deadline per task from its work at a very pessimistic rate, plus a fixed grace, after which
 *    the worker is taken as lost whatever the probe says.
 *
 * @internal
 */
import type { Task } from './protocol.js';
import type { WorkerHandle } from '../platform/types.js';

/** A worker that has not started after this long is taken as failed. */
export const START_TIMEOUT_MS = 30000;
/** How often (ms) a waiting thread wakes up to check on its workers. */
export const WAKE_MS = 250;
const FLOOR_FLOPS_PER_MS = 0.05e9 / 1000; // 0.05 GFLOP/s
const DEADLINE_GRACE_MS = 60000;
let deadlineOverrideMs: number | null = null;
let probeEnabled = true;

/**
 * Test hooks: replace every task's deadline by `ms` (null restores the work-based one) and turn the
 * liveness probe off, so that the deadline path can be exercised on its own.
 *
 * @example
 * ```ts
 * setWorkerDeadlineForTests(1500, false); // every task's deadline is now 1.5 s, and the probe is off
 * taskDeadlineMs(undefined); // → 1500
 * setWorkerDeadlineForTests(null); // the work-based deadline and the probe again
 * taskDeadlineMs(undefined); // → 60000
 * ```
 * @internal
 */
export function setWorkerDeadlineForTests(ms: number | null, probe = true): void {
  deadlineOverrideMs = ms;
  probeEnabled = probe;
}

/** A pessimistic count of floating-point operations for a task. */
function taskFlops(t: Task): number {
  switch (t.op) {
    case 'wasmGemm':
    case 'jsGemm':
      return 2 * t.M * t.N * t.K;
    case 'wasmCeRows':
    case 'jsCeRows':
      return 100 * t.rows * t.n; // exp/log per element
    case 'wasmLse':
    case 'wasmLseStore':
      return 2 * t.M * t.K * t.N + 100 * t.M * t.N;
    case 'wasmProbSums':
      return 100 * t.rows * t.N; // an exp per element
    case 'jsGemmQueue':
      return t.flops; // the whole product's, the worker's share being smaller
    case 'jsLse':
      return 2 * (t.r1 - t.r0) * t.d * t.nw + 100 * (t.r1 - t.r0) * t.nw;
  }
}

/**
 * How long (ms) a worker may take for `t` before it is taken as lost: the fixed grace plus the
 * task's work at the pessimistic floor rate.
 *
 * @example
 * ```ts
 * const t = { op: 'jsGemm', f32: 0, tA: 0, tB: 0, M: 100, N: 100, K: 100, alpha: 1, pA: 0, lda: 100, pB: 0, ldb: 100, beta: 0, pC: 0, ldc: 100 } as const;
 * // 60 s of grace plus the task's 2·M·N·K flops at 0.05 GFLOP/s (5e4 flops per ms)
 * taskDeadlineMs(t); // → 60000 + 2e6 / 5e4
 * ```
 * @internal
 */
export function taskDeadlineMs(t: Task | undefined): number {
  if (deadlineOverrideMs !== null) return deadlineOverrideMs;
  const flops = t ? taskFlops(t) : 0;
  return DEADLINE_GRACE_MS + (Number.isFinite(flops) && flops > 0 ? flops / FLOOR_FLOPS_PER_MS : 0);
}

/**
 * True when the worker is known to have stopped (never when the probe is off or cannot tell).
 *
 * @example
 * ```ts
 * const gone: WorkerHandle = { stopped: () => true, terminate: () => undefined };
 * const unknown: WorkerHandle = { stopped: () => null, terminate: () => undefined };
 * workerStopped(gone); // → true
 * workerStopped(unknown); // → false
 * ```
 */
export function workerStopped(handle: WorkerHandle): boolean {
  return probeEnabled && handle.stopped() === true;
}
