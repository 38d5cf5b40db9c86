/**
 * Test helpers for test/linalg: a tiny seeded generator for matrix entries (fast-check supplies the
 * seeds and shapes; generating thousands of entries through fast-check arbitraries would dominate
 * the run time) and naive reference products.
 */
import type { FloatArray, Matrix } from '../../src/core/matrix.js';

/** mulberry32: a 32-bit seeded generator, good enough to fill test matrices reproducibly. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A `rows × cols` matrix with entries uniform in [−1, 1), float64 or float32. */
export function randomMatrix(rows: number, cols: number, seed: number, f32 = false): Matrix {
  const u = seededUniform(seed);
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = 2 * u() - 1;
  return { rows, cols, data };
}

/**
 * Naive `op(A)·op(B)` from element accessors, with the float64 sum and the sum of |terms| (the
 * scale that rounding-error bounds are stated in: |fl(Σ) − Σ| ≤ γ_K·Σ|aᵢbᵢ|, Higham Thm 3.1 form).
 * The operands are first copied into dense row-major float64 arrays so that the triple loop itself
 * is plain array arithmetic.
 */
export function naiveProduct(
  M: number,
  N: number,
  K: number,
  A: (i: number, p: number) => number,
  B: (p: number, j: number) => number,
): { value: Float64Array; scale: Float64Array } {
  const a = new Float64Array(M * K);
  for (let i = 0; i < M; i++) for (let p = 0; p < K; p++) a[i * K + p] = A(i, p);
  const bt = new Float64Array(N * K); // op(B) transposed, so both inner loops are contiguous
  for (let p = 0; p < K; p++) for (let j = 0; j < N; j++) bt[j * K + p] = B(p, j);
  const value = new Float64Array(M * N);
  const scale = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < K; p++) {
        const t = a[i * K + p] * bt[j * K + p];
        s += t;
        // Not Math.abs: under jest's vm context every global lookup goes through an interceptor,
        // which made this loop 15× slower than plain Node.
        abs += t < 0 ? -t : t;
      }
      value[i * N + j] = s;
      scale[i * N + j] = abs;
    }
  }
  return { value, scale };
}

/**
 * The largest violation of `|got − want| ≤ tolRel·scale` (≤ 0 when every entry passes), with the
 * index of the worst entry, for readable failures.
 */
export function worstExcess(got: ArrayLike<number>, want: Float64Array, scale: Float64Array, tolRel: number): { excess: number; at: number } {
  let excess = -Infinity;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) - tolRel * scale[i];
    if (Number.isNaN(e)) return { excess: Infinity, at: i };
    if (e > excess) {
      excess = e;
      at = i;
    }
  }
  return { excess: want.length === 0 ? 0 : excess, at };
}

/** A copy of a buffer, to check later that an input was not mutated. */
export function snapshot(x: FloatArray): FloatArray {
  return x.slice();
}

/** True when two buffers hold the same values bit for bit (NaN equal to NaN); cheaper than toEqual on long arrays. */
export function sameValues(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}
