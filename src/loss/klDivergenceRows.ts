/** Row-wise Kullback–Leibler divergence between the softmax distributions of two logit matrices. */
import type { Matrix } from '../matrix/matrix.js';
import { checkLogitPair } from './checkLogitPair.js';
import { rowKlDivergence } from './divergenceKernel.js';

/**
 * `KL(p_i ‖ q_i)` for every row `i`, where `p_i = softmax(logitsP[i])` and `q_i = softmax(logitsQ[i])`
 * (docs/theory.md#2-pre-training-loss-and-its-gradient: the excess loss is its mean over contexts). Computed as
 * `Σ_j p_j (log p_j − log q_j)` with both log-probabilities from the stable log-softmax and
 * `p_j = exp(log p_j)`; terms whose `p_j` underflows to 0 contribute 0. The exact KL is ≥ 0, so a
 * computed value that rounding pushed below 0 is returned as 0 (this only happens when `p ≈ q`).
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
