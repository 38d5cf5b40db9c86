import { describeValue, domainError, checkNumber, checkPositiveInt } from '../core/check.js';
import { golubWelschKernel } from './golubWelschKernel.js';
import type { QuadratureRule } from './gaussLegendre.js';

/**
 * The `k`-point Gauss–Hermite rule for the normal distribution `N(0, σ²)`: `Σ_i w_i f(x_i) = E f(X)`
 * exactly (to rounding) for every polynomial of degree `≤ 2k − 1`. Built by Golub–Welsch from the
 * probabilists' Hermite recurrence `β_j = sqrt(j)`, then scaled by `σ`.
 *
 * @param k - number of nodes, `1 ≤ k ≤ 200`.
 * @param sigma - standard deviation `σ > 0`.
 * @throws DomainError when `k` is not an integer in `[1, 200]` or `sigma ≤ 0`.
 * @example
 * ```ts
 * const { nodes, weights } = gaussHermite(2); // nodes ±1, weights 1/2 each
 * ```
 */
export function gaussHermite(k: number, sigma = 1): QuadratureRule {
  const fn = 'gaussHermite';
  checkPositiveInt(fn, 'k', k);
  checkNumber(fn, 'k', k, { integer: true, min: 1, max: 200 });
  checkNumber(fn, 'sigma', sigma, { min: 0, minExclusive: true });
  const beta = new Float64Array(k - 1);
  for (let j = 1; j < k; j++) beta[j - 1] = Math.sqrt(j);
  const { nodes, weights } = golubWelschKernel(beta);
  for (let i = 0; i < k; i++) nodes[i] *= sigma;
  // The largest node is about √(4k)·σ: a σ near the float64 limit would make it infinite.
  if (!Number.isFinite(nodes[0]) || !Number.isFinite(nodes[k - 1])) throw domainError(fn, 'sigma', `small enough that the nodes (up to ${Math.abs(nodes[k - 1] / sigma).toPrecision(3)}·sigma) stay finite`, describeValue(sigma));
  return { nodes, weights };
}
