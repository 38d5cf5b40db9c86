/**
 * The dispatch from the operations to the chosen backend (src/backend/backend.ts). Each hook returns
 * true when the backend computed the result, false to let the caller's TypeScript kernel run, so
 * callers keep one code path. Trivial sizes never reach a backend.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import type { Backend, RowPassArgs, WordProbabilitySumsArgs } from './backend.js';
import { activeBackend, threadCount } from './config.js';
import { usableThreads } from './pool.js';
import { threadedTsBackend } from './threadedTsBackend.js';
import { tsBackend } from './tsBackend.js';
import { sharedMemorySupport } from './wasmApi.js';
import { wasmBackend } from './wasmBackend.js';

export type { RowPassArgs } from './backend.js';

/** Below this many multiply-adds the TypeScript kernel is as fast as staging into WebAssembly. */
export const WASM_MIN_MADDS = 4096;

/**
 * The backend that runs now: WebAssembly when active (on the threads usable now), else the
 * TypeScript kernels, threaded when threads and shared memory exist.
 *
 * @example
 * ```ts
 * chosenBackend().kind; // 'wasm'
 * ```
 */
export function chosenBackend(): Backend {
  const requested = threadCount();
  if (activeBackend() === 'wasm') return wasmBackend(usableThreads(requested, true));
  if (requested < 2 || !sharedMemorySupport().ok) return tsBackend;
  const threads = usableThreads(requested, false);
  return threads >= 2 ? threadedTsBackend(threads) : tsBackend;
}

/**
 * `C ← α·op(A)·op(B) + β·C` (BLAS semantics, row-major; see `gemm`) on the chosen backend.
 * Declines (returns false) for products under `WASM_MIN_MADDS` and when `α = 0` or `K = 0` (pure
 * scaling of C).
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
  return chosenBackend().gemm({ transA, transB, M, N, K, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc });
}

/**
 * The fused softmax cross-entropy row pass (see `RowPassArgs`) on the chosen backend: per row the
 * log-sum-exp, the loss `lse − z[t]` and the gradient `scale·(softmax(z) − onehot(t))`. Declines
 * for passes under `WASM_MIN_MADDS` elements; on the WebAssembly backend also when `grad` has a
 * different precision from `z`; on the TypeScript backends without index targets. Whether it takes
 * a pass never depends on the thread count, so that the caller's fallback (which may use another
 * row kernel) never replaces it for some counts only.
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
  return chosenBackend().softmaxCrossEntropy(p);
}

/**
 * `out[i] = log Σ_{w ∈ words} exp⟨V[w], H[i]⟩` (all words when `words` is null) for `V` `n × d`
 * and `H` `m × d` row-major, fused so that no logits are stored. Declines for problems under
 * `WASM_MIN_MADDS` multiply-adds and when a result is not finite (the caller's kernel then reports
 * where the logits overflowed).
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
  return chosenBackend().logPartition({ V, n, d, H, m, words, out });
}

/**
 * The ranking pass (see `WordProbabilitySumsArgs`: `sums[w] += μᵢ p(w|sᵢ)`, and `log Z` per
 * context) on the chosen backend. Declines for problems under `WASM_MIN_MADDS` multiply-adds
 * (whatever the thread count) and when some logits are not finite; `sums` and `logZ` are then
 * untouched, and the caller's kernel computes them and locates the overflow.
 * @example
 * ```ts
 * const sums = new Float64Array(500);
 * tryAcceleratedWordProbabilitySums({ V: new Float32Array(500 * 16), n: 500, d: 16, H: new Float32Array(32 * 16), m: 32, weights: null, sums, logZ: null });
 * // true; every sums[w] = 32 / 500
 * ```
 */
export function tryAcceleratedWordProbabilitySums(p: WordProbabilitySumsArgs): boolean {
  if (p.m <= 0 || p.n <= 0 || p.d <= 0 || p.m * p.n * p.d < WASM_MIN_MADDS) return false;
  return chosenBackend().wordProbabilitySums(p);
}
