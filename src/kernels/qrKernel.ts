/**
 * Unchecked Householder QR with column pivoting (the algorithm of LAPACK's `dgeqpf`: Businger &
 * Golub 1965, with the column-norm downdating safeguard of Drmač & Bujanović 2008 as used in
 * LAPACK 3.1+), over a flat row-major `m × n` Float64Array that it overwrites.
 *
 * After `householderQrPivoted(a, m, n, tau, perm)`:
 * - the upper triangle of the leading `min(m, n)` rows holds `R`, with `|R₀₀| ≥ |R₁₁| ≥ …` in
 *   practice (pivoting picks the column of largest remaining norm), so the numerical rank can be
 *   read off the diagonal;
 * - below the diagonal, column `k` holds the Householder vector `v_k` (with implicit `v_k[k] = 1`),
 *   and `tau[k]` its scale: `H_k = I − tau_k v_k v_kᵀ`, `Q = H₀H₁…`;
 * - `perm[k]` is the original index of the column now in position `k`: `A·P = Q·R`.
 *
 * Row-major storage is used as is: each reflector is applied by one pass over the rows that
 * accumulates `w = vᵀA` for all remaining columns at once, and a second pass that updates
 * `A ← A − tau·v·wᵀ`, so both passes stream contiguous rows.
 *
 * Exported for colleagues who need a rank-revealing factorisation (e.g. a minimum-norm solution);
 * not part of the public package API.
 *
 * @internal
 */

const EPS = 2 ** -52;

/**
 * A 2-norm of `count` values `x[off + i·stride]` that neither overflows nor underflows (scaled, as in `dnrm2`).
 *
 * @example
 * ```ts
 * scaledNorm(new Float64Array([3, 0, 4, 0]), 0, 2, 2); // 5 (entries 0 and 2)
 * ```
 */
