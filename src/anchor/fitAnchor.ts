import { checkFiniteMatrix, checkNonEmptyMatrix, checkWordIndices, shapeError, shapeOf } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { bulkLogPartitionChecked, checkFitOptions, fitAnchorCore } from './fitAnchorKernel.js';
import type { AnchorFit, AnchorFitOptions } from './types.js';
import { countOf } from '../core/countOf.js';

/**
 * Fit the anchor `(v₀, c)` of the model `(V, h)` on the bulk `B` (docs/theory.md#3-the-anchor-vector): weighted least
 * squares of `ζ(s) = log Z_B(s)` on `[h(s) 1]`,
 *
 *     minimise over v₀, c   Σᵢ μᵢ (ζ(sᵢ) − ⟨v₀, h(sᵢ)⟩ − c)² / Σᵢ μᵢ  +  λ‖v₀‖²,
 *
 * with `ζ` computed as `logPartition(V, H, bulk)` does (blocked, stable, float64).
 *
 * Method: the weighted, centred sufficient statistics (`AnchorAccumulator`'s) are formed in
 * float64; the centred normal equations `(C + λI) v₀ = r` are solved through the symmetric
 * eigendecomposition of the `d × d` covariance `C` of `h`, and `c = ζ̄ − ⟨v₀, h̄⟩`.
 *
 * Rank deficiency (the common case for real models): when every `h(s)` lies in an affine
 * hyperplane `⟨g, h⟩ = b`, as after a final layer norm such as GPT-2's `ln_f`, the design `[h 1]`
 * has rank `d`, and `(v₀ + t g, c − t b)` fits equally well for every `t`. Then eigenvalues of `C`
 * below `rankTolerance` are treated as zero and the minimum-norm anchor is returned (the limit of
 * the ridge solution as `λ → 0`), or the ridge solution when `ridge > 0`. `rank`,
 * `conditionNumber`, `unidentifiedDirection` (`g`) and `unidentifiedOffset` (`b`) report it. The
 * fitted values `⟨v₀, h⟩ + c`, the MSE and R² do not depend on that choice.
 *
 * Metrics (in sample, and on held-out contexts when `holdout > 0`, chosen by a seeded shuffle with
 * `createRng(seed)`): MSE, RMSE, max |residual| (the empirical `δ`), R², and the self-normalisation
 * baseline — the MSE of the best constant, `Var(log Z_B)` in sample; on held-out contexts, the MSE
 * of the training mean, so that both columns are out-of-sample. They are computed from the
 * residuals themselves, not from the statistics, so they stay accurate when R² ≈ 1.
 *
 * @param V - `n × d` word embeddings, finite (float32 or float64).
 * @param H - `m × d` context representations, finite, `m ≥ 1`.
 * @param bulk - the bulk `B`: distinct word indices in `[0, n)`, non-empty (see `allWords`,
 *   `bulkExcluding`, `bulkExcludingTop`).
 * @param opts - `ridge` (≥ 0, default 0), `rcond`, `weights` (per context), `holdout` (in `[0, 1)`),
 *   `seed` (default 0).
 * @returns the anchor, the intercept, the metrics, the rank and condition number, and `heldOut`.
 * @throws ShapeError when `V` or `H` is empty, `H.cols !== V.cols`, `bulk` is empty, or the weights
 *   do not have `m` entries.
 * @throws DomainError when an entry is not finite, `bulk` has a repeated or out-of-range index, or
 *   an option is out of range.
 * @throws NumericalError when a logit overflows.
 * @example
 * ```ts
 * const fit = fitAnchor(V, H, bulkExcludingTop(V, H, 100), { holdout: 0.2, seed: 1 });
 * console.log(fit.rmse, Math.sqrt(fit.selfNormalizationMse), fit.heldOut?.rmse, fit.rank);
 * ```
 */
export function fitAnchor(V: Matrix, H: Matrix, bulk: Int32Array, opts?: AnchorFitOptions): AnchorFit {
  const fn = 'fitAnchor';
  checkNonEmptyMatrix(fn, 'V', V);
  checkNonEmptyMatrix(fn, 'H', H);
  if (H.cols !== V.cols) throw shapeError(fn, 'H', `a matrix with ${countOf(V.cols, 'column')} (V.cols, the dimension d)`, shapeOf(H));
  checkWordIndices(fn, 'bulk', bulk, V.rows, { nonEmpty: true, unique: true });
  const st = checkFitOptions(fn, opts, H.rows);
  checkFiniteMatrix(fn, 'V', V);
  checkFiniteMatrix(fn, 'H', H);
  const zeta = bulkLogPartitionChecked(fn, V, H, bulk);
  return fitAnchorCore(fn, H, zeta, st);
}
