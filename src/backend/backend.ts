/**
 * The one interface behind every accelerated operation, and its arguments. The operations
 * (`gemm`, the fused softmax cross-entropy rows, `logPartition`) check their arguments once and
 * call `tryAccelerated*` (src/backend/accelerate.ts), which picks one implementation:
 *
 * - `tsBackend` (src/backend/tsBackend.ts): the TypeScript kernels on the calling thread;
 * - `threadedTsBackend` (src/backend/threadedTsBackend.ts): the same kernels split across worker
 *   threads over a shared heap, bitwise the single-thread results;
 * - `wasmBackend` (src/backend/wasmBackend.ts): the WebAssembly SIMD kernels on 1 or n threads.
 *
 * The backend imports kernels (plain loops) and never an operation.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';

/** `C ← α·op(A)·op(B) + β·C`, BLAS semantics, row-major (see `gemm`). */
export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  a: FloatArray;
  aOffset: number;
  lda: number;
  b: FloatArray;
  bOffset: number;
  ldb: number;
  beta: number;
  c: FloatArray;
  cOffset: number;
  ldc: number;
}

/** The fused softmax cross-entropy row pass. */
export interface RowPassArgs {
  /** Logits, `rows` rows of length `n` with row stride `ldz`, from offset `zOff`. */
  z: FloatArray;
  zOff: number;
  ldz: number;
  rows: number;
  n: number;
  /** Index targets (one per row, in [0, n)) from `tOff`, or null for a plain softmax/LSE pass. */
  targets: Int32Array | null;
  tOff: number;
  /** Per-row outputs (float64), each optional: log-sum-exp and loss `lse − z[t]`. */
  lse: Float64Array | null;
  loss: Float64Array | null;
  /** Gradient output (same precision as `z`; may be `z` itself with the same layout), or null. */
  grad: FloatArray | null;
  gOff: number;
  ldg: number;
  /** Gradient scale (e.g. 1/rows for a mean loss). */
  scale: number;
}

/** `out[i] = log Σ_{w ∈ words} exp⟨V[w], H[i]⟩` (all words when `words` is null), V `n × d`, H `m × d`. */
export interface LogPartitionArgs {
  V: FloatArray;
  n: number;
  d: number;
  H: FloatArray;
  m: number;
  words: Int32Array | null;
  out: Float64Array;
}

/**
 * The ranking pass (src/anchor/accumulateWordProbabilities.ts): for every row `i` of `H` (`m × d`)
 * and word `w` of `V` (`n × d`), with `z = ⟨V[w], H[i]⟩` and `log Z_i` its row's log-sum-exp,
 * `sums[w] += μᵢ exp(z − log Z_i)` (`weights[i] = μᵢ`, null: 1), accumulated over the rows in row
 * order, and `logZ[i] = log Z_i` when `logZ` is given.
 */
export interface WordProbabilitySumsArgs {
  V: FloatArray;
  n: number;
  d: number;
  H: FloatArray;
  m: number;
  weights: FloatArray | null;
  sums: Float64Array;
  logZ: Float64Array | null;
}

/** The implementations' names, as `getBackendInfo` reports them. */
export type BackendKind = 'typescript' | 'typescript-threads' | 'wasm';

/**
 * An implementation of the accelerated operations. Each method returns true when it computed the
 * result and false when it leaves it to the caller's kernel; when each does so is documented on the
 * implementation (the single-thread TypeScript one computes whatever it is given, except the plain
 * softmax pass without targets and a log-partition whose logits overflow, which the caller's
 * kernel handles and locates).
 */
export interface Backend {
  readonly kind: BackendKind;
  /** Threads this backend splits large problems over (1: the calling thread only). */
  readonly threads: number;
  gemm(g: GemmArgs): boolean;
  softmaxCrossEntropy(p: RowPassArgs): boolean;
  logPartition(p: LogPartitionArgs): boolean;
  /**
   * The ranking pass's sums (see `WordProbabilitySumsArgs`). False, with `sums` and `logZ`
   * untouched, when it declines or some logits are not finite (the caller's kernel then locates
   * the overflow).
   */
  wordProbabilitySums(p: WordProbabilitySumsArgs): boolean;
}
