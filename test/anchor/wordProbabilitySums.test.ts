/**
 * The ranking pass (`accumulateWordProbabilities`: `Σᵢ μᵢ p(w|sᵢ)` and `log Z(sᵢ)`) on every backend
 * against a float64 reference, its determinism across thread counts, and the ranking it gives.
 */
import fc from 'fast-check';
import { tryAcceleratedWordProbabilitySums } from '../../src/backend/accelerate.js';
import { setStageBytes, STAGE_BYTES } from '../../src/backend/heap.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';
import type { FloatArray, Matrix } from '../../src/core/matrix.js';
import { meanWordProbabilities, topWords } from '../../src/anchor/meanWordProbabilities.js';
import { accumulateWordProbabilities } from '../../src/anchor/accumulateWordProbabilities.js';
import { countDifferences, randomArray } from '../backend/helpers.js';

const { abs, exp, expm1, log, max } = Math;

afterAll(() => {
  setStageBytes(STAGE_BYTES);
  setBackend('auto');
  setThreads('auto');
});

interface Reference {
  /** `Σ μᵢ p(w|sᵢ)` over the listed rows, float64 from the exact-to-rounding float64 logits. */
  sums: Float64Array;
  lse: Float64Array;
  /** Per listed row: the bound on the error of `log Z` and the relative bound on each `p(w|s)`. */
  lseTol: Float64Array;
  pTol: Float64Array;
}

/**
 * Float64 reference and its tolerances. A logit is a d-term dot product, within
 * δ = (d + 2)·u·Σₖ|v h| of the exact one (Higham §3.1; u = 2⁻²⁴ when the product runs in float32,
 * 2⁻⁵³ in float64). `log Z` moves by at most δ, plus the exponentials of its sum (float32 ones in
 * the fused kernel: 2⁻²² relative per term, on arguments whose rounding is relative to |log Z|,
 * hence the (1 + |lse|) factor; float64 ones: (n + 4) ulps of the sum). `p = exp(z − log Z)` then
 * errs relatively by at most expm1(δ + δ_lse + 4·2⁻⁵³·(1 + |z| + |lse|)) (the float64 difference
 * and exp).
 */
function reference(V: FloatArray, n: number, d: number, H: FloatArray, rows: Int32Array, weights: FloatArray | null, f32: boolean): Reference {
  const u = f32 ? 2 ** -24 : 2 ** -53;
  const m = rows.length;
  const sums = new Float64Array(n);
  const lse = new Float64Array(m);
  const lseTol = new Float64Array(m);
  const pTol = new Float64Array(m);
  const z = new Float64Array(n);
  for (let t = 0; t < m; t++) {
    const i = rows[t];
    let mx = -Infinity;
    let sc = 0;
    let zAbs = 0;
    for (let w = 0; w < n; w++) {
      let s = 0;
      let sa = 0;
      for (let k = 0; k < d; k++) {
        const p = V[w * d + k] * H[i * d + k];
        s += p;
        sa += abs(p);
      }
      z[w] = s;
      mx = max(mx, s);
      sc = max(sc, sa);
      zAbs = max(zAbs, abs(s));
    }
    let s = 0;
    for (let w = 0; w < n; w++) s += exp(z[w] - mx);
    lse[t] = mx + log(s);
    const delta = (d + 2) * u * sc;
    lseTol[t] = delta + (f32 ? 2 ** -22 : (n + 4) * 2 ** -53) * (1 + abs(lse[t]));
    pTol[t] = expm1(delta + lseTol[t] + 4 * 2 ** -53 * (1 + zAbs + abs(lse[t])));
    const mu = weights ? weights[t] : 1;
    for (let w = 0; w < n; w++) sums[w] += mu * exp(z[w] - lse[t]);
  }
  return { sums, lse, lseTol, pTol };
}

/** `max_w |sums − ref| / tol_w` with tol_w = ref_w·max pTol + (m + 2)·2⁻⁵³·ref_w (float64 sum) + 1e-300. */
function worstSums(sums: Float64Array, ref: Reference): number {
  let pt = 0;
  for (const x of ref.pTol) pt = max(pt, x);
  const m = ref.lse.length;
  let worst = 0;
  for (let w = 0; w < sums.length; w++) {
    const r = ref.sums[w];
    worst = max(worst, abs(sums[w] - r) / (r * pt + (m + 2) * 2 ** -53 * r + 1e-300));
  }
  return worst;
}

