// Seeded fixtures for the anchor tests: random matrices, fixed-norm and layer-normed representations.
import type { Matrix } from '../../src/core/matrix.js';
import { createRng, type Rng } from '../../src/random/createRng.js';

/** An `r × c` float64 matrix of i.i.d. N(0, scale²) entries. */
export function randn(rng: Rng, r: number, c: number, scale = 1): Matrix<Float64Array> {
  const data = new Float64Array(r * c);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows: r, cols: c, data };
}

/** `m` representations of norm exactly `r` in uniformly random directions (docs/theory.md#3-the-anchor-vector's `‖h‖ = r`). */
export function fixedNorm(rng: Rng, m: number, d: number, r: number): Matrix<Float64Array> {
  const H = randn(rng, m, d);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += H.data[i * d + j] ** 2;
    for (let j = 0; j < d; j++) H.data[i * d + j] *= r / Math.sqrt(s);
  }
  return H;
}

/**
 * An exact layer norm of random pre-activations: `h = γ ⊙ (x − mean x) / std x + β`. Every `h`
 * satisfies `⟨1/γ, h − β⟩ = 0`, so the design `[h 1]` has rank `d` (docs/theory.md#3-the-anchor-vector).
 */
export function layerNormed(rng: Rng, m: number, d: number, gamma: Float64Array, beta: Float64Array): Matrix<Float64Array> {
  const X = randn(rng, m, d, 3);
  const H = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    let mu = 0;
    for (let j = 0; j < d; j++) mu += X.data[i * d + j];
    mu /= d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (X.data[i * d + j] - mu) ** 2;
    const sd = Math.sqrt(v / d);
    for (let j = 0; j < d; j++) H[i * d + j] = (gamma[j] * (X.data[i * d + j] - mu)) / sd + beta[j];
  }
  return { rows: m, cols: d, data: H };
}

/** `⟨a, h_i⟩ + c` for every row. */
export function affine(H: Matrix, a: ArrayLike<number>, c: number): Float64Array {
  const out = new Float64Array(H.rows);
  for (let i = 0; i < H.rows; i++) {
    let s = c;
    for (let j = 0; j < H.cols; j++) s += a[j] * H.data[i * H.cols + j];
    out[i] = s;
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Relative difference `|a − b| / max(|b|, tiny)`, entrywise maximum. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / Math.max(scale, 1e-300);
}

export { createRng };
