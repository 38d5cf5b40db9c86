/**
 * The ranking pass, unchecked (a driver rather than a kernel: it dispatches to the backend):
 * `sums[w] += Σᵢ μᵢ p(w|sᵢ)` over a set of contexts, on the chosen backend (src/backend/backend.ts `wordProbabilitySums`: the WebAssembly backend fuses the
 * product with the row log-sum-exp and splits the row work across its threads), or on the
 * TypeScript kernels here when the backend declines (small problems, an overflow to locate).
 *
 * @internal
 */
import { tryAcceleratedWordProbabilitySums } from '../backend/accelerate.js';
import type { GemmArgs } from '../backend/backend.js';
import { jsWordProbabilitySums, WORD_PROBABILITY_BLOCK_ROWS } from '../backend/jsWordProbabilitySums.js';
import { gemm } from '../linalg/gemm.js';
import type { FloatArray, Matrix } from '../core/matrix.js';

export { WORD_PROBABILITY_BLOCK_ROWS };

/**
 * Contexts per backend call: progress is reported after each, and the gathered rows of `H` stay
 * bounded (a multiple of `WORD_PROBABILITY_BLOCK_ROWS`, so the TypeScript blocks, and hence the
 * results, do not depend on it).
 */
export const WORD_PROBABILITY_CALL_ROWS = 16 * WORD_PROBABILITY_BLOCK_ROWS;

// The library's `gemm` (dispatching to the backend) in the backend's argument form.
const libraryGemm = (g: GemmArgs): boolean => {
  gemm(g.transA, g.transB, g.M, g.N, g.K, g.alpha, g.a, g.aOffset, g.lda, g.b, g.bOffset, g.ldb, g.beta, g.c, g.cOffset, g.ldc);
  return true;
};

/**
 * For the rows `rows` of `H` (all rows when null): the logits `z = V h` (float32 when `V` and `H`
 * both are, else float64, the library's precision rule for products), `log Z(sᵢ)` by the library's
 * row log-sum-exp (maximum subtracted, float64 sum), and `sums[w] += μᵢ exp(z_w − log Z(sᵢ))`,
 * never a ratio of exponentials, added over the contexts in order. `weights[t]` is the weight of
 * the `t`-th listed row (null: 1). `logZ[t]`, when given, receives `log Z` of the `t`-th row.
 *
 * @returns `-1`, or the index (in `H`) of the first row whose logits were not finite.
 */
export function accumulateWordProbabilities(
  V: Matrix,
  H: Matrix,
  rows: Int32Array | null,
  weights: FloatArray | null,
  sums: Float64Array,
  logZ: Float64Array | null,
  onBlock?: (done: number, total: number) => void,
): number {
  const n = V.rows;
  const d = V.cols;
  const count = rows ? rows.length : H.rows;
  if (count === 0) return -1;
  const cb = Math.min(WORD_PROBABILITY_CALL_ROWS, count);
  const h = H.data;
  const hb: FloatArray | null = rows ? (h instanceof Float32Array ? new Float32Array(cb * d) : new Float64Array(cb * d)) : null;
  for (let t0 = 0; t0 < count; t0 += cb) {
    const ni = Math.min(cb, count - t0);
    let hc: FloatArray;
    if (rows && hb) {
      for (let r = 0; r < ni; r++) hb.set(h.subarray(rows[t0 + r] * d, (rows[t0 + r] + 1) * d), r * d);
      hc = hb.subarray(0, ni * d);
    } else {
      hc = h.subarray(t0 * d, (t0 + ni) * d);
    }
    const p = { V: V.data, n, d, H: hc, m: ni, weights: weights ? weights.subarray(t0, t0 + ni) : null, sums, logZ: logZ ? logZ.subarray(t0, t0 + ni) : null };
    if (!tryAcceleratedWordProbabilitySums(p)) {
      const bad = jsWordProbabilitySums(p, libraryGemm);
      if (bad >= 0) return rows ? rows[t0 + bad] : t0 + bad;
    }
    onBlock?.(t0 + ni, count);
  }
  return -1;
}