const BACKENDS = [
  ['wasm', 1],
  ['wasm', 2],
  ['js', 1],
  ['js', 2],
] as const;

function run(V: Matrix, H: Matrix, rows: Int32Array | null, weights: FloatArray | null, backend: 'wasm' | 'js', threads: number) {
  setBackend(backend);
  setThreads(threads);
  const count = rows ? rows.length : H.rows;
  const sums = new Float64Array(V.rows);
  const logZ = new Float64Array(count);
  const bad = accumulateWordProbabilities(V, H, rows, weights, sums, logZ);
  return { bad, sums, logZ };
}

describe.each([
  ['float32', true],
  ['float64', false],
])('accumulateWordProbabilities, %s', (_name, f32) => {
  it('matches the float64 reference on every backend (logits up to ~2e4, dominant words, subsets of rows, weights with zeros), and ranks the words as the reference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom(0.3, 3, 30),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, d, scale, dominant, subset, weighted, seed) => {
          const V = randomArray(f32, n * d, `V${seed}`, scale);
          const H = randomArray(f32, m * d, `H${seed}`, scale);
          // One word far ahead of the others for every context: its logit is 40× a typical one.
          if (dominant) for (let k = 0; k < d; k++) V[(seed % n) * d + k] = 40 * scale * (H[k] >= 0 ? 1 : -1);
          const rows = subset ? Int32Array.from({ length: m }, (_, i) => i).filter((i) => (i * 7 + seed) % 3 !== 0) : null;
          const listed = rows ?? Int32Array.from({ length: m }, (_, i) => i);
          if (listed.length === 0) return;
          const weights = weighted ? Float64Array.from(listed, (_, t) => ((t + seed) % 4 === 0 ? 0 : 0.5 + ((t * 13 + seed) % 5))) : null;
          if (weights && weights.every((w) => w === 0)) weights[0] = 1;
          const Vm = { rows: n, cols: d, data: V };
          const Hm = { rows: m, cols: d, data: H };
          const Vin = V.slice();
          const Hin = H.slice();
          const ref = reference(V, n, d, H, listed, weights, f32);
          for (const [backend, threads] of BACKENDS) {
            const got = run(Vm, Hm, rows, weights, backend, threads);
            expect(got.bad).toBe(-1);
            expect(worstSums(got.sums, ref)).toBeLessThanOrEqual(1);
            for (let t = 0; t < listed.length; t++) expect(abs(got.logZ[t] - ref.lse[t])).toBeLessThanOrEqual(ref.lseTol[t]);
            // The ranking: wherever the reference separates the k-th and (k+1)-th word by more than
            // both tolerances, the top k words are the reference's.
            let W = 0;
            for (let t = 0; t < listed.length; t++) W += weights ? weights[t] : 1;
            const refOrder = topWords(ref.sums, n);
            const mine = topWords(got.sums, n);
            let pt = 0;
            for (const x of ref.pTol) pt = max(pt, x);
            for (let k = 1; k < Math.min(n, 10); k++) {
              const a = ref.sums[refOrder[k - 1]];
              const b = ref.sums[refOrder[k]];
              if (a - b > 2 * (a * pt + 1e-300) + 1e-12 * W) expect(Array.from(mine.subarray(0, k)).sort()).toEqual(Array.from(refOrder.subarray(0, k)).sort());
            }
          }
          expect(countDifferences(V, Vin)).toBe(0);
          expect(countDifferences(H, Hin)).toBe(0);
        },
      ),
      { seed: f32 ? 61 : 62, numRuns: 25 },
    );
  });

  it('gives bitwise the same sums and log Z with 1 or 2 threads on each backend, in one or several groups and word blocks', () => {
    // Above the threading threshold (2^20 multiply-adds); a small staging budget forces several
    // groups of contexts (logits stored per group) and several staged word blocks.
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 70 }),
        fc.integer({ min: 1000, max: 2500 }),
        fc.integer({ min: 40, max: 110 }),
        fc.boolean(),
        fc.constantFrom(STAGE_BYTES, 96 * 1024),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, d, weighted, budget, seed) => {
          const V = randomArray(f32, n * d, `V${seed}`, 1);
          const H = randomArray(f32, m * d, `H${seed}`, 3 / Math.sqrt(d));
          const weights = weighted ? Float64Array.from({ length: m }, (_, i) => (i % 5 === 0 ? 0 : 1 + (i % 3))) : null;
          const Vm = { rows: n, cols: d, data: V };
          const Hm = { rows: m, cols: d, data: H };
          setStageBytes(budget);
          // The WebAssembly backend takes the pass (the sums below are its own, not a fallback's).
          setBackend('wasm');
          setThreads(2);
          expect(tryAcceleratedWordProbabilitySums({ V, n, d, H, m, weights, sums: new Float64Array(n), logZ: null })).toBe(true);
          const wasm1 = run(Vm, Hm, null, weights, 'wasm', 1);
          const wasm2 = run(Vm, Hm, null, weights, 'wasm', 2);
          const js1 = run(Vm, Hm, null, weights, 'js', 1);
          const js2 = run(Vm, Hm, null, weights, 'js', 2);
          setStageBytes(STAGE_BYTES);
          expect(countDifferences(wasm1.sums, wasm2.sums)).toBe(0);
          expect(countDifferences(wasm1.logZ, wasm2.logZ)).toBe(0);
          expect(countDifferences(js1.sums, js2.sums)).toBe(0);
          expect(countDifferences(js1.logZ, js2.logZ)).toBe(0);
          // The two backends' products round differently; the sums agree to the reference's tolerance.
          const ref = reference(V, n, d, H, Int32Array.from({ length: m }, (_, i) => i), weights, f32);
          expect(worstSums(wasm2.sums, ref)).toBeLessThanOrEqual(1);
          expect(worstSums(js2.sums, ref)).toBeLessThanOrEqual(1);
        },
      ),
      { seed: f32 ? 63 : 64, numRuns: 6 },
    );
  });
});

