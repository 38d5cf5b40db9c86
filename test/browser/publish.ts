/**
 * What every page bundle of the browser test does with its scenario: on a page it runs it on the
 * main thread, then starts the same bundle as a module Web Worker that runs it again, and publishes
 * both outcomes as the promise `globalThis.__lmtransfer` for the test to read. Inside the worker it
 * runs the scenario and posts the outcome back.
 */

/** What one run gives back: the numbers, or the error that stopped it. */
export type Outcome<T> = { ok: true; result: T } | { ok: false; error: string };

/** What the page publishes. */
export interface PageOutcome<T> {
  crossOriginIsolated: boolean;
  /** `navigator.hardwareConcurrency`: the threads a worker-hosted backend may use. */
  hardwareConcurrency: number;
  main: Outcome<T>;
  worker: Outcome<T>;
}

function attempt<T>(run: () => T): Outcome<T> {
  try {
    return { ok: true, result: run() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
  }
}

/** The part of the DOM's `Worker` used here (the project type-checks without the DOM library). */
interface BrowserWorker {
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message: string; filename: string; lineno: number }) => void) | null;
  terminate(): void;
}
type BrowserWorkerConstructor = new (url: string, opts: { type: 'module' }) => BrowserWorker;

/** Start `scriptUrl` as a module worker and wait for its outcome (or its failure to load). */
function inWorker<T>(scriptUrl: string): Promise<Outcome<T>> {
  const WorkerCtor = (globalThis as unknown as { Worker: BrowserWorkerConstructor }).Worker;
  return new Promise((resolve) => {
    const w = new WorkerCtor(scriptUrl, { type: 'module' });
    w.onmessage = (e) => { resolve(e.data as Outcome<T>); w.terminate(); };
    w.onerror = (e) => { resolve({ ok: false, error: `worker error: ${e.message} (${e.filename}:${e.lineno})` }); w.terminate(); };
  });
}

/** Run `run` where this bundle was loaded; `scriptUrl` is the bundle's own URL (`import.meta.url`). */
export function publish<T>(run: () => T, scriptUrl: string): void {
  const g = globalThis as unknown as Record<string, unknown>;
  if (typeof g.document !== 'undefined') {
    // A page: the main thread first, then the worker (one after the other: the cores are shared).
    g.__lmtransfer = (async (): Promise<PageOutcome<T>> => {
      const main = attempt(run);
      const worker = await inWorker<T>(scriptUrl);
      const hardwareConcurrency = Number((g.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1);
      return { crossOriginIsolated: g.crossOriginIsolated === true, hardwareConcurrency, main, worker };
    })();
  } else {
    (g.postMessage as (m: Outcome<T>) => void)(attempt(run));
  }
}
