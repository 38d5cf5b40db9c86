/**
 * Unchecked Cholesky kernels over a flat row-major `n × n` Float64Array: factor `G = L·Lᵀ` in place
 * and solve with the factor. Used by `choleskyDecompose`, `choleskySolve` and `solveLeastSquares`.
 *
 * @internal
 */

/**
 * Overwrite the lower triangle of the symmetric matrix `g` (row-major `n × n`, only the lower
 * triangle is read) with its Cholesky factor `L`, and zero the strict upper triangle. Row-oriented
 * (Cholesky–Banachiewicz): row `i` of `L` needs only rows `0…i`, and every inner product runs over
 * contiguous memory.
 *
 * @returns `-1` on success, otherwise the index of the first pivot that was not positive (or not
 *   finite); `g` is then partly overwritten and `g[i·n + i]` holds that pivot's value.
 *
 * @example
 * ```ts
 * const g = new Float64Array([4, 0, 2, 5]); // [[4, ·], [2, 5]]
 * choleskyInPlace(g, 2); // -1; g = [2, 0, 1, 2]
 * ```
 */
export function choleskyInPlace(g: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = g[ri + j];
      for (let k = 0; k < j; k++) s -= g[ri + k] * g[rj + k];
      if (j < i) {
        g[ri + j] = s / g[rj + j];
      } else {
        // `!(s > 0)` also catches NaN, so a non-finite input cannot pass as positive definite.
        if (!(s > 0) || !Number.isFinite(s)) {
          g[ri + i] = s; // leave the failing pivot where a caller can report it
          return i;
        }
        g[ri + i] = Math.sqrt(s);
      }
    }
    for (let j = i + 1; j < n; j++) g[ri + j] = 0;
  }
  return -1;
}

/**
 * Solve `L·y = x` in place (`L` lower triangular, row-major `n × n`).
 *
 * @example
 * ```ts
 * const x = new Float64Array([2, 3]);
 * forwardSubstituteInPlace(new Float64Array([2, 0, 1, 2]), 2, x); // x = [1, 1]
 * ```
 */
export function forwardSubstituteInPlace(l: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * x[k];
    x[i] = s / l[ri + i];
  }
}

/**
 * Solve `Lᵀ·y = x` in place (`L` lower triangular, row-major `n × n`).
 *
 * @example
 * ```ts
 * const x = new Float64Array([3, 2]);
 * backSubstituteTransposeInPlace(new Float64Array([2, 0, 1, 2]), 2, x); // x = [1, 1]
 * ```
 */
export function backSubstituteTransposeInPlace(l: Float64Array, n: number, x: Float64Array): void {
  // Column-oriented on Lᵀ (= row-oriented on L): once x[i] is final, subtract its contribution
  // from the earlier entries using row i of L, which is contiguous.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i] / l[ri + i];
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] -= l[ri + k] * xi;
  }
}

/**
 * Solve `(L·Lᵀ)·y = x` in place, given the factor from `choleskyInPlace`.
 *
 * @example
 * ```ts
 * const l = new Float64Array([2, 0, 1, 2]);  // L of [[4, 2], [2, 5]]
 * const x = new Float64Array([6, 7]);
 * choleskySolveInPlace(l, 2, x);             // x = [1, 1]
 * ```
 */
export function choleskySolveInPlace(l: Float64Array, n: number, x: Float64Array): void {
  forwardSubstituteInPlace(l, n, x);
  backSubstituteTransposeInPlace(l, n, x);
}
