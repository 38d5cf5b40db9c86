/**
 * Unchecked kernel: all eigenvalues and eigenvectors of a real symmetric `n × n` matrix, by
 * Householder reduction to tridiagonal form and the implicit QL algorithm with Wilkinson-type
 * shifts — the EISPACK routines `tred2` and `tql2` as published in JAMA (the public-domain Java
 * matrix package of NIST and MathWorks, `EigenvalueDecomposition`), which ml-matrix also ports.
 *
 * This port works on one flat `Float64Array` and keeps the transformation matrix transposed, so
 * every inner loop (the Householder updates, the accumulation, each QL rotation) runs along a
 * contiguous row instead of down a column: on d = 768 it took 2.9 s against 5.5 s for ml-matrix's
 * array-of-arrays `EigenvalueDecomposition` (about twice as fast; one timing of each on a
 * random Gram matrix on the shared two-core machine at a load average of about 5, in the audit of
 * issue 4).
 *
 * @internal
 */
import { NumericalError } from '../core/errors.js';

/** `√(a² + b²)` without overflow or destructive underflow (Math.hypot is several times slower in V8). */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/**
 * Eigen-decompose the symmetric matrix whose lower triangle is given row-major in `a` (`n × n`;
 * only entries `a[i·n + j]` with `j ≤ i` are read; `a` is overwritten with the eigenvectors).
 * On return `a[i·n + k]` is component `k` of the unit eigenvector `i`, and `values[i]` its
 * eigenvalue (not sorted).
 *
 * @throws NumericalError when the QL iteration does not converge (it always does for finite input
 *   in practice; the cap only protects against an endless loop on NaN).
 */
export function symmetricEigenInPlace(a: Float64Array, n: number, values: Float64Array): void {
  const d = values;
  const e = new Float64Array(n);
  // W = Vᵀ in JAMA's notation: W[j][k] = V[k][j]. The input is symmetric, so its lower triangle
  // read as V[k][j] (k ≥ j) is the upper triangle of W — the same numbers as a's lower triangle
  // read transposed. Mirror a's lower triangle into W's upper triangle first.
  const W = a;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) W[j * n + i] = a[i * n + j];
  tred2Reduce(W, n, d, e);
  tred2Accumulate(W, n, d, e);
  tql2(W, n, d, e, null);
}

/**
 * A symmetric eigendecomposition `A = Q Λ Qᵀ` kept in factored form: the Householder reflectors of
 * the tridiagonal reduction and the plane rotations of the QL iteration, in the order they were
 * applied. Applying `Qᵀ` or `Q` to a few vectors then costs `O(n²)` each, where forming `Q`
 * explicitly (the accumulations of `tred2` and `tql2`) costs about `(4/3 + 3·iterations/n)·n³`.
 */
export interface FactoredSymmetricEigen {
  n: number;
  /** The eigenvalues (not sorted); eigenvalue `i` belongs to column `i` of `Q`. */
  values: Float64Array;
  /** Row `i` (entries `[0, i)`) holds the Householder vector `uᵢ` of step `i`, `hh[i]` its `uᵀu/2`-scale `h` (0: no reflector). */
  house: Float64Array;
  hh: Float64Array;
  /** Rotation `t` acts on coordinates `rotIndex[t]` and `rotIndex[t] + 1` with cosine `rotC[t]` and sine `rotS[t]`. */
  rotIndex: Int32Array;
  rotC: Float64Array;
  rotS: Float64Array;
  rotations: number;
}

/** A row-major `gemm` (`C ← α·op(A)·op(B) + β·C`, BLAS semantics), e.g. the library's. */
export type GemmFn = (
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: Float64Array,
  aOffset: number,
  lda: number,
  b: Float64Array,
  bOffset: number,
  ldb: number,
  beta: number,
  c: Float64Array,
  cOffset: number,
  ldc: number,
) => void;

/** Householder steps per panel of the blocked reduction (their rank-2 updates become one product). */
export const REDUCE_PANEL = 32;

