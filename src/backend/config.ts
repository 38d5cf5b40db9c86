/**
 * Backend selection state: which kernels run (`'js'` TypeScript, `'wasm'` WebAssembly SIMD, or
 * `'auto'`), and how many threads large problems may use. Read lazily from the environment
 * (`LMTRANSFER_BACKEND`, `LMTRANSFER_THREADS`) on first use, overridden by `setBackend` /
 * `setThreads`.
 *
 * @internal
 */
import { envVar, hardwareThreads, threadSupport, warn } from '#platform';
import { wasmSupport } from './wasmApi.js';

/** A backend request: `'auto'` uses WebAssembly SIMD where available, else TypeScript. */
export type BackendName = 'auto' | 'wasm' | 'js';

/** The backend names `setBackend` and `LMTRANSFER_BACKEND` accept. */
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'wasm', 'js'];

/** The largest thread count `setThreads` accepts. */
export const MAX_THREADS = 64;

let requested: BackendName | undefined;
let threadsRequested: number | 'auto' | undefined;

function fromEnv(): BackendName {
  const v = envVar('LMTRANSFER_BACKEND');
  if (v === undefined || v === '') return 'auto';
  const lower = v.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(lower)) return lower as BackendName;
  // An unknown value must not break every product in the process; say so once and use 'auto'.
  warn(`lmtransfer: LMTRANSFER_BACKEND must be one of 'auto', 'wasm', 'js'; got ${JSON.stringify(v)}; using 'auto'`);
  return 'auto';
}

function threadsFromEnv(): number | 'auto' {
  const v = envVar('LMTRANSFER_THREADS');
  if (v === undefined || v === '' || v.trim().toLowerCase() === 'auto') return 'auto';
  const n = Number(v);
  if (Number.isInteger(n) && n >= 1 && n <= MAX_THREADS) return n;
  warn(`lmtransfer: LMTRANSFER_THREADS must be an integer in [1, ${MAX_THREADS}] or 'auto'; got ${JSON.stringify(v)}; using 'auto'`);
  return 'auto';
}

/** The backend the user asked for (environment, then `setBackend`). */
export function requestedBackend(): BackendName {
  requested ??= fromEnv();
  return requested;
}

/** Record a backend request (validated by the caller). */
export function setRequestedBackend(b: BackendName): void {
  requested = b;
}

/** The backend that actually runs: `'wasm'` when requested or auto and available, else `'js'`. */
export function activeBackend(): 'wasm' | 'js' {
  const r = requestedBackend();
  if (r === 'js') return 'js';
  return wasmSupport().ok ? 'wasm' : 'js';
}

/**
 * The thread count large problems may use (1 = no worker threads): the request (`'auto'`: the
 * platform's core count), or 1 where this thread cannot run worker threads (a page's main thread).
 */
export function threadCount(): number {
  threadsRequested ??= threadsFromEnv();
  if (!threadSupport().ok) return 1;
  if (threadsRequested === 'auto') return Math.max(1, Math.min(MAX_THREADS, hardwareThreads()));
  return threadsRequested;
}

/** Record a thread request (validated by the caller). */
export function setRequestedThreads(n: number | 'auto'): void {
  threadsRequested = n;
}

/** Forget the recorded requests so that the environment is read again (tests). */
export function resetBackendConfig(): void {
  requested = undefined;
  threadsRequested = undefined;
}
