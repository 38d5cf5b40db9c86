/**
 * The worker side of the platform seam, for the worker bundle (src/backend/worker.ts), which is one
 * script for every platform: how a worker receives its start data and how it dies on a test's
 * order. In a Node worker thread started with `eval: true` the script runs as CommonJS, so
 * `require` exists and the start data is `workerData`; in a Web Worker it arrives as the first
 * message. The test is whether a `WorkerGlobalScope` exists, not `typeof require`: a bundler
 * rewrites `require` into a shim that always exists (and throws in a browser).
 *
 * @internal
 */
import type { WorkerInit } from './types.js';

declare const require: (id: string) => unknown;

/** True in a Web Worker (a browser's), false in a Node worker thread. */
function inWebWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function';
}

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
 * // The worker's entry script (src/backend/worker.ts); here only defined, since the calling thread
 * // is no worker and has no start data:
 * const entry = (): void => receiveInit((init) => console.log(`serving slot ${init.slot}`));
 * typeof entry; // → 'function'
 * ```
 */
export function receiveInit(run: (init: WorkerInit) => void): void {
  if (!inWebWorker()) {
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
 * const onOrder = (code: number): void => {
 *   if (code === OP_TEST_EXIT) exitWorker(); // the test order: die mid-task without signalling
 * };
 * onOrder(OP_QUIT); // any other order returns
 * ```
 */
export function exitWorker(): void {
  if (inWebWorker()) (globalThis as unknown as WebWorkerScope).close?.();
  else (globalThis as unknown as { process: NodeProcess }).process.exit(1);
  throw new Error('lmtransfer backend: worker exit requested');
}