/**
 * Eigenvalues of the symmetric matrix whose lower triangle is given row-major in `a` (overwritten),
 * with the eigenvectors in factored form (`FactoredSymmetricEigen`), without forming the `n × n`
 * eigenvector matrix. Without `gemm`: the same reduction and QL iteration as
 * `symmetricEigenInPlace`, hence the same eigenvalues bit for bit. With `gemm` (and
 * `n > 2·REDUCE_PANEL`): the reduction is blocked as LAPACK's `dsytrd` blocks it, the rank-2
 * updates of `REDUCE_PANEL` steps applied at once by `gemm` (half the reduction's arithmetic), the
 * same reflectors up to rounding.
 *
 * @throws NumericalError when the QL iteration does not converge.
 * @example
 * ```ts
 * const f = symmetricEigenFactored(Float64Array.of(2, 0, 1, 2), 2);
 * Array.from(f.values).sort(); // [1, 3]
 * ```
 */
export function symmetricEigenFactored(a: Float64Array, n: number, gemm?: GemmFn): FactoredSymmetricEigen {
  const values = new Float64Array(n);
  const e = new Float64Array(n);
  const W = a;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) W[j * n + i] = a[i * n + j];
  if (gemm && n > 2 * REDUCE_PANEL) tred2ReduceBlocked(W, n, values, e, gemm);
  else tred2Reduce(W, n, values, e);
  // What the reduction left: the Householder vector of step i in W[i·n + j], j < i, and its h in
  // values[i]; the tridiagonal's diagonal on W's diagonal (tred2Accumulate's first step, here
  // without forming V).
  const house = new Float64Array(n * n);
  const hh = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    hh[i] = values[i];
    house.set(W.subarray(i * n, i * n + i), i * n);
  }
  for (let j = 0; j < n; j++) values[j] = W[j * n + j];
  e[0] = 0;
  const rec: RotationLog = { index: new Int32Array(4 * n), c: new Float64Array(4 * n), s: new Float64Array(4 * n), count: 0 };
  tql2(null, n, values, e, rec);
  return { n, values, house, hh, rotIndex: rec.index, rotC: rec.c, rotS: rec.s, rotations: rec.count };
}

/**
 * `y = Qᵀx` (`y[i] = ⟨qᵢ, x⟩`, the coordinates of `x` in the eigenvector basis), `x` not modified.
 *
 * @example
 * ```ts
 * const f = symmetricEigenFactored(Float64Array.of(2, 0, 1, 2), 2);
 * eigenCoordinates(f, Float64Array.of(1, 1)); // ±√2 on the eigenvalue 3, 0 on the eigenvalue 1
 * ```
 */
export function eigenCoordinates(f: FactoredSymmetricEigen, x: Float64Array): Float64Array {
  const { n, house, hh } = f;
  const y = Float64Array.from(x.subarray(0, n));
  // Vᵀ = P₁ P₂ … P_{n−1}: the reflector of the last step (largest i) first.
  for (let i = n - 1; i >= 1; i--) applyReflector(house, i * n, i, hh[i], y);
  // Sᵀ: the rotations in the order the QL iteration applied them to V's columns.
  const { rotIndex, rotC, rotS } = f;
  for (let t = 0; t < f.rotations; t++) {
    const i = rotIndex[t];
    const c = rotC[t];
    const s = rotS[t];
    const vi = y[i];
    const hv = y[i + 1];
    y[i + 1] = s * vi + c * hv;
    y[i] = c * vi - s * hv;
  }
  return y;
}

/**
 * `x = Q a = Σᵢ aᵢ qᵢ` (the vector with eigen-coordinates `a`), `a` not modified.
 *
 * @example
 * ```ts
 * const f = symmetricEigenFactored(Float64Array.of(2, 0, 1, 2), 2);
 * eigenCombination(f, eigenCoordinates(f, Float64Array.of(1, 1))); // [1, 1] to rounding
 * ```
 */
