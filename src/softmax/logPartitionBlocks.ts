/**
 * The blocked log-partition behind `logPartition` (arguments already checked; dispatches each
 * product to the backend, so it is not a kernel): `out[i] = LSE_{w ∈ A} ⟨v_w, h_i⟩` in bounded memory.
 *
 * Loop order: the words are taken in chunks of `blockWords`; for a subset `A` the chunk's rows of
 * `V` are gathered once into a contiguous scratch block. For each chunk, the contexts are taken in
 * blocks of `blockRows` and the `blockRows × blockWords` logits block is computed by `gemm`
 * (`H_block · V_chunkᵀ`). Each context keeps a running maximum `M` and a running sum
 * `S = Σ exp(z − M)` over the chunks seen so far (the "online" log-sum-exp: when a chunk raises the
 * maximum to `c`, the old sum is rescaled by `exp(M − c) ≤ 1`), so every term is in `[0, 1]` and the
 * result `M + log S` is as stable as a two-pass log-sum-exp over the whole row.
 *
 * Memory: the logits block (`blockRows·blockWords` numbers, 512 KB in float64 at the defaults), the
 * gather block (`blockWords·d` numbers, subsets only: 3 MB for d = 768 in float32) and two float64
 * arrays of length `m`. Never `m × n`.
 *
 * Precision: when both `V` and `H` are float32, the logits block is float32 (as the library's
 * float32 products are) so an accelerated float32 `gemm` can take it; otherwise float64. The
 * running maximum and sum are always float64.
 *
 * Preconditions (the caller checks): `V` is `n × d` and `H` is `m × d` with `d ≥ 1`, all entries
 * finite, `words` (if given) non-empty with entries in `[0, n)`, `out.length ≥ m`,
 * `blockRows, blockWords ≥ 1`.
 *
 * @returns `-1` on success, else the index of the first context whose logits were not finite
 *   (the product overflowed), in which case `out` is not filled.
 * @internal
 */
import type { FloatArray, Matrix } from '../core/matrix.js';
import { LOG_PARTITION_BLOCK_ROWS, LOG_PARTITION_BLOCK_WORDS, logPartitionRowBlocks } from '../kernels/logPartitionRowBlocksKernel.js';
import { gemm } from '../linalg/gemm.js';
import { tryAcceleratedLogPartition } from '../backend/accelerate.js';

// Math functions are bound once at module scope: under jest every lookup of the global `Math` in a
// hot loop goes through the test sandbox's global object and costs ~0.4 µs (measured: 1e6 calls of
// Math.exp took 480 ms in a test against 16 ms through a module-scope alias); in plain Node the
// alias costs nothing.
const { log, min } = Math;

/**
 * `out[i] = LSE_{w ∈ A} ⟨v_w, h_i⟩` for every row of `H` (see the module comment for the loop order,
 * memory and precision). `words = null` means all words.
 *
 * @example
 * ```ts
 * const out = new Float64Array(1);
 * logPartitionBlocks(fromRows([[1, 0], [0, 1]]), fromRows([[0, 0]]), null, out); // -1; out = [Math.log(2)]
 * ```
 */
export function logPartitionBlocks(
  V: Matrix,
  H: Matrix,
  words: Int32Array | null,
  out: Float64Array,
  blockRows: number = LOG_PARTITION_BLOCK_ROWS,
  blockWords: number = LOG_PARTITION_BLOCK_WORDS,
): number {
  const d = V.cols;
  const m = H.rows;
  const nA = words ? words.length : V.rows;
  if (m === 0) return -1;
  // The accelerated backend fuses the product and the log-sum-exp (the logits never reach memory);
  // it declines when inactive, for small problems, and when a result overflows (located below).
  // Explicit block sizes ask for this kernel's own blocking.
  if (blockRows === LOG_PARTITION_BLOCK_ROWS && blockWords === LOG_PARTITION_BLOCK_WORDS && tryAcceleratedLogPartition(V.data, V.rows, d, H.data, m, words, out)) {
    return -1;
  }
  const nb = min(blockWords, nA);
  const mb = min(blockRows, m);
  const f32 = V.data instanceof Float32Array && H.data instanceof Float32Array;
  const z: FloatArray = f32 ? new Float32Array(mb * nb) : new Float64Array(mb * nb);
  let gather: FloatArray | null = null;
  if (words) gather = V.data instanceof Float32Array ? new Float32Array(nb * d) : new Float64Array(nb * d);
  const runMax = new Float64Array(m).fill(-Infinity);
  const runSum = new Float64Array(m);
  const vData = V.data;
  const hData = H.data;

  for (let w0 = 0; w0 < nA; w0 += nb) {
    const nw = min(nb, nA - w0);
    let b: FloatArray = vData;
    let bOff = w0 * d;
    if (words && gather) {
      for (let k = 0; k < nw; k++) {
        const src = words[w0 + k] * d;
        gather.set(vData.subarray(src, src + d), k * d);
      }
      b = gather;
      bOff = 0;
    }
    const bad = logPartitionRowBlocks(gemm, hData, 0, m, d, b, bOff, nw, z, mb, runMax, runSum);
    if (bad >= 0) return bad;
  }
  for (let i = 0; i < m; i++) out[i] = runMax[i] + log(runSum[i]);
  return -1;
}

