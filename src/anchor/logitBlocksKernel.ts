/**
 * Unchecked kernel shared by `meanWordProbabilities` and `bulkLogPartitions`: one pass over the
 * contexts in blocks of rows, each block's full logits `z = H_block · Vᵀ` (a `rows × n` buffer,
 * never `m × n`) handed to a callback.
 *
 * @internal
 */
import { NumericalError } from '../errors/errors.js';
import { gemm } from '../linalg/gemm.js';
import type { FloatArray, Matrix } from '../matrix/matrix.js';

/**
 * Rows per block: 64 rows of GPT-2's 50,257 logits are 12.9 MB in float32 (25.7 MB in float64),
 * small enough to stay in memory bounds and large enough for `gemm` to amortise its packing.
 */
export const LOGIT_BLOCK_ROWS = 64;

/**
 * Call `visit(z, i0, ni)` for consecutive row blocks, where `z[r·n + w] = ⟨v_w, h_{i0+r}⟩` for
 * `r < ni`. The logits are float32 when both `V` and `H` are (the library's precision rule for
 * products), else float64. `onBlock(done)` reports progress after each block.
 */
export function forEachLogitBlock(
  V: Matrix,
  H: Matrix,
  visit: (z: FloatArray, i0: number, ni: number) => void,
  onBlock?: (doneRows: number) => void,
  blockRows: number = LOGIT_BLOCK_ROWS,
): void {
  const n = V.rows;
  const d = V.cols;
  const m = H.rows;
  const mb = Math.max(1, Math.min(blockRows, m));
  const f32 = V.data instanceof Float32Array && H.data instanceof Float32Array;
  const z: FloatArray = f32 ? new Float32Array(mb * n) : new Float64Array(mb * n);
  for (let i0 = 0; i0 < m; i0 += mb) {
    const ni = Math.min(mb, m - i0);
    gemm(false, true, ni, n, d, 1, H.data, i0 * d, d, V.data, 0, d, 0, z, 0, n);
    visit(z, i0, ni);
    onBlock?.(i0 + ni);
  }
}

/**
 * Stable log-sum-exp of `z[o + idx[k]]` over `k` (or of `z[o … o+n)` when `idx` is null): subtract
 * the maximum, sum in float64. Returns `NaN` when a logit is not finite (the caller turns that into
 * a `NumericalError`).
 */
export function lseRow(z: FloatArray, o: number, n: number, idx: Int32Array | null): number {
  let mx = -Infinity;
  if (idx) {
    for (let k = 0; k < idx.length; k++) {
      const v = z[o + idx[k]];
      if (v > mx) mx = v;
      else if (v !== v) return NaN;
    }
  } else {
    for (let k = 0; k < n; k++) {
      const v = z[o + k];
      if (v > mx) mx = v;
      else if (v !== v) return NaN;
    }
  }
  if (!Number.isFinite(mx)) return NaN;
  let s = 0;
  if (idx) for (let k = 0; k < idx.length; k++) s += Math.exp(z[o + idx[k]] - mx);
  else for (let k = 0; k < n; k++) s += Math.exp(z[o + k] - mx);
  return mx + Math.log(s);
}

/** The error for a context whose logits overflow, naming the public function `fn` that was called. */
export function overflow(fn: string, row: number, V: Matrix, H: Matrix): NumericalError {
  const prec = V.data instanceof Float32Array && H.data instanceof Float32Array ? 'float32' : 'float64';
  return new NumericalError(`${fn}: the logits V·h for row ${row} of 'H' must be finite; got an overflow beyond the ${prec} range: scale V or H down`);
}
