/** Row-wise Kullback–Leibler divergence between the softmax distributions of two logit matrices. */
import type { Matrix } from '../core/matrix.js';
import { checkLogitPair } from './checkLogitPair.js';
import { rowKlDivergence } from '../kernels/divergenceKernel.js';

/**
 * `KL(p_i ‖ q_i)` for every row `i`, where `p_i = softmax(logitsP[i])` and `q_i = softmax(logitsQ[i])`
 * (`docs/theory.md`: the excess loss is its mean over contexts). Computed as the sum of the
 * non-negative terms `p_j φ(q_j/p_j − 1) = q_j − p_j − p_j log(q_j/p_j)` (`φ(x) = x − log(1 + x)`),
 * each from the two log-probabilities (stable log-softmax kept as `c + log1p(t)`), so the result is
 * accurate to a few ulps relative even when `p ≈ q` or the probabilities are tiny or near 1 (no
 * difference of nearly equal numbers), and ≥ 0 by construction.
 * Accumulated and returned in float64 for either input precision.
 *
 * @param logitsP - `m × n` finite logits of `p` (`n ≥ 1`; `m = 0` gives an empty result).
 * @param logitsQ - `m × n` finite logits of `q`.
 * @returns a `Float64Array` of length `m`, every entry ≥ 0.
 * @throws ShapeError when the shapes differ or `n = 0`.
 * @throws DomainError when an argument is not a Matrix or holds a non-finite value.
 * @example
 * ```ts
 * klDivergenceRows(fromRows([[0, 0]]), fromRows([[0, Math.log(3)]]));
 * // [0.5·log(0.5/0.25) + 0.5·log(0.5/0.75)] ≈ [0.1438]
 * ```
 */
export function klDivergenceRows(logitsP: Matrix, logitsQ: Matrix): Float64Array {
  const fn = 'klDivergenceRows';
  checkLogitPair(fn, logitsP, logitsQ);
  const { rows: m, cols: n } = logitsP;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = rowKlDivergence(logitsP.data, i * n, logitsQ.data, i * n, n);
  return out;
}
