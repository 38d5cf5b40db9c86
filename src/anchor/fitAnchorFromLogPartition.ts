import { checkFiniteMatrix, checkNonEmptyMatrix } from '../core/check.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkFitOptions, checkLogPartitionValues, fitAnchorCore } from './fitAnchorKernel.js';
import type { AnchorFit, AnchorFitOptions } from './types.js';

/**
 * Fit an anchor to log-partition values computed elsewhere (for example on a GPU): weighted least
 * squares of `ζ(s) = log Z_B(s)` on `[h(s) 1]`, exactly as `fitAnchor` does after computing `ζ`.
 * See `fitAnchor` for the method, the rank-deficient case and the metrics.
 *
 * @param H - `m × d` context representations, finite, `m ≥ 1`.
 * @param zeta - `log Z_B(sᵢ)` for each row of `H` (length `m`), finite.
 * @param opts - `ridge`, `rcond`, `weights`, `holdout`, `seed`.
 * @returns the anchor, intercept, metrics, rank and condition number (and `heldOut` metrics).
 * @throws ShapeError when `H` is empty or `zeta` / `weights` do not have `m` entries.
 * @throws DomainError when a value is not finite, a weight is negative or all are zero, `ridge < 0`,
 *   `rcond ∉ (0, 1)`, `holdout ∉ [0, 1)` or leaves a part empty, or `seed` is invalid.
 * @example
 * ```ts
 * const H = fromRows([[0, 1], [1, 0], [1, 1], [2, 1]]);
 * const zeta = new Float64Array([1.5, 2, 2.5, 3.5]); // exactly 1 + h₀ + 0.5·h₁
 * const fit = fitAnchorFromLogPartition(H, zeta);    // fit.anchor ≈ [1, 0.5], fit.intercept ≈ 1, fit.r2 ≈ 1
 * ```
 */
export function fitAnchorFromLogPartition(H: Matrix, zeta: FloatArray, opts?: AnchorFitOptions): AnchorFit {
  const fn = 'fitAnchorFromLogPartition';
  checkNonEmptyMatrix(fn, 'H', H);
  checkLogPartitionValues(fn, 'zeta', zeta, H.rows);
  const st = checkFitOptions(fn, opts, H.rows);
  checkFiniteMatrix(fn, 'H', H);
  return fitAnchorCore(fn, H, zeta, st);
}
