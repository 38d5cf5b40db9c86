// Shared helpers of the backend tests: seeded data and a float64 reference GEMM with its error scale.
import { createRng } from '../../src/random/createRng.js';
import type { FloatArray } from '../../src/core/matrix.js';

// Under jest every lookup of the global `Math` goes through the sandbox's global object (about
// 0.4 µs each; see src/random/createRng.ts), so hot loops use module-scope aliases.
const { abs, max } = Math;

/** A buffer of `len` values, uniform in [−1, 1), from a seed. */
export function randomArray(f32: boolean, len: number, seed: string, scale = 1): FloatArray {
  const rng = createRng(seed);
  const out = f32 ? new Float32Array(len) : new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = scale * (2 * rng.next() - 1);
  return out;
}

export interface GemmCase {
  tA: boolean;
  tB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  aOff: number;
  lda: number;
  bOff: number;
  ldb: number;
  cOff: number;
  ldc: number;
}

/** Buffers for a case, padded and offset as the case says. */
export function gemmBuffers(f32: boolean, g: GemmCase, seed: string): { a: FloatArray; b: FloatArray; c: FloatArray } {
  const aRows = g.tA ? g.K : g.M;
  const bRows = g.tB ? g.N : g.K;
  const a = randomArray(f32, g.aOff + aRows * g.lda, seed + 'a');
  const b = randomArray(f32, g.bOff + bRows * g.ldb, seed + 'b');
  const c = randomArray(f32, g.cOff + g.M * g.ldc, seed + 'c');
  return { a, b, c };
}

/**
 * Float64 reference `α·op(A)·op(B) + β·C` and, per element, the scale `|α|·Σ|a||b| + |β||c|` that
 * the rounding-error bound of a K-term dot product is proportional to (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 2nd ed., §3.1: |fl(xᵀy) − xᵀy| ≤ γ_K Σ|x_i y_i|).
 */
export function referenceGemm(g: GemmCase, a: FloatArray, b: FloatArray, c: FloatArray): { ref: Float64Array; scale: Float64Array } {
  const ref = new Float64Array(g.M * g.N);
  const scale = new Float64Array(g.M * g.N);
  for (let i = 0; i < g.M; i++) {
    for (let j = 0; j < g.N; j++) {
      let s = 0;
      let sa = 0;
      for (let p = 0; p < g.K; p++) {
        const av = g.tA ? a[g.aOff + p * g.lda + i] : a[g.aOff + i * g.lda + p];
        const bv = g.tB ? b[g.bOff + j * g.ldb + p] : b[g.bOff + p * g.ldb + j];
        s += av * bv;
        sa += abs(av * bv);
      }
      const cv = g.beta === 0 ? 0 : c[g.cOff + i * g.ldc + j];
      ref[i * g.N + j] = g.alpha * s + g.beta * cv;
      scale[i * g.N + j] = abs(g.alpha) * sa + abs(g.beta * cv);
    }
  }
  return { ref, scale };
}

/** Largest |x − ref| / scale over the M×N result stored in `c` (row stride ldc, offset cOff). */
export function maxScaledError(g: GemmCase, c: FloatArray, ref: Float64Array, scale: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < g.M; i++) {
    for (let j = 0; j < g.N; j++) {
      const x = c[g.cOff + i * g.ldc + j];
      const e = abs(x - ref[i * g.N + j]) / max(scale[i * g.N + j], Number.MIN_VALUE);
      if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
    }
  }
  return worst;
}

/** Whether a child `node` run may use tsx to load the TypeScript sources. */
export const TSX_IMPORT = ['--import', 'tsx'];

/**
 * Number of positions where two arrays differ (Object.is, so NaN equals NaN and 0 ≠ −0). Used
 * instead of `toEqual` on large typed arrays, which jest compares element by element very slowly.
 */
export function countDifferences(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) return Math.max(x.length, y.length);
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) n++;
  return n;
}
