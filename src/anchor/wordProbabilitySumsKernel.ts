/**
 * Unchecked kernel of the ranking pass: `sums[w] += Σᵢ μᵢ p(w|sᵢ)` over a set of contexts, one
 * block of contexts' logits at a time.
 *
 * @internal
 */
import { gemm } from '../linalg/gemm.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { fastExp } from '../kernels/fastExp.js';
import { rowLogSumExp } from '../kernels/softmaxKernel.js';

// Bound once at module scope (a global lookup in a hot loop is slow under jest's sandbox).
const { min } = Math;
// The library's exp for row kernels (within 2 ulps of Math.exp, about 3× cheaper): n·m calls here.
const exp = fastExp;

/**
 * Contexts per logits block: 64 rows of GPT-2's 50,257 logits are 12.9 MB in float32 (25.7 MB in
 * float64), bounded whatever the number of contexts, and large enough for `gemm` to amortise its
 * packing.
 */
export const WORD_PROBABILITY_BLOCK_ROWS = 64;

/**
 * For the rows `rows` of `H` (all rows when null), in blocks: the logits `z = V h` (float32 when
 * `V` and `H` both are, else float64, the library's precision rule for products), `log Z(s)` by the
 * library's row log-sum-exp (`softmaxKernel.rowLogSumExp`: maximum subtracted, float64 sum), and
 * `sums[w] += μᵢ exp(z_w − log Z(sᵢ))`, never a ratio of exponentials. `weights[t]` is the weight
 * of the `t`-th listed row (null: 1). `logZ[t]`, when given, receives `log Z` of the `t`-th row.
 *
 * @returns `-1`, or the index (in `H`) of the first row whose logits were not finite.
 */
export function wordProbabilitySumsKernel(
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
  const mb = min(WORD_PROBABILITY_BLOCK_ROWS, count);
  const f32 = V.data instanceof Float32Array && H.data instanceof Float32Array;
  const z: FloatArray = f32 ? new Float32Array(mb * n) : new Float64Array(mb * n);
  const hb: FloatArray = H.data instanceof Float32Array ? new Float32Array(mb * d) : new Float64Array(mb * d);
  const h = H.data;
  for (let t0 = 0; t0 < count; t0 += mb) {
    const ni = min(mb, count - t0);
    for (let r = 0; r < ni; r++) {
      const i = rows ? rows[t0 + r] : t0 + r;
      hb.set(h.subarray(i * d, (i + 1) * d), r * d);
    }
    gemm(false, true, ni, n, d, 1, hb, 0, d, V.data, 0, d, 0, z, 0, n);
    for (let r = 0; r < ni; r++) {
      const o = r * n;
      const lz = rowLogSumExp(z, o, n);
      // A logit that overflowed (±∞, or NaN from ∞ − ∞ in the product) makes the sum non-finite.
      if (lz - lz !== 0) return rows ? rows[t0 + r] : t0 + r;
      if (logZ) logZ[t0 + r] = lz;
      const w = weights ? weights[t0 + r] : 1;
      if (w === 0) continue;
      for (let k = 0; k < n; k++) sums[k] += w * exp(z[o + k] - lz);
    }
    onBlock?.(t0 + ni, count);
  }
  return -1;
}
