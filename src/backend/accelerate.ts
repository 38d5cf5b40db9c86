/**
 * Hooks through which the accelerated kernel backend (WebAssembly SIMD, worker threads) takes over
 * work from the TypeScript kernels. Each returns true when it computed the result, false to let
 * the TypeScript kernel run, so callers keep one code path and the backend can decline anything it
 * does not handle (the `'js'` backend, mixed precisions, trivial sizes).
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';
import { activeBackend, threadCount } from './config.js';
import { THREAD_MIN_MADDS, wasmGemm } from './wasmGemm.js';
import { jsWorkerSource } from './threadPool.js';
import { wasmSupport } from './wasmApi.js';
import { wasmLogPartition } from './wasmLogPartition.js';
import { wasmSoftmaxCrossEntropy, type RowPassArgs } from './wasmRows.js';
import { jsSoftmaxCrossEntropy } from './jsRows.js';
import { jsGemm } from './jsGemm.js';
import { JS_LSE_THREAD_MIN_MADDS, jsLogPartition } from './jsLogPartition.js';

/** Threads the TypeScript kernels may use: 1 unless shared memory and the worker source exist. */
function jsThreads(): number {
  const threads = threadCount();
  return threads >= 2 && wasmSupport().ok && jsWorkerSource() ? threads : 1;
}

/** Below this many multiply-adds the TypeScript kernel is as fast as staging into WebAssembly. */
export const WASM_MIN_MADDS = 4096;

/**
 * `C ← α·op(A)·op(B) + β·C` (BLAS semantics, row-major; see `gemm`) on the accelerated backend.
 * Declines (returns false) on the `'js'` backend, for products under `WASM_MIN_MADDS`, when
 * `α = 0` or `K = 0` (pure scaling of C), and when C is float32 but an input is float64.
 * @example
 * ```ts
 * const a = new Float32Array(64 * 64).fill(1);
 * const c = new Float32Array(64 * 64);
 * if (!tryAcceleratedGemm(false, true, 64, 64, 64, 1, a, 0, 64, a, 0, 64, 0, c, 0, 64)) {
 *   gemmKernel(false, true, 64, 64, 64, 1, a, 0, 64, a, 0, 64, 0, c, 0, 64); // c is all 64 either way
 * }
 * ```
 */
export function tryAcceleratedGemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: FloatArray,
  aOffset: number,
  lda: number,
  b: FloatArray,
  bOffset: number,
  ldb: number,
  beta: number,
  c: FloatArray,
  cOffset: number,
  ldc: number,
): boolean {
  if (M <= 0 || N <= 0 || K <= 0 || alpha === 0) return false;
  if (M * N * K < WASM_MIN_MADDS) return false;
  const f32 = c instanceof Float32Array;
  if (activeBackend() !== 'wasm') {
    // The TypeScript kernel in worker threads: only for problems large enough to split, when the
    // kernel can run in workers and shared memory exists; otherwise the caller's kernel runs.
    const threads = threadCount();
    if (threads < 2 || M * N * K < THREAD_MIN_MADDS || !wasmSupport().ok || !jsWorkerSource()) return false;
    if (!(a instanceof c.constructor && b instanceof c.constructor)) return false;
    // The queued split (src/backend/jsGemm.ts) where its staging fits, else the staged strips.
    if (jsGemm(threads, transA, transB, M, N, K, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc)) return true;
    wasmGemm('js', f32, threads, transA, transB, M, N, K, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    return true;
  }
  // float32 storage computes in float32 only when every operand is float32; a float64 input with a
  // float32 output is left to the TypeScript kernel, which accumulates in float64.
  if (f32 && !(a instanceof Float32Array && b instanceof Float32Array)) return false;
  wasmGemm('wasm', f32, threadCount(), transA, transB, M, N, K, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
  return true;
}

/**
 * The fused softmax cross-entropy row pass (see `RowPassArgs`) on the accelerated backend: per row
 * the log-sum-exp, the loss `lse − z[t]` and the gradient `scale·(softmax(z) − onehot(t))`.
 * Declines for passes under `WASM_MIN_MADDS` elements; on the WebAssembly backend also when `grad`
 * has a different precision from `z`; on the `'js'` backend without index targets. On the `'js'`
 * backend the TypeScript row kernel (`rowCrossEntropyIndex`) runs every row, split across threads
 * for large passes (src/backend/jsRows.ts): the result is bitwise the same for any thread count.
 * @example
 * ```ts
 * const z = new Float32Array(64 * 100);               // 64 rows of 100 zero logits
 * const loss = new Float64Array(64);
 * tryAcceleratedSoftmaxCrossEntropy({ z, zOff: 0, ldz: 100, rows: 64, n: 100, targets: new Int32Array(64), tOff: 0,
 *   lse: null, loss, grad: z, gOff: 0, ldg: 100, scale: 1 / 64 }); // true; loss[i] = Math.log(100)
 * ```
 */
export function tryAcceleratedSoftmaxCrossEntropy(p: RowPassArgs): boolean {
  if (p.rows <= 0 || p.n <= 0 || p.rows * p.n < WASM_MIN_MADDS) return false;
  if (activeBackend() !== 'wasm') {
    // Whether this takes the pass must not depend on the thread count, so that the caller's
    // fallback (which may use another row kernel) never replaces it for some counts only.
    if (!p.targets) return false;
    jsSoftmaxCrossEntropy(jsThreads(), p);
    return true;
  }
  if (p.grad && (p.grad instanceof Float32Array) !== (p.z instanceof Float32Array)) return false;
  wasmSoftmaxCrossEntropy(threadCount(), p);
  return true;
}

/**
 * `out[i] = log Σ_{w ∈ words} exp⟨V[w], H[i]⟩` (all words when `words` is null) for `V` `n × d`
 * and `H` `m × d` row-major, fused so that no logits are stored. Declines for problems under
 * `WASM_MIN_MADDS` multiply-adds and when a result is not finite (the caller's kernel then reports
 * where the logits overflowed). On the `'js'` backend it takes only problems of at least
 * `JS_LSE_THREAD_MIN_MADDS` with threads available, splitting the contexts across them with
 * bitwise the single-threaded kernel's results (src/backend/jsLogPartition.ts).
 * @example
 * ```ts
 * const out = new Float64Array(32);
 * tryAcceleratedLogPartition(new Float32Array(500 * 16), 500, 16, new Float32Array(32 * 16), 32, null, out);
 * // true; every out[i] = Math.log(500)
 * ```
 */
export function tryAcceleratedLogPartition(V: FloatArray, n: number, d: number, H: FloatArray, m: number, words: Int32Array | null, out: Float64Array): boolean {
  const nA = words ? words.length : n;
  if (m <= 0 || nA <= 0 || d <= 0 || m * nA * d < WASM_MIN_MADDS) return false;
  if (activeBackend() !== 'wasm') {
    const threads = jsThreads();
    if (threads < 2 || m * nA * d < JS_LSE_THREAD_MIN_MADDS) return false;
    return jsLogPartition(threads, V, n, d, H, m, words, out);
  }
  return wasmLogPartition(threadCount(), V, n, d, H, m, words, out);
}