export function scaledNorm(x: Float64Array, off: number, stride: number, count: number): number {
  let scale = 0;
  for (let i = 0; i < count; i++) {
    const v = Math.abs(x[off + i * stride]);
    if (v > scale) scale = v;
  }
  if (scale === 0) return 0;
  let s = 0;
  for (let i = 0; i < count; i++) {
    const v = x[off + i * stride] / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/**
 * Factor `A·P = Q·R` in place (see the module comment for the storage). `tau` needs `min(m, n)`
 * entries, `perm` `n`.
 *
 * @example
 * ```ts
 * const a = new Float64Array([3, 0, 4, 0]);          // 2×2: columns (3, 4) and (0, 0)
 * const tau = new Float64Array(2), perm = new Int32Array(2);
 * householderQrPivoted(a, 2, 2, tau, perm);          // R₀₀ = −5, R₁₁ = 0, perm = [0, 1]
 * ```
 */
export function householderQrPivoted(a: Float64Array, m: number, n: number, tau: Float64Array, perm: Int32Array): void {
  const steps = Math.min(m, n);
  const vn1 = new Float64Array(n); // current (downdated) norms of the trailing part of each column
  const vn2 = new Float64Array(n); // norms at the last exact recomputation, for the safeguard
  for (let j = 0; j < n; j++) {
    perm[j] = j;
    vn1[j] = scaledNorm(a, j, n, m);
    vn2[j] = vn1[j];
  }
  const w = new Float64Array(n);
  const tol3z = Math.sqrt(EPS);
  for (let k = 0; k < steps; k++) {
    // Pivot: bring the column with the largest remaining norm to position k.
    let p = k;
    for (let j = k + 1; j < n; j++) if (vn1[j] > vn1[p]) p = j;
    if (p !== k) {
      for (let i = 0; i < m; i++) {
        const r = i * n;
        const t = a[r + k];
        a[r + k] = a[r + p];
        a[r + p] = t;
      }
      const tp = perm[k];
      perm[k] = perm[p];
      perm[p] = tp;
      vn1[p] = vn1[k];
      vn2[p] = vn2[k];
    }
    // Householder vector for a[k:m, k] (LAPACK dlarfg): H·x = β·e₁ with β = −sign(x₀)‖x‖.
    const kk = k * n + k;
    const alpha = a[kk];
    const xnorm = scaledNorm(a, kk + n, n, m - k - 1);
    if (xnorm === 0) {
      // Already zero below the diagonal: H = I.
      tau[k] = 0;
    } else {
      const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
      tau[k] = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let i = k + 1; i < m; i++) a[i * n + k] *= scale;
      a[kk] = beta;
      // Apply H = I − τ v vᵀ to the trailing columns k+1…n−1: w = vᵀA, then A ← A − τ v wᵀ.
      const t = tau[k];
      for (let j = k + 1; j < n; j++) w[j] = a[k * n + j]; // v[k] = 1
      for (let i = k + 1; i < m; i++) {
        const r = i * n;
        const vi = a[r + k];
        if (vi !== 0) for (let j = k + 1; j < n; j++) w[j] += vi * a[r + j];
      }
      for (let j = k + 1; j < n; j++) a[k * n + j] -= t * w[j];
      for (let i = k + 1; i < m; i++) {
        const r = i * n;
        const tv = t * a[r + k];
        if (tv !== 0) for (let j = k + 1; j < n; j++) a[r + j] -= tv * w[j];
      }
    }
    // Downdate the trailing column norms; recompute when cancellation makes the downdate unreliable.
    for (let j = k + 1; j < n; j++) {
      if (vn1[j] === 0) continue;
      const ratio = Math.abs(a[k * n + j]) / vn1[j];
      const temp = Math.max(0, 1 - ratio * ratio);
      const q = vn1[j] / vn2[j];
      if (temp * q * q <= tol3z) {
        vn1[j] = scaledNorm(a, (k + 1) * n + j, n, m - k - 1);
        vn2[j] = vn1[j];
      } else {
        vn1[j] *= Math.sqrt(temp);
      }
    }
  }
}

/**
 * The numerical rank from the `R` diagonal of `householderQrPivoted`: the number of leading
 * diagonal entries with `|R_kk| > tol·|R₀₀|`. The default relative tolerance `max(m, n)·ε` is the
 * one LAPACK's `dgelsy` documentation and Golub & Van Loan (§5.4.1) use for a backward-stable QR:
 * anything smaller is indistinguishable from rounding error in the factorisation.
 *
 * @example
 * ```ts
 * const a = new Float64Array([3, 0, 4, 0]), tau = new Float64Array(2), perm = new Int32Array(2);
 * householderQrPivoted(a, 2, 2, tau, perm);
 * numericalRank(a, 2, 2); // → 1
 * ```
 */
export function numericalRank(r: Float64Array, m: number, n: number, relTol: number = Math.max(m, n) * EPS): number {
  const steps = Math.min(m, n);
  if (steps === 0) return 0;
  const r00 = Math.abs(r[0]);
  const thr = relTol * r00;
  let rank = 0;
  while (rank < steps && Math.abs(r[rank * n + rank]) > thr) rank++;
  return rank;
}

/**
 * Overwrite `y` (length `m`) with `Qᵀy`, using the reflectors stored by `householderQrPivoted`.
 *
 * @example
 * ```ts
 * const a = new Float64Array([3, 0, 4, 0]), tau = new Float64Array(2), perm = new Int32Array(2);
 * householderQrPivoted(a, 2, 2, tau, perm);
 * const y = new Float64Array([3, 4]);
 * applyQTransposeInPlace(a, 2, 2, tau, y); // y ← Qᵀy, so y[0..n) is the R-system right-hand side
 * ```
 */
export function applyQTransposeInPlace(a: Float64Array, m: number, n: number, tau: Float64Array, y: Float64Array): void {
  const steps = Math.min(m, n);
  for (let k = 0; k < steps; k++) {
    const t = tau[k];
    if (t === 0) continue;
    let s = y[k];
    for (let i = k + 1; i < m; i++) s += a[i * n + k] * y[i];
    s *= t;
    y[k] -= s;
    for (let i = k + 1; i < m; i++) y[i] -= s * a[i * n + k];
  }
}

/**
 * Solve `R·x = y` in place for the leading `k × k` block of `R` (row-major, row stride `n`).
 *
 * @example
 * ```ts
 * const y = new Float64Array([3, 2]);
 * solveUpperInPlace(new Float64Array([1, 1, 0, 2]), 2, 2, y); // y = [2, 1]
 * ```
 */
export function solveUpperInPlace(r: Float64Array, n: number, k: number, y: Float64Array): void {
  for (let i = k - 1; i >= 0; i--) {
    const ri = i * n;
    let s = y[i];
    for (let j = i + 1; j < k; j++) s -= r[ri + j] * y[j];
    y[i] = s / r[ri + i];
  }
}

/**
 * Solve `Rᵀ·x = y` in place for the leading `k × k` block of `R` (row-major, row stride `n`).
 *
 * @example
 * ```ts
 * const y = new Float64Array([1, 3]);
 * solveUpperTransposeInPlace(new Float64Array([1, 1, 0, 2]), 2, 2, y); // y = [1, 1]
 * ```
 */
export function solveUpperTransposeInPlace(r: Float64Array, n: number, k: number, y: Float64Array): void {
  // Forward substitution on Rᵀ; once y[i] is final, remove it from the later entries using row i
  // of R, which is contiguous.
  for (let i = 0; i < k; i++) {
    const ri = i * n;
    const yi = y[i] / r[ri + i];
    y[i] = yi;
    for (let j = i + 1; j < k; j++) y[j] -= r[ri + j] * yi;
  }
}
