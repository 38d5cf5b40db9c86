import { checkNumber, describeValue, domainError } from '../core/check.js';
import { MAX_THREADS, setRequestedThreads, threadCount } from './config.js';
import { stopWorkers } from './pool.js';

/**
 * Set how many threads large problems may use: `1` turns worker threads off (and stops any that
 * are running), `n > 1` allows the calling thread plus `n − 1` workers, and `'auto'` (the default)
 * uses one thread per core (Node: `os.availableParallelism()`; browsers: `navigator.hardwareConcurrency`). Workers start lazily on the first large product, sleep between
 * calls, and never keep the process alive. The environment variable `LMTRANSFER_THREADS` sets the
 * initial value in Node. In a browser, threads are Web Workers and exist only when the library runs
 * inside a Web Worker of a cross-origin isolated page (a page's main thread may not block); there
 * workers start in the background (a Web Worker cannot start while its creator waits for it), and
 * each joins the calls made after it has started, e.g. once the calling worker has yielded to its
 * event loop (`await new Promise((r) => setTimeout(r, 0))`) after the first large call. Results do not depend on the thread count: products, the cross-entropy row pass
 * and `logPartition` split their work so that every output element is computed by one thread
 * through the same operations, and are bitwise the same with 1 or n threads (tested).
 *
 * @example
 * ```ts
 * import { setThreads } from 'lmtransfer';
 * setThreads(1);      // single-threaded
 * setThreads('auto'); // one thread per core
 * ```
 * @throws DomainError when `n` is not an integer in [1, 64] or `'auto'`
 */
export function setThreads(n: number | 'auto'): void {
  if (n !== 'auto') {
    if (typeof n !== 'number') throw domainError('setThreads', 'n', `an integer in [1, ${MAX_THREADS}] or 'auto'`, describeValue(n));
    checkNumber('setThreads', 'n', n, { integer: true, min: 1, max: MAX_THREADS });
  }
  const before = threadCount();
  setRequestedThreads(n);
  // A different size restarts the pool on next use; stopping now also frees the threads at once.
  if (threadCount() !== before) stopWorkers();
}
