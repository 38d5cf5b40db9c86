/**
 * The single-thread TypeScript backend: the plain kernels on the calling thread. It is the
 * reference the other backends agree with (bitwise for the threaded TypeScript one) and the one
 * that runs where nothing else can (no shared memory, a page's main thread without isolation).
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { gemmKernel } from '../kernels/gemmKernel.js';
import { LOG_PARTITION_BLOCK_ROWS, LOG_PARTITION_BLOCK_WORDS, logPartitionRowBlocks } from '../kernels/logPartitionRowBlocksKernel.js';
import type { Backend, GemmArgs, LogPartitionArgs, RowPassArgs, WordProbabilitySumsArgs } from './backend.js';
import { jsWordProbabilitySumsMethod } from './jsWordProbabilitySums.js';
import { jsSoftmaxCrossEntropy } from './jsRows.js';

/**
 * `gemmKernel` on the calling thread.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(1, 2, 3, 4);
 * const c = new Float64Array(4);
 * tsGemm({ transA: false, transB: true, M: 2, N: 2, K: 2, alpha: 1, a, aOffset: 0, lda: 2, b: a, bOffset: 0, ldb: 2, beta: 0, c, cOffset: 0, ldc: 2 });
 * c; // → [5, 11, 11, 25]
 * ```
 */
export function tsGemm(g: GemmArgs): true {
  gemmKernel(g.transA, g.transB, g.M, g.N, g.K, g.alpha, g.a, g.aOffset, g.lda, g.b, g.bOffset, g.ldb, g.beta, g.c, g.cOffset, g.ldc);
  return true;
}

/**
 * The log-partition loop of `logPartitionBlocks` with its default blocks and `gemmKernel`: word
 * chunks (gathered for a subset), each folded into the running maxima and sums by
 * `logPartitionRowBlocks`. False, with `out` incomplete, when some logits are not finite.
 *
 * @example
 * ```ts
 * const out = new Float64Array(1);
 * tsLogPartition({ V: Float64Array.of(1, 0, 0, 1), n: 2, d: 2, H: Float64Array.of(0, 0), m: 1, words: null, out }); // true; out = [log 2]
 * ```
 */
export function tsLogPartition(p: LogPartitionArgs): boolean {
  const { V, d, H, m, words, out } = p;
  const nA = words ? words.length : p.n;
  if (m <= 0) return true;
  const nb = Math.min(LOG_PARTITION_BLOCK_WORDS, nA);
  const mb = Math.min(LOG_PARTITION_BLOCK_ROWS, m);
  const f32 = V instanceof Float32Array && H instanceof Float32Array;
  const z: FloatArray = f32 ? new Float32Array(mb * nb) : new Float64Array(mb * nb);
  const gather: FloatArray | null = words ? (V instanceof Float32Array ? new Float32Array(nb * d) : new Float64Array(nb * d)) : null;
  const runMax = new Float64Array(m).fill(-Infinity);
  const runSum = new Float64Array(m);
  for (let w0 = 0; w0 < nA; w0 += nb) {
    const nw = Math.min(nb, nA - w0);
    let b: FloatArray = V;
    let bOff = w0 * d;
    if (words && gather) {
      for (let k = 0; k < nw; k++) {
        const src = words[w0 + k] * d;
        gather.set(V.subarray(src, src + d), k * d);
      }
      b = gather;
      bOff = 0;
    }
    if (logPartitionRowBlocks(gemmKernel, H, 0, m, d, b, bOff, nw, z, mb, runMax, runSum) >= 0) return false;
  }
  for (let i = 0; i < m; i++) out[i] = runMax[i] + Math.log(runSum[i]);
  return true;
}

/**
 * The single-thread TypeScript backend. `softmaxCrossEntropy` takes index targets only (the plain
 * softmax pass is the caller's own kernel); `logPartition` declines when logits overflow, so that
 * the caller's kernel can say where.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(1, 2, 3, 4);
 * const args = { transA: false, transB: true, M: 2, N: 2, K: 2, alpha: 1, a, aOffset: 0, lda: 2, b: a, bOffset: 0, ldb: 2, beta: 0, c: new Float64Array(4), cOffset: 0, ldc: 2 };
 * tsBackend.gemm(args); // → true
 * args.c; // → [5, 11, 11, 25]
 * ```
 */
export const tsBackend: Backend = {
  kind: 'typescript',
  threads: 1,
  gemm: tsGemm,
  softmaxCrossEntropy(p: RowPassArgs): boolean {
    if (!p.targets) return false;
    jsSoftmaxCrossEntropy(1, p);
    return true;
  },
  logPartition: tsLogPartition,
  wordProbabilitySums(p: WordProbabilitySumsArgs): boolean {
    return jsWordProbabilitySumsMethod(p, tsGemm);
  },
};
