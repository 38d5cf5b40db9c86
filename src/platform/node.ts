/**
 * The platform seam, Node implementation: everything the backend needs from its host that is not
 * standard JavaScript (core count, environment, warnings, the V8 flag, base64, worker threads).
 * `#platform` resolves here under the `node` condition (package.json `imports`) and to
 * src/platform/browser.ts elsewhere; both export the same names (a type test checks it).
 *
 * @internal
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { ThreadSupport, WorkerHandle, WorkerInit } from './types.js';

/**
 * Which platform implementation this is.
 *
 * @example
 * ```ts
 * PLATFORM_NAME; // 'node'
 * ```
 */
export const PLATFORM_NAME: 'node' | 'browser' = 'node';

/**
 * Cores this process may use (`os.availableParallelism()`).
 *
 * @example
 * ```ts
 * hardwareThreads(); // 2
 * ```
 */
export function hardwareThreads(): number {
  return availableParallelism();
}

/**
 * An environment variable, or undefined.
 *
 * @example
 * ```ts
 * envVar('LMTRANSFER_THREADS'); // '2' or undefined
 * ```
 */
export function envVar(name: string): string | undefined {
  return process.env[name];
}

/**
 * Report a configuration problem once, without throwing (`process.emitWarning`).
 *
 * @example
 * ```ts
 * warn('lmtransfer: LMTRANSFER_BACKEND must be …');
 * ```
 */
export function warn(message: string): void {
  process.emitWarning(message);
}

/**
 * Set a V8 flag (`v8.setFlagsFromString`); throws where the engine refuses.
 *
 * @example
 * ```ts
 * setEngineFlag('--experimental-wasm-relaxed-simd');
 * ```
 */
export function setEngineFlag(flag: string): void {
  setFlagsFromString(flag);
}

/**
 * Decode base64 to bytes.
 *
 * @example
 * ```ts
 * base64Bytes('AGFzbQ=='); // Uint8Array [0, 97, 115, 109]
 * ```
 */
export function base64Bytes(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/**
 * Whether this thread may start worker threads and block on them: always in Node, where a worker
 * also starts while the starting thread blocks.
 *
 * @example
 * ```ts
 * threadSupport(); // { ok: true, reason: 'Node worker threads', blockingStart: true }
 * ```
 */
export function threadSupport(): ThreadSupport {
  return { ok: true, reason: 'Node worker threads', blockingStart: true };
}

// Node's native worker handle answers `loopIdleTime()` synchronously, under the worker's mutex,
// with −1 once the worker thread has stopped (or before its environment exists) and ≥ 0 while it
// runs — whatever the event loop of this thread is doing. It is reached through a private symbol,
// so it is used only when present and behaving as described; the pool's deadlines cover the rest.
let handleSymbol: symbol | null | undefined;
function workerStopped(worker: Worker): boolean | null {
  try {
    if (handleSymbol === undefined) {
      handleSymbol = Object.getOwnPropertySymbols(worker).find((s) => s.description === 'kHandle') ?? null;
    }
    if (handleSymbol === null) return null;
    const handle = (worker as unknown as Record<symbol, { loopIdleTime?: () => number } | null | undefined>)[handleSymbol];
    // The JS side drops the handle once the exit has been processed.
    if (handle == null) return true;
    return typeof handle.loopIdleTime === 'function' ? handle.loopIdleTime() === -1 : null;
  } catch {
    return null;
  }
}

/**
 * Start a worker thread running `source` (a script) with `init` as its `workerData`. It never keeps
 * the process alive (`unref`), gets none of the parent's flags (an ESM `--input-type`, a loader
 * such as tsx would break a plain script) and a small V8 heap (kernels use no JS heap to speak of).
 *
 * @example
 * ```ts
 * const memory = { buffer: new SharedArrayBuffer(SLOT_BYTES) }; // one control slot, at byte 0
 * const I = new Int32Array(memory.buffer);
 * let alive = true;
 * const w = spawnWorker(WORKER_SOURCE, { module: null, memory, slot: 0, idleMs: 10000 }, () => { alive = false; });
 * Atomics.wait(I, STARTED, 0, 10000); // until the worker says it serves
 * I[STARTED]; // → 1
 * w.terminate(); // alive turns false when it has stopped
 * ```
 */
export function spawnWorker(source: string, init: WorkerInit, onExit: () => void): WorkerHandle {
  const worker = new Worker(source, {
    eval: true,
    workerData: init,
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  });
  worker.unref();
  worker.on('exit', onExit);
  // An error event would otherwise be an uncaught exception on this thread.
  worker.on('error', onExit);
  return {
    stopped: () => workerStopped(worker),
    terminate: () => {
      void worker.terminate().catch(() => undefined);
    },
  };
}