export function eigenCombination(f: FactoredSymmetricEigen, a: Float64Array): Float64Array {
  const { n, house, hh, rotIndex, rotC, rotS } = f;
  const x = Float64Array.from(a.subarray(0, n));
  // S = R₁ R₂ … R_N applied to a column vector: the last rotation first.
  for (let t = f.rotations - 1; t >= 0; t--) {
    const i = rotIndex[t];
    const c = rotC[t];
    const s = rotS[t];
    const xi = x[i];
    const xj = x[i + 1];
    x[i] = c * xi + s * xj;
    x[i + 1] = c * xj - s * xi;
  }
  // V = P_{n−1} … P₁: the reflector of the first step applied last.
  for (let i = 1; i < n; i++) applyReflector(house, i * n, i, hh[i], x);
  return x;
}

// x ← (I − u uᵀ/h) x over coordinates [0, len), u at house[off …]; h = 0 means no reflector.
function applyReflector(house: Float64Array, off: number, len: number, h: number, x: Float64Array): void {
  if (h === 0) return;
  let g = 0;
  for (let k = 0; k < len; k++) g += house[off + k] * x[k];
  g /= h;
  for (let k = 0; k < len; k++) x[k] -= g * house[off + k];
}

/** The plane rotations of `tql2` when the eigenvectors are kept factored (grown as needed). */
interface RotationLog {
  index: Int32Array;
  c: Float64Array;
  s: Float64Array;
  count: number;
}

function logRotation(rec: RotationLog, i: number, c: number, s: number): void {
  if (rec.count === rec.index.length) {
    const grow = 2 * rec.index.length;
    const index = new Int32Array(grow);
    const cc = new Float64Array(grow);
    const ss = new Float64Array(grow);
    index.set(rec.index);
    cc.set(rec.c);
    ss.set(rec.s);
    rec.index = index;
    rec.c = cc;
    rec.s = ss;
  }
  rec.index[rec.count] = i;
  rec.c[rec.count] = c;
  rec.s[rec.count] = s;
  rec.count++;
}

// The Householder reduction of tred2 (JAMA), without forming V: leaves step i's vector in W's row i
// (entries j < i), its h in d[i], the tridiagonal's sub-diagonal in e and its diagonal on W's.
function tred2Reduce(W: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  // V[k][j] ≡ W[j*n + k].
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + i - 1];
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        W[i * n + j] = f; // V[j][i] = f
        const row = j * n;
        g = e[j] + W[row + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const v = W[row + k]; // V[k][j]
          g += v * d[k];
          e[k] += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const row = j * n;
        for (let k = j; k <= i - 1; k++) W[row + k] -= f * e[k] + g * d[k];
        d[j] = W[row + i - 1];
        W[row + i] = 0; // V[i][j] = 0
      }
    }
    d[i] = h;
  }
}

/**
 * `tred2Reduce` blocked (LAPACK's `dsytrd`/`dlatrd` scheme in JAMA's storage): within a panel of
 * `REDUCE_PANEL` steps the matrix is left stale and each step's rank-2 update `A ← A − u wᵀ − w uᵀ`
 * is recorded (`u`, `w`); a step's row and its product `A u` take the pending updates into account
 * (`O(panel·i)` each); at the end of a panel one product of depth `2·panel` applies them all to the
 * leading block. Leaves W, d and e as `tred2Reduce` does (the Householder vectors in W's rows, the
 * `h` in d, the tridiagonal's diagonal on W's diagonal and its sub-diagonal in e).
 */
