import { checkFiniteArray, checkFiniteResult, checkFiniteMatrix, checkFloatVector, checkMatrix, checkNumber, describeValue, domainError, shapeError, shapeOf } from '../core/check.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkLogPartitionValues } from './fitAnchorKernel.js';
import { countOf } from '../core/countOf.js';

/**
 * The residuals `e(s) = ζ(s) − ⟨v₀, h(s)⟩ − c` of an anchor on contexts `H` with log-partition
 * values `ζ = log Z_B` (docs/theory.md#3-the-anchor-vector). Use it for a second pass after `AnchorAccumulator.fit`
 * (whose statistics cannot give the maximum residual), or to score a fitted anchor on new contexts.
 *
 * @param fit - `{ anchor, intercept }`, e.g. an `AnchorFit`.
 * @param H - `m × d` context representations, finite, `d = anchor.length`.
 * @param zeta - `log Z_B(sᵢ)`, length `m`, finite.
 * @returns `Float64Array` of length `m`.
 * @throws ShapeError when the lengths do not match.
 * @throws DomainError when a value is not finite or `fit` is malformed.
 * @throws NumericalError when a residual overflows float64 (finite inputs near 1e308).
 * @example
 * ```ts
 * const e = anchorResiduals(acc.fit(), H, logPartition(V, H, bulk));
 * const delta = Math.max(...e.map(Math.abs));
 * ```
 */
export function anchorResiduals(fit: { anchor: FloatArray; intercept: number }, H: Matrix, zeta: FloatArray): Float64Array {
  const fn = 'anchorResiduals';
  if (fit === null || typeof fit !== 'object') throw domainError(fn, 'fit', 'an object { anchor, intercept }', describeValue(fit));
  checkFloatVector(fn, 'fit.anchor', fit.anchor);
  checkFiniteArray(fn, 'fit.anchor', fit.anchor);
  checkNumber(fn, 'fit.intercept', fit.intercept);
  checkMatrix(fn, 'H', H);
  if (H.cols !== fit.anchor.length) throw shapeError(fn, 'H', `a matrix with ${countOf(fit.anchor.length, 'column')} (the anchor's length)`, shapeOf(H));
  checkLogPartitionValues(fn, 'zeta', zeta, H.rows);
  checkFiniteMatrix(fn, 'H', H);
  const d = H.cols;
  const out = new Float64Array(H.rows);
  for (let i = 0; i < H.rows; i++) {
    let f = fit.intercept;
    for (let j = 0; j < d; j++) f += fit.anchor[j] * H.data[i * d + j];
    out[i] = zeta[i] - f;
  }
  // Finite but huge anchors or representations (≈1e308) give a residual beyond float64.
  checkFiniteResult(fn, { residuals: out }, 'rescale H, the anchor or ζ so that ⟨v₀, h⟩ + c stays within float64');
  return out;
}
