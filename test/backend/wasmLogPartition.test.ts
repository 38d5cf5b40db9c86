import fc from 'fast-check';
import { wasmLogPartition } from '../../src/backend/wasmLogPartition.js';
import { tryAcceleratedLogPartition } from '../../src/backend/accelerate.js';
import { setStageBytes, STAGE_BYTES } from '../../src/backend/heap.js';
import { setBackend } from '../../src/backend/setBackend.js';
import type { FloatArray } from '../../src/core/matrix.js';
import { logPartitionBlocks } from '../../src/softmax/logPartitionBlocks.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { countDifferences, randomArray } from './helpers.js';

const { exp, log, abs, max } = Math;

/** Float64 reference: log Σ_w exp⟨V[w], H[i]⟩ per row, and the error scale max_w Σ_k |V[w,k] H[i,k]|. */
function reference(V: FloatArray, d: number, H: FloatArray, m: number, words: Int32Array): { lse: Float64Array; scale: Float64Array } {
  const lse = new Float64Array(m);
  const scale = new Float64Array(m);
  const z = new Float64Array(words.length);
  for (let i = 0; i < m; i++) {
    let mx = -Infinity;
    let sc = 0;
    for (let q = 0; q < words.length; q++) {
      let s = 0;
      let sa = 0;
      for (let k = 0; k < d; k++) {
        const p = V[words[q] * d + k] * H[i * d + k];
        s += p;
        sa += abs(p);
      }
      z[q] = s;
      mx = max(mx, s);
      sc = max(sc, sa);
    }
    let s = 0;
    for (let q = 0; q < words.length; q++) s += exp(z[q] - mx);
    lse[i] = mx + log(s);
    scale[i] = sc;
  }
  return { lse, scale };
}

afterAll(() => {
  setStageBytes(STAGE_BYTES);
  setBackend('auto');
});

describe.each([
  ['float32', true],
  ['float64', false],
])('fused log-partition, %s', (_name, f32) => {
  // Bound per row: a logit is a d-term dot product, within (d + 2)·u·Σ|v||h| (Higham §3.1) with
  // u = 2^-24 in float32 (the product kernel computes in float32) and 2^-53 in float64; an error δ
  // in every logit moves the log-sum-exp by at most δ. The exponentials (≤ 1 ulp, float32 or
  // float64) and the float64 sum of nA terms add (nA + 4)·u_exp·(1 + |lse|).
  const tol = (d: number, nA: number, scale: number, lse: number) =>
    (d + 2) * (f32 ? 2 ** -24 : 2 ** -53) * scale + (f32 ? 2 ** -22 : (nA + 4) * 2 ** -53) * (1 + abs(lse));

  it('matches the float64 reference over all words and over subsets, staged in blocks, 1 or 2 threads', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 300 }),
        fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 250, max: 270 })),
        fc.boolean(),
        fc.constantFrom(STAGE_BYTES, 24 * 1024),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, d, subset, budget, threads, seed) => {
          const V = randomArray(f32, n * d, `V${seed}`, 1);
          const H = randomArray(f32, m * d, `H${seed}`, 3 / Math.sqrt(d));
          const Vin = V.slice();
          const all = Int32Array.from({ length: n }, (_, i) => i);
          const words = subset ? all.filter((w) => (w * 7 + seed) % 3 !== 0) : null;
          if (words && words.length === 0) return;
          setStageBytes(budget);
          const out = new Float64Array(m);
          const ok = wasmLogPartition(threads, V, n, d, H, m, words, out);
          setStageBytes(STAGE_BYTES);
          expect(ok).toBe(true);
          expect(countDifferences(V, Vin)).toBe(0);
          const r = reference(V, d, H, m, words ?? all);
          const nA = (words ?? all).length;
          let worst = 0;
          for (let i = 0; i < m; i++) worst = max(worst, abs(out[i] - r.lse[i]) / tol(d, nA, r.scale[i], r.lse[i]));
          expect(worst).toBeLessThanOrEqual(1);
        },
      ),
      { seed: f32 ? 41 : 42, numRuns: 30 },
    );
  });

  it('gives bitwise the same results with 1 or 2 threads (contexts are split, not words), in one or several staged blocks', () => {
    // Sizes above the threading threshold (2^20 multiply-adds), odd row counts so that strips end
    // mid-panel, and a small staging budget that forces several row blocks and word blocks.
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 70 }),
        fc.integer({ min: 1000, max: 2500 }),
        fc.integer({ min: 70, max: 130 }),
        fc.boolean(),
        fc.constantFrom(STAGE_BYTES, 96 * 1024),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, d, subset, budget, seed) => {
          const V = randomArray(f32, n * d, `V${seed}`, 1);
          const H = randomArray(f32, m * d, `H${seed}`, 3 / Math.sqrt(d));
          const words = subset ? Int32Array.from({ length: n }, (_, i) => i).filter((w) => (w * 5 + seed) % 4 !== 0) : null;
          setStageBytes(budget);
          const one = new Float64Array(m);
          const two = new Float64Array(m);
          expect(wasmLogPartition(1, V, n, d, H, m, words, one)).toBe(true);
          expect(wasmLogPartition(2, V, n, d, H, m, words, two)).toBe(true);
          setStageBytes(STAGE_BYTES);
          expect(countDifferences(one, two)).toBe(0);
        },
      ),
      { seed: f32 ? 43 : 44, numRuns: 15 },
    );
  });
});

describe('tryAcceleratedLogPartition', () => {
  it('declines on tiny problems and when a result overflows (the caller then locates it); on js computes the kernel loop bitwise', () => {
    const d = 64;
    const n = 200;
    const m = 8;
    const V = randomArray(true, n * d, 'V');
    const H = randomArray(true, m * d, 'H');
    const out = new Float64Array(m);
    setBackend('auto');
    expect(tryAcceleratedLogPartition(V, n, d, H, m, null, out)).toBe(true);
    expect(tryAcceleratedLogPartition(V, 2, d, H, 1, null, out)).toBe(false);
    // float32 logits of 1e20·1e20·64 overflow to Infinity.
    const big = new Float32Array(m * d).fill(1e20);
    const Vbig = new Float32Array(n * d).fill(1e20);
    expect(tryAcceleratedLogPartition(Vbig, n, d, big, m, null, out)).toBe(false);
    // The TypeScript backends compute what logPartitionBlocks's own loop does (explicit block
    // sizes bypass the backend), bitwise, on 1 or 2 threads; they decline an overflow too.
    setBackend('js');
    const ref = new Float64Array(m);
    expect(logPartitionBlocks({ rows: n, cols: d, data: V }, { rows: m, cols: d, data: H }, null, ref, 64, 1024)).toBe(-1);
    for (const threads of [1, 2]) {
      setThreads(threads);
      out.fill(0);
      expect(tryAcceleratedLogPartition(V, n, d, H, m, null, out)).toBe(true);
      expect(countDifferences(out, ref)).toBe(0);
      expect(tryAcceleratedLogPartition(Vbig, n, d, big, m, null, out)).toBe(false);
    }
    setThreads('auto');
    setBackend('auto');
  });
});