function tred2ReduceBlocked(W: Float64Array, n: number, d: Float64Array, e: Float64Array, gemm: GemmFn): void {
  const NB = REDUCE_PANEL;
  // Pending updates: rows [0, NB) of UW are the u's, rows [NB, 2NB) the w's, and WU the same pair
  // swapped, so that one product UWᵀ·WU (depth 2·np) is Σ u wᵀ + w uᵀ.
  const UW = new Float64Array(2 * NB * n);
  const WU = new Float64Array(2 * NB * n);
  let np = 0;
  for (let i = n - 1; i > 0; i--) {
    // Row i of the current matrix (its stale column in W's upper triangle, less the pending
    // updates), and its diagonal, final from now on.
    let diag = W[i * n + i];
    for (let k = 0; k < i; k++) d[k] = W[k * n + i];
    for (let t = 0; t < np; t++) {
      const uo = t * n;
      const wo = (NB + t) * n;
      const ui = UW[uo + i];
      const wi = UW[wo + i];
      diag -= 2 * ui * wi;
      for (let k = 0; k < i; k++) d[k] -= ui * UW[wo + k] + wi * UW[uo + k];
    }
    W[i * n + i] = diag;
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) W[i * n + j] = 0;
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A_stale u over the leading i × i block (upper triangle of W), two sums per row so that
      // the loop is not one chain of dependent additions.
      for (let j = 0; j < i; j++) {
        f = d[j];
        W[i * n + j] = f;
        const row = j * n;
        let g0 = e[j] + W[row + j] * f;
        let g1 = 0;
        let k = j + 1;
        for (; k + 1 <= i - 1; k += 2) {
          const v0 = W[row + k];
          const v1 = W[row + k + 1];
          g0 += v0 * d[k];
          g1 += v1 * d[k + 1];
          e[k] += v0 * f;
          e[k + 1] += v1 * f;
        }
        if (k <= i - 1) {
          const v = W[row + k];
          g0 += v * d[k];
          e[k] += v * f;
        }
        e[j] = g0 + g1;
      }
      // Less the pending updates: e −= Σ u (wᵀd) + w (uᵀd).
      for (let t = 0; t < np; t++) {
        const uo = t * n;
        const wo = (NB + t) * n;
        let a = 0;
        let b = 0;
        for (let k = 0; k < i; k++) {
          a += UW[wo + k] * d[k];
          b += UW[uo + k] * d[k];
        }
        for (let k = 0; k < i; k++) e[k] -= UW[uo + k] * a + UW[wo + k] * b;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      // Record the update A ← A − u wᵀ − w uᵀ (u = d, w = e on [0, i)).
      const uo = np * n;
      const wo = (NB + np) * n;
      for (let k = 0; k < i; k++) {
        UW[uo + k] = d[k];
        UW[wo + k] = e[k];
        WU[uo + k] = e[k];
        WU[wo + k] = d[k];
      }
      np++;
    }
    d[i] = h;
    if (np > 0 && (np === NB || i === 1)) {
      // The leading i × i block (all the next steps read) ← itself − Σ u wᵀ + w uᵀ. The pairs are
      // packed at rows [0, np) and [NB, NB + np): move the w's down when the panel is short.
      if (np < NB) {
        UW.copyWithin(np * n, NB * n, (NB + np) * n);
        WU.copyWithin(np * n, NB * n, (NB + np) * n);
      }
      gemm(true, false, i, i, 2 * np, -1, UW, 0, n, WU, 0, n, 1, W, 0, n);
      np = 0;
    }
  }
}

// tred2's accumulation of the transformations into V (after tred2Reduce).
function tred2Accumulate(W: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 0; i < n - 1; i++) {
    W[i * n + n - 1] = W[i * n + i]; // V[n-1][i] = V[i][i]
    W[i * n + i] = 1;
    const h = d[i + 1];
    const r1 = (i + 1) * n; // row of W holding V[·][i+1]
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[r1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const rj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[r1 + k] * W[rj + k];
        for (let k = 0; k <= i; k++) W[rj + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) W[r1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1];
    W[j * n + n - 1] = 0;
  }
  W[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

// The implicit QL iteration (JAMA's tql2); the rotations go into the rows of W (the eigenvectors
// formed) or, when W is null, into `rec` (the eigenvectors kept factored).
function tql2(W: Float64Array | null, n: number, d: Float64Array, e: Float64Array, rec: RotationLog | null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 300) throw new NumericalError('fitAnchor: the symmetric eigendecomposition must converge; got no convergence after 300 QL iterations (non-finite statistics?)');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (!W) {
            logRotation(rec as RotationLog, i, c, s);
            continue;
          }
          // Rotate eigenvector rows i and i+1 of W (columns of V).
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            const hv = W[ri1 + k];
            const vi = W[ri + k];
            W[ri1 + k] = s * vi + c * hv;
            W[ri + k] = c * vi - s * hv;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}
