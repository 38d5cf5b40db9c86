/**
 * Types shared by the platform implementations (src/platform/node.ts, src/platform/browser.ts).
 *
 * @internal
 */

/** Whether the calling thread can run worker threads, and how. */
export interface ThreadSupport {
  ok: boolean;
  reason: string;
  /**
   * True when a worker starts while the starting thread blocks (Node). False in browsers, where a
   * new Worker starts only once its creator returns to its event loop: there the pool uses only
   * workers that have already started and the calling thread never waits for one to start.
   */
  blockingStart: boolean;
}

/** A started worker, as the pool sees it. */
export interface WorkerHandle {
  /** True when the worker thread is known to have stopped, false when known to run, null when unknown. */
  stopped(): boolean | null;
  /** Stop it now (asynchronously). */
  terminate(): void;
}

/** What a worker receives when it starts (src/backend/worker.ts). */
export interface WorkerInit {
  /** The compiled kernel module, or null when only the TypeScript kernels run (no WebAssembly is compiled). */
  module: object | null;
  /** The shared heap (a shared `WebAssembly.Memory`; read its `buffer` afresh, it may grow). */
  memory: { readonly buffer: SharedArrayBuffer };
  /** Byte address of the worker's control slot. */
  slot: number;
  /** How long (ms) an idle worker waits before it exits (Infinity: never). */
  idleMs: number;
}
