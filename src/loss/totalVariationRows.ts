/** Row-wise total-variation distance between the softmax distributions of two logit matrices. */
import type { Matrix } from '../core/matrix.js';
import { checkLogitPair } from './checkLogitPair.js';
import { rowTotalVariation } from '../kernels/divergenceKernel.js';

/**
 * `TV(p_i, q_i) = ½ Σ_j |p_ij − q_ij|` for every row `i`, where `p_i = softmax(logitsP[i])` and
 * `q_i = softmax(logitsQ[i])`. Each `|p_ij − q_ij| = max(p, q)·(1 − e^{−|log p − log q|})` is formed
 * from the two log-probabilities (stable log-softmax kept as `c + log1p(t)`), so it keeps its digits
 * when both probabilities are near 1 or both tiny (never `1 − p` by subtraction); the sum is float64
 * and the result is clamped to `[0, 1]` against rounding.
 *
 * @param logitsP - `m × n` finite logits of `p` (`n ≥ 1`; `m = 0` gives an empty result).
 * @param logitsQ - `m × n` finite logits of `q`.
 * @returns a `Float64Array` of length `m`, entries in `[0, 1]`.
 * @throws ShapeError when the shapes differ or `n = 0`.
 * @throws DomainError when an argument is not a Matrix or holds a non-finite value.
 * @example
 * ```ts
 * totalVariationRows(fromRows([[0, 0]]), fromRows([[0, Math.log(3)]])); // [0.25]
 * ```
 */
export function totalVariationRows(logitsP: Matrix, logitsQ: Matrix): Float64Array {
  const fn = 'totalVariationRows';
  checkLogitPair(fn, logitsP, logitsQ);
  const { rows: m, cols: n } = logitsP;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = rowTotalVariation(logitsP.data, i * n, logitsQ.data, i * n, n);
  return out;
}
