/**
 * Tensor-product grids of quadrature rules: every combination of nodes, with the product of the
 * weights. On such a grid the coordinates are exactly independent, which is what the constructions
 * of Theorems 2 and 3 need.
 *
 * @internal
 */
import type { QuadratureRule } from './gaussLegendre.js';

/** All combinations of the rules' nodes (first rule slowest), with product weights. */
export function tensorGrid(rules: readonly QuadratureRule[]): { points: Float64Array[]; weights: Float64Array } {
  let m = 1;
  for (const r of rules) m *= r.nodes.length;
  const points = rules.map(() => new Float64Array(m));
  const weights = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let rest = i;
    let w = 1;
    for (let j = rules.length - 1; j >= 0; j--) {
      const k = rules[j].nodes.length;
      const idx = rest % k;
      rest = (rest - idx) / k;
      points[j][i] = rules[j].nodes[idx];
      w *= rules[j].weights[idx];
    }
    weights[i] = w;
  }
  return { points, weights };
}