describe('meanWordProbabilities through the backends', () => {
  it('locates an overflow on every backend (the backend declines, the TypeScript loop names the row) and leaves nothing half-added', () => {
    const n = 300;
    const d = 16;
    const m = 40;
    const V = randomArray(true, n * d, 'ovV');
    const H = randomArray(true, m * d, 'ovH');
    // Row 23's logits overflow float32 (1e20 · 1e20 · 16).
    for (let k = 0; k < d; k++) H[23 * d + k] = 1e20;
    for (let k = 0; k < d; k++) V[5 * d + k] = 1e20;
    for (const [backend, threads] of BACKENDS) {
      // The backend itself declines and leaves the running sums and log Z as they were.
      const sums = Float64Array.from({ length: n }, (_, w) => w / 7);
      const logZ = new Float64Array(m).fill(-1);
      setBackend(backend);
      setThreads(threads);
      expect(tryAcceleratedWordProbabilitySums({ V, n, d, H, m, weights: null, sums, logZ })).toBe(false);
      expect(countDifferences(sums, Float64Array.from({ length: n }, (_, w) => w / 7))).toBe(0);
      expect(countDifferences(logZ, new Float64Array(m).fill(-1))).toBe(0);
      // Without the overflowing row it computes them.
      expect(tryAcceleratedWordProbabilitySums({ V, n, d, H: H.subarray(0, 23 * d), m: 23, weights: null, sums, logZ })).toBe(true);
      const got = run({ rows: n, cols: d, data: V }, { rows: m, cols: d, data: H }, null, null, backend, threads);
      expect(got.bad).toBe(23);
      setBackend(backend);
      expect(() => meanWordProbabilities({ rows: n, cols: d, data: V }, { rows: m, cols: d, data: H })).toThrow("meanWordProbabilities: the logits V·h for row 23 of 'H' must be finite");
    }
  });

  it('sums to 1 per context and puts the mean probability mass where the reference does (wasm and js)', () => {
    const n = 500;
    const d = 12;
    const m = 64;
    const V = randomArray(false, n * d, 'mV', 2);
    const H = randomArray(false, m * d, 'mH', 2);
    const ref = reference(V, n, d, H, Int32Array.from({ length: m }, (_, i) => i), null, false);
    for (const backend of ['wasm', 'js'] as const) {
      setBackend(backend);
      setThreads(2);
      const r = meanWordProbabilities({ rows: n, cols: d, data: V }, { rows: m, cols: d, data: H });
      let total = 0;
      for (const x of r.mean) total += x;
      expect(abs(total - 1)).toBeLessThan(n * 2 ** -50);
      for (let w = 0; w < n; w++) expect(abs(r.mean[w] - ref.sums[w] / m)).toBeLessThanOrEqual((ref.sums[w] / m) * 1e-12 + 1e-300);
    }
  });
});
