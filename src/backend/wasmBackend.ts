/**
 * The WebAssembly SIMD backend on 1 or n threads (src/backend/wasmGemm.ts, wasmRows.ts,
 * wasmLogPartition.ts). Float32 products compute in float32 only when every operand is float32; a
 * float64 input with a float32 output goes to the TypeScript kernel, which accumulates in float64.
 *
 * @internal
 */
import type { Backend, GemmArgs, LogPartitionArgs, RowPassArgs, WordProbabilitySumsArgs } from './backend.js';
import { tsGemm } from './tsBackend.js';
import { wasmGemm } from './wasmGemm.js';
import { wasmLogPartition } from './wasmLogPartition.js';
import { wasmSoftmaxCrossEntropy } from './wasmRows.js';
import { wasmWordProbabilitySums } from './wasmWordProbabilitySums.js';

/**
 * The WebAssembly backend over `threads` threads (≥ 1). `softmaxCrossEntropy` declines when `grad`
 * has another precision than `z`; `logPartition` and `wordProbabilitySums` when a result is not
 * finite (the caller's kernel then locates the overflow).
 *
 * @example
 * ```ts
 * const a = Float64Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i));
 * const args = () => ({ transA: false, transB: true, M: 64, N: 64, K: 64, alpha: 1, a, aOffset: 0, lda: 64, b: a, bOffset: 0, ldb: 64, beta: 0, c: new Float64Array(64 * 64), cOffset: 0, ldc: 64 });
 * const [two, one] = [args(), args()];
 * wasmBackend(2).gemm(two); // → true
 * wasmBackend(1).gemm(one); // → true
 * two.c; // → Array.from(one.c)
 * ```
 */
export function wasmBackend(threads: number): Backend {
  return {
    kind: 'wasm',
    threads,
    gemm(g: GemmArgs): boolean {
      const f32 = g.c instanceof Float32Array;
      if (f32 && !(g.a instanceof Float32Array && g.b instanceof Float32Array)) return tsGemm(g);
      wasmGemm('wasm', f32, threads, g.transA, g.transB, g.M, g.N, g.K, g.alpha, g.a, g.aOffset, g.lda, g.b, g.bOffset, g.ldb, g.beta, g.c, g.cOffset, g.ldc);
      return true;
    },
    softmaxCrossEntropy(p: RowPassArgs): boolean {
      if (p.grad && (p.grad instanceof Float32Array) !== (p.z instanceof Float32Array)) return false;
      wasmSoftmaxCrossEntropy(threads, p);
      return true;
    },
    logPartition(p: LogPartitionArgs): boolean {
      return wasmLogPartition(threads, p.V, p.n, p.d, p.H, p.m, p.words, p.out);
    },
    wordProbabilitySums(p: WordProbabilitySumsArgs): boolean {
      return wasmWordProbabilitySums(threads, p);
    },
  };
}
