/**
 * The platform seam, browser implementation (also for Deno-like hosts without Node modules): the
 * same names as src/platform/node.ts, from Web APIs only. `#platform` resolves here under every
 * condition but `node` (package.json `imports`), e.g. in `esbuild --platform=browser` bundles.
 *
 * On a page's main thread `Atomics.wait` is forbidden, so the kernels run on that one thread
 * (WebAssembly SIMD when the page is cross-origin isolated, so that shared memory exists, else the
 * TypeScript kernels). Inside a Web Worker of a cross-origin isolated page, worker threads are
 * further Web Workers started from a Blob URL of the worker bundle.
 *
 * @internal
 */
import type { ThreadSupport, WorkerHandle, WorkerInit } from './types.js';

interface BrowserGlobals {
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  WorkerGlobalScope?: abstract new () => unknown;
  Worker?: new (url: string, options?: { name?: string }) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string };
  atob?: (s: string) => string;
  console?: { warn(message: string): void };
}
interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'error', listener: () => void): void;
}

const g = globalThis as unknown as BrowserGlobals;

/**
 * Which platform implementation this is.
 *
 * @example
 * ```ts
 * PLATFORM_NAME; // 'browser'
 * ```
 */
export const PLATFORM_NAME: 'node' | 'browser' = 'browser';

/**
 * Logical cores (`navigator.hardwareConcurrency`, 1 when unknown).
 *
 * @example
 * ```ts
 * hardwareThreads(); // 8
 * ```
 */
export function hardwareThreads(): number {
  const n = g.navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}

/**
 * Environment variables do not exist in a browser: always undefined.
 *
 * @example
 * ```ts
 * envVar('LMTRANSFER_THREADS'); // undefined
 * ```
 */
export function envVar(name: string): string | undefined {
  void name;
  return undefined;
}

/**
 * Report a configuration problem without throwing (`console.warn`).
 *
 * @example
 * ```ts
 * warn('lmtransfer: …');
 * ```
 */
export function warn(message: string): void {
  g.console?.warn(message);
}

/**
 * Engine flags cannot be set from a page: always throws, which the backend reports as "relaxed SIMD
 * unavailable" (the portable SIMD module then runs).
 *
 * @example
 * ```ts
 * setEngineFlag('--experimental-wasm-relaxed-simd'); // throws
 * ```
 */
export function setEngineFlag(flag: string): void {
  throw new Error(`engine flags cannot be set in a browser (${flag})`);
}

/**
 * Decode base64 to bytes (`atob`).
 *
 * @example
 * ```ts
 * base64Bytes('AGFzbQ=='); // Uint8Array [0, 97, 115, 109]
 * ```
 */
export function base64Bytes(b64: string): Uint8Array {
  const s = (g.atob as (s: string) => string)(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Worker threads need a Web Worker as the calling thread (the main thread may not block in
 * `Atomics.wait`) and cross-origin isolation (for shared memory).
 *
 * @example
 * ```ts
 * threadSupport(); // on a page's main thread: { ok: false, reason: 'the main thread of a page may not block (Atomics.wait)', … }
 * ```
 */
export function threadSupport(): ThreadSupport {
  const inWorker = typeof g.WorkerGlobalScope === 'function' && globalThis instanceof g.WorkerGlobalScope;
  if (!inWorker) return { ok: false, reason: 'the main thread of a page may not block (Atomics.wait); run the library in a Web Worker for threads', blockingStart: false };
  if (g.crossOriginIsolated !== true) return { ok: false, reason: 'the page is not cross-origin isolated (COOP/COEP headers), so there is no shared memory', blockingStart: false };
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || !g.URL) return { ok: false, reason: 'no nested Web Workers in this browser', blockingStart: false };
  return { ok: true, reason: 'Web Workers (cross-origin isolated)', blockingStart: false };
}

let workerUrl: string | undefined;

/**
 * Start a Web Worker running `source` (from a Blob URL made once) and post it `init` (the module
 * and the shared memory are structured-cloned, so it runs over the same heap).
 *
 * @example
 * ```ts
 * // In a cross-origin-isolated page or Web Worker (Node has no Web Workers: there it only defines start):
 * let alive = 0;
 * const start = (memory: { buffer: SharedArrayBuffer }, slot: number) => {
 *   alive++;
 *   return spawnWorker(WORKER_SOURCE, { module: null, memory, slot, idleMs: 10000 }, () => { alive--; });
 * };
 * typeof start; // → 'function'
 * ```
 */
export function spawnWorker(source: string, init: WorkerInit, onExit: () => void): WorkerHandle {
  const W = g.Worker as NonNullable<BrowserGlobals['Worker']>;
  workerUrl ??= (g.URL as NonNullable<BrowserGlobals['URL']>).createObjectURL(new (g.Blob as NonNullable<BrowserGlobals['Blob']>)([source], { type: 'text/javascript' }));
  const worker = new W(workerUrl, { name: `lmtransfer-${init.slot}` });
  worker.addEventListener('error', onExit);
  worker.postMessage(init);
  let terminated = false;
  return {
    // A browser says nothing about a worker that stopped; the pool's deadlines cover it.
    stopped: () => (terminated ? true : null),
    terminate: () => {
      terminated = true;
      worker.terminate();
    },
  };
}
