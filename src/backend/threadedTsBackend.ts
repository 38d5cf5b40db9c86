/**
 * The threaded TypeScript backend: the TypeScript kernels split across worker threads over the
 * shared heap (no WebAssembly is compiled for it). Every split falls so that each element is
 * computed by the same kernel call as on one thread, so results are bitwise the single-thread
 * backend's (src/backend/tsBackend.ts); what is too small or does not fit the staging runs there.
 *
 * @internal
 */
import type { Backend, GemmArgs, LogPartitionArgs, RowPassArgs, WordProbabilitySumsArgs } from './backend.js';
import { jsWordProbabilitySumsMethod } from './jsWordProbabilitySums.js';
import { jsGemm } from './jsGemm.js';
import { JS_LSE_THREAD_MIN_MADDS, jsLogPartition } from './jsLogPartition.js';
import { jsSoftmaxCrossEntropy } from './jsRows.js';
import { tsBackend, tsGemm } from './tsBackend.js';
import { THREAD_MIN_MADDS, wasmGemm } from './wasmGemm.js';

/**
 * The threaded TypeScript backend over `threads` threads (≥ 2).
 *
 * @example
 * ```ts
 * const a = Float64Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i));
 * const args = () => ({ transA: false, transB: true, M: 64, N: 64, K: 64, alpha: 1, a, aOffset: 0, lda: 64, b: a, bOffset: 0, ldb: 64, beta: 0, c: new Float64Array(64 * 64), cOffset: 0, ldc: 64 });
 * const [two, one] = [args(), args()];
 * threadedTsBackend(2).gemm(two); // → true
 * tsBackend.gemm(one);
 * two.c; // → Array.from(one.c)
 * ```
 */
export function threadedTsBackend(threads: number): Backend {
  return {
    kind: 'typescript-threads',
    threads,
    gemm(g: GemmArgs): boolean {
      const { M, N, K, a, b, c } = g;
      if (M * N * K < THREAD_MIN_MADDS || !(a instanceof c.constructor && b instanceof c.constructor)) return tsGemm(g);
      // The queued split (src/backend/jsGemm.ts) where its staging fits, else the staged strips.
      if (jsGemm(threads, g.transA, g.transB, M, N, K, g.alpha, a, g.aOffset, g.lda, b, g.bOffset, g.ldb, g.beta, c, g.cOffset, g.ldc)) return true;
      wasmGemm('js', c instanceof Float32Array, threads, g.transA, g.transB, M, N, K, g.alpha, a, g.aOffset, g.lda, b, g.bOffset, g.ldb, g.beta, c, g.cOffset, g.ldc);
      return true;
    },
    softmaxCrossEntropy(p: RowPassArgs): boolean {
      if (!p.targets) return false;
      jsSoftmaxCrossEntropy(threads, p);
      return true;
    },
    logPartition(p: LogPartitionArgs): boolean {
      const nA = p.words ? p.words.length : p.n;
      if (p.m * nA * p.d < JS_LSE_THREAD_MIN_MADDS) return tsBackend.logPartition(p);
      // Its declines (mixed precisions, one row block, a budget too small) and an overflow are left
      // to the caller's kernel, which computes the same bits on one thread and locates an overflow.
      return jsLogPartition(threads, p.V, p.n, p.d, p.H, p.m, p.words, p.out);
    },
    wordProbabilitySums(p: WordProbabilitySumsArgs): boolean {
      // The logits blocks by this backend's split product (bitwise its one-thread product), the
      // row work on the calling thread: bitwise the single-thread backend's result.
      return jsWordProbabilitySumsMethod(p, (g) => this.gemm(g));
    },
  };
}
