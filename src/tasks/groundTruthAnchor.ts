/**
 * Least-squares anchor of a model on a bulk, for the task constructors (THEORY.md §4):
 * `min_{v_0, c} Σ_i μ_i (log Z_B(s_i) − ⟨v_0, h(s_i)⟩ − c)² (+ ridge·‖v_0‖²)` on the design
 * `[H 1]`, by `solveLeastSquares`. `fitAnchor` (src/anchor) reports much more about the fit; the
 * tasks need only the anchor itself.
 *
 * @internal
 */
import type { Matrix } from '../matrix/matrix.js';
import { logPartition } from '../softmax/logPartition.js';
import { solveLeastSquares } from '../linalg/solveLeastSquares.js';
import type { Anchor } from '../theory/types.js';

/** Unchecked: `V` is `n × d`, `H` is `m × d`, `bulk` valid, `weights` valid or undefined. */
export function leastSquaresAnchor(V: Matrix, H: Matrix, bulk: Int32Array, weights: Float64Array | undefined, ridge: number): Anchor {
  const zeta = logPartition(V, H, bulk);
  const fit = solveLeastSquares(H, zeta, { intercept: true, ridge, weights });
  return { anchor: fit.coefficients, intercept: fit.intercept };
}
