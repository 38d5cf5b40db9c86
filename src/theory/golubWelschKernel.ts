/**
 * Golub–Welsch: the nodes of a `k`-point Gauss rule are the eigenvalues of the symmetric tridiagonal
 * Jacobi matrix of the weight's three-term recurrence, and the weights are `μ₀` times the squared
 * first components of the normalised eigenvectors (Golub & Welsch, "Calculation of Gauss quadrature
 * rules", Math. Comp. 23, 1969). The eigen-solve is ml-matrix's symmetric `EigenvalueDecomposition`.
 *
 * @internal
 */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';

/** Nodes (ascending) and probability weights (summing to 1) of the rule with off-diagonal `beta[0..k−2]` and zero diagonal. */
export function golubWelschKernel(beta: Float64Array): { nodes: Float64Array; weights: Float64Array } {
  const k = beta.length + 1;
  const J = MlMatrix.zeros(k, k);
  for (let i = 0; i + 1 < k; i++) {
    J.set(i, i + 1, beta[i]);
    J.set(i + 1, i, beta[i]);
  }
  const evd = new EigenvalueDecomposition(J, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((p, q) => values[p] - values[q]);
  const nodes = new Float64Array(k);
  const weights = new Float64Array(k);
  let total = 0;
  for (let j = 0; j < k; j++) {
    const col = order[j];
    let norm = 0;
    for (let i = 0; i < k; i++) norm += vectors.get(i, col) ** 2;
    nodes[j] = values[col];
    weights[j] = vectors.get(0, col) ** 2 / norm;
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
