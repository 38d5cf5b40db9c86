/**
 * Golub–Welsch: the nodes of a `k`-point Gauss rule are the eigenvalues of the symmetric tridiagonal
 * Jacobi matrix of the weight's three-term recurrence, and the weights are `μ₀` times the squared
 * first components of the normalised eigenvectors (Golub & Welsch, "Calculation of Gauss quadrature
 * rules", Math. Comp. 23, 1969). The eigen-solve is the library's one symmetric eigensolver
 * (`symmetricEigenInPlace`, the same tred2/tql2 algorithm the anchor fit uses).
 *
 * @internal
 */
import { symmetricEigenInPlace } from '../kernels/symmetricEigenKernel.js';

/** Nodes (ascending) and probability weights (summing to 1) of the rule with off-diagonal `beta[0..k−2]` and zero diagonal. */
export function golubWelschKernel(beta: Float64Array): { nodes: Float64Array; weights: Float64Array } {
  const k = beta.length + 1;
  // Lower triangle of the Jacobi matrix, row-major; overwritten with the eigenvectors (row i = vector i).
  const J = new Float64Array(k * k);
  for (let i = 0; i + 1 < k; i++) J[(i + 1) * k + i] = beta[i];
  const values = new Float64Array(k);
  symmetricEigenInPlace(J, k, values);
  const order = Array.from(values, (_, i) => i).sort((p, q) => values[p] - values[q]);
  const nodes = new Float64Array(k);
  const weights = new Float64Array(k);
  let total = 0;
  for (let j = 0; j < k; j++) {
    const row = order[j] * k;
    let norm = 0;
    for (let i = 0; i < k; i++) norm += J[row + i] ** 2;
    nodes[j] = values[order[j]];
    weights[j] = J[row] ** 2 / norm;
    total += weights[j];
  }
  for (let j = 0; j < k; j++) weights[j] /= total;
  // The weights and nodes of a symmetric weight function are symmetric; enforce it exactly, so that
  // odd moments vanish to rounding and grids built from these rules are exactly symmetric.
  for (let j = 0; j < k >> 1; j++) {
    const x = 0.5 * (nodes[k - 1 - j] - nodes[j]);
    nodes[j] = -x;
    nodes[k - 1 - j] = x;
    const w = 0.5 * (weights[j] + weights[k - 1 - j]);
    weights[j] = w;
    weights[k - 1 - j] = w;
  }
  if (k % 2 === 1) nodes[k >> 1] = 0;
  return { nodes, weights };
}
