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
  tred2(W, n, d, e);
  tql2(W, n, d, e);
}

function tred2(W: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
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
  // Accumulate the transformations.
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

function tql2(W: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
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
