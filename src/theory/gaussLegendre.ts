import { checkNumber, checkPositiveInt, domainError } from '../core/check.js';
import { golubWelschKernel } from './golubWelschKernel.js';

/** A quadrature rule: nodes and probability weights (non-negative, summing to 1). */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * The `k`-point Gauss–Legendre rule for the uniform distribution on `[a, b]`: `Σ_i w_i f(x_i)` equals
 * `E f(X)`, `X ~ U[a, b]`, exactly (to rounding) for every polynomial `f` of degree `≤ 2k − 1`, and
 * converges geometrically for analytic `f`. Built by Golub–Welsch from the Legendre recurrence
 * `β_j = j / sqrt(4j² − 1)`.
 *
 * @param k - number of nodes, `1 ≤ k ≤ 200`.
 * @throws DomainError when `k` is not an integer in `[1, 200]` or `a ≥ b`.
 * @example
 * ```ts
 * const { nodes, weights } = gaussLegendre(2, -1, 1); // nodes ±1/√3, weights 1/2 each
 * ```
 */
export function gaussLegendre(k: number, a = -1, b = 1): QuadratureRule {
  const fn = 'gaussLegendre';
  checkPositiveInt(fn, 'k', k);
  checkNumber(fn, 'k', k, { integer: true, min: 1, max: 200 });
  checkNumber(fn, 'a', a);
  checkNumber(fn, 'b', b);
  if (!(b > a)) throw domainError(fn, 'b', `greater than a = ${a}`, String(b));
  const beta = new Float64Array(k - 1);
  for (let j = 1; j < k; j++) beta[j - 1] = j / Math.sqrt(4 * j * j - 1);
  const { nodes, weights } = golubWelschKernel(beta);
  const mid = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  for (let i = 0; i < k; i++) nodes[i] = mid + half * nodes[i];
  return { nodes, weights };
}
