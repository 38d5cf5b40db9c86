/**
 * Unchecked 1-norm condition estimation (Hager 1984, "Condition estimates", SIAM J. Sci. Stat.
 * Comput. 5(2); with Higham's safeguard, Higham 1988, ACM TOMS 14(4), Algorithm 4.1 — the method of
 * LAPACK's `dlacon`/`dpocon`). It needs only solves with the matrix, O(n²) each with a factor in
 * hand, instead of the O(n³) inverse.
 *
 * @internal
 */

/**
 * The 1-norm (largest absolute column sum) of a row-major `n × n` matrix.
 *
 * @example
 * ```ts
 * oneNorm(new Float64Array([1, -2, 3, 4]), 2); // 6 (the second column)
 * ```
 */
export function oneNorm(a: Float64Array, n: number): number {
  const colSums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) colSums[j] += Math.abs(a[ri + j]);
  }
  let m = 0;
  for (let j = 0; j < n; j++) if (colSums[j] > m) m = colSums[j];
  return m;
}

/**
 * A lower estimate of `‖A⁻¹‖₁` (usually within a factor 3, often exact) from at most five pairs of
 * solves. `solve(x)` overwrites `x` with `A⁻¹x`; `solveTranspose(x)` with `A⁻ᵀx` (the same function
 * for a symmetric `A`).
 *
 * @example
 * ```ts
 * // A = diag(2, 4): ‖A⁻¹‖₁ = 0.5
 * const d = [2, 4];
 * const solve = (x: Float64Array) => { x[0] /= d[0]; x[1] /= d[1]; };
 * estimateInverseOneNorm(2, solve, solve); // 0.5
 * ```
 */
export function estimateInverseOneNorm(
  n: number,
  solve: (x: Float64Array) => void,
  solveTranspose: (x: Float64Array) => void,
): number {
  if (n === 0) return 0;
  const x = new Float64Array(n).fill(1 / n); // the current probe vector (‖x‖₁ = 1)
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  let est = 0;
  for (let iter = 0; iter < 5; iter++) {
    y.set(x);
    solve(y); // y = A⁻¹x
    let norm = 0;
    for (let i = 0; i < n; i++) norm += Math.abs(y[i]);
    if (iter > 0 && norm <= est) break; // no increase: the previous vertex was a local maximum
    est = norm;
    for (let i = 0; i < n; i++) z[i] = y[i] >= 0 ? 1 : -1;
    solveTranspose(z); // z = A⁻ᵀ sign(y), a subgradient of x ↦ ‖A⁻¹x‖₁
    let j = 0;
    let ztx = 0;
    for (let i = 0; i < n; i++) {
      ztx += z[i] * x[i];
      if (Math.abs(z[i]) > Math.abs(z[j])) j = i;
    }
    // Hager's optimality test: no unit vector e_j promises a larger value than the current x.
    if (Math.abs(z[j]) <= ztx) break;
    x.fill(0);
    x[j] = 1;
  }
  // Higham's safeguard against the rare matrices that fool the gradient steps: an alternating
  // vector with linearly growing magnitude.
  const alt = new Float64Array(n);
  for (let i = 0; i < n; i++) alt[i] = (i % 2 === 0 ? 1 : -1) * (1 + (n > 1 ? i / (n - 1) : 0));
  solve(alt);
  let altNorm = 0;
  for (let i = 0; i < n; i++) altNorm += Math.abs(alt[i]);
  return Math.max(est, (2 * altNorm) / (3 * n));
}
