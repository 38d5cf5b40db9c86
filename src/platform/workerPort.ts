/**
 * The worker side of the platform seam, for the worker bundle (src/backend/worker.ts), which is one
 * script for every platform: how a worker receives its start data and how it dies on a test's
 * order. In a Node worker thread started with `eval: true` the script runs as CommonJS, so
 * `require` exists and the start data is `workerData`; in a Web Worker it arrives as the first
 * message.
 *
 * @internal
 */
import type { WorkerInit } from '../backend/protocol.js';

declare const require: ((id: string) => unknown) | undefined;

interface NodeWorkerThreads {
  workerData: WorkerInit;
}
interface NodeProcess {
  exit(code: number): never;
}
interface WebWorkerScope {
  onmessage: ((e: { data: WorkerInit }) => void) | null;
  close?: () => void;
}

/**
 * Call `run` with this worker's start data, now (Node) or when it arrives (Web Worker).
 *
 * @example
 * ```ts
 * receiveInit((init) => serve(init));
 * ```
 */
export function receiveInit(run: (init: WorkerInit) => void): void {
  if (typeof require === 'function') {
    run((require('node:worker_threads') as NodeWorkerThreads).workerData);
    return;
  }
  const scope = globalThis as unknown as WebWorkerScope;
  scope.onmessage = (e) => {
    scope.onmessage = null;
    run(e.data);
  };
}

/**
 * End this worker at once without signalling (the tests' stand-in for a worker killed mid-task).
 *
 * @example
 * ```ts
 * if (code === OP_TEST_EXIT) exitWorker();
 * ```
 */
export function exitWorker(): void {
  const proc = (globalThis as unknown as { process?: NodeProcess }).process;
  if (proc && typeof require === 'function') proc.exit(1);
  (globalThis as unknown as WebWorkerScope).close?.();
  throw new Error('lmtransfer backend: worker exit requested');
}
