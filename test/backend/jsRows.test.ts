import { runTask } from '../../src/backend/taskRunner.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { getBackendInfo } from '../../src/backend/getBackendInfo.js';
import { setStageBytes, STAGE_BYTES } from '../../src/backend/heap.js';
import { jsSoftmaxCrossEntropy } from '../../src/backend/jsRows.js';
import { jsGemm } from '../../src/backend/jsGemm.js';
import { gemm } from '../../src/linalg/gemm.js';
import { rowCrossEntropyIndex } from '../../src/kernels/crossEntropyKernel.js';
import { crossEntropy } from '../../src/loss/crossEntropy.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { gemmKernel } from '../../src/kernels/gemmKernel.js';
import { logPartitionRowBlocks } from '../../src/kernels/logPartitionRowBlocksKernel.js';
import { NumericalError } from '../../src/core/errors.js';
import type { FloatArray, Matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';
import { countDifferences, randomArray } from './helpers.js';

// The TypeScript row passes on the 'js' backend with threads: the fused cross-entropy rows
// (src/backend/jsRows.ts) and logPartition's row blocks (src/backend/jsLogPartition.ts) run on the
// main thread and in a worker (src/backend/worker.ts, the same task runner over the same kernels). Rows are
// independent and each is computed by the same function, so 1 and 2 threads must agree bitwise.

// Under jest every lookup of the global `Math` costs ~0.4 µs (see test/backend/helpers.ts).
const { exp, log, max, abs } = Math;

afterAll(() => {
  setBackend('auto');
  setThreads('auto');
  setStageBytes(STAGE_BYTES);
});

/** Naive float64 cross-entropy of one row (two-pass log-sum-exp with Math.exp) and its gradient. */
function naiveRow(z: FloatArray, off: number, n: number, t: number, scale: number): { loss: number; grad: Float64Array } {
  let c = -Infinity;
  for (let j = 0; j < n; j++) c = max(c, z[off + j]);
  let s = 0;
  for (let j = 0; j < n; j++) s += exp(z[off + j] - c);
  const lse = c + log(s);
  const grad = new Float64Array(n);
  for (let j = 0; j < n; j++) grad[j] = scale * exp(z[off + j] - lse);
  grad[t] -= scale;
  return { loss: lse - z[off + t], grad };
}

function logits(f32: boolean, rows: number, n: number, seed: string): { z: FloatArray; t: Int32Array } {
  const z = randomArray(f32, rows * n, seed, 8);
  const rng = createRng(seed + 't');
  const t = Int32Array.from({ length: rows }, () => Math.floor(rng.next() * n));
  return { z, t };
}

describe('the TypeScript tasks of the worker threads', () => {
  it("the threads' jsCeRows and jsLse tasks (run here over a SharedArrayBuffer) match the module kernels bitwise", () => {
    const rows = 5;
    const n = 77;
    for (const f32 of [false, true]) {
      const elt = f32 ? 4 : 8;
      const memory = { buffer: new SharedArrayBuffer(1 << 16) };
      const { z, t } = logits(f32, rows, n, `src${f32}`);
      const Z = f32 ? new Float32Array(memory.buffer, 0, rows * n) : new Float64Array(memory.buffer, 0, rows * n);
      Z.set(z);
      const pT = rows * n * elt;
      new Int32Array(memory.buffer, pT, rows).set(t);
      const pLse = pT + 64;
      const pLoss = pLse + 8 * rows;
      const ctx = { memory, exports: null };
      runTask({ op: 'jsCeRows', f32: f32 ? 1 : 0, pZ: 0, rows, n, pT, pLse, pLoss, scale: 0.25, grad: 1 }, ctx);
      const F = new Float64Array(memory.buffer);
      const g = z.slice();
      for (let i = 0; i < rows; i++) {
        const tmp2 = new Float64Array(2);
        const l = rowCrossEntropyIndex(z, i * n, n, t[i], new Float64Array(n), tmp2, g, i * n, 0.25);
        expect(Object.is(F[(pLoss >> 3) + i], l)).toBe(true);
        expect(Object.is(F[(pLse >> 3) + i], tmp2[0])).toBe(true);
      }
      expect(countDifferences(Z, g)).toBe(0);

      // jsLse: contexts [64, 70) of a 70 × 9 H against 33 words.
      const m = 70;
      const d = 9;
      const nw = 33;
      const H = randomArray(f32, m * d, `h${f32}`);
      const B = randomArray(f32, nw * d, `b${f32}`);
      const pH = 0;
      const pB = m * d * elt;
      const pMax = 8 * Math.ceil((pB + nw * d * elt) / 8);
      const pSum = pMax + 8 * m;
      const pBad = pSum + 8 * m;
      (f32 ? new Float32Array(memory.buffer, pH, m * d) : new Float64Array(memory.buffer, pH, m * d)).set(H);
      (f32 ? new Float32Array(memory.buffer, pB, nw * d) : new Float64Array(memory.buffer, pB, nw * d)).set(B);
      new Float64Array(memory.buffer, pMax, m).fill(-Infinity);
      new Float64Array(memory.buffer, pSum, m).fill(0);
      runTask({ op: 'jsLse', f32: f32 ? 1 : 0, pH, m, d, pB, nw, r0: 64, r1: 70, mb: 64, pMax, pSum, pBad }, ctx);
      const runMax = new Float64Array(m).fill(-Infinity);
      const runSum = new Float64Array(m);
      const zb = f32 ? new Float32Array(64 * nw) : new Float64Array(64 * nw);
      expect(logPartitionRowBlocks(gemmKernel, H, 64, 70, d, B, 0, nw, zb, 64, runMax, runSum)).toBe(-1);
      expect(F[pBad >> 3]).toBe(-1);
      expect(countDifferences(new Float64Array(memory.buffer, pMax, m), runMax)).toBe(0);
      expect(countDifferences(new Float64Array(memory.buffer, pSum, m), runSum)).toBe(0);
    }
  });
});

describe('fused cross-entropy rows on the js backend', () => {
  // 37 × 2003 = 74,111 elements: above the threading threshold (2^16), odd sizes, several blocks.
  const rows = 37;
  const n = 2003;

  it.each([
    ['float64', false],
    ['float32', true],
  ])('%s: 2 threads give bitwise the results of 1 thread (separate and in-place gradient), close to a naive loop', (_name, f32) => {
    setBackend('js');
    const { z, t } = logits(f32, rows, n, `ce${f32}`);
    const results: { loss: Float64Array; lse: Float64Array; grad: FloatArray; inPlace: FloatArray; loss2: Float64Array }[] = [];
    for (const threads of [1, 2]) {
      setThreads(threads);
      const loss = new Float64Array(rows);
      const lse = new Float64Array(rows);
      const grad = f32 ? new Float32Array(rows * n) : new Float64Array(rows * n);
      jsSoftmaxCrossEntropy(threads, { z, zOff: 0, ldz: n, rows, n, targets: t, tOff: 0, lse, loss, grad, gOff: 0, ldg: n, scale: 1 / rows });
      const inPlace = z.slice();
      const loss2 = new Float64Array(rows);
      jsSoftmaxCrossEntropy(threads, { z: inPlace, zOff: 0, ldz: n, rows, n, targets: t, tOff: 0, lse: null, loss: loss2, grad: inPlace, gOff: 0, ldg: n, scale: 1 / rows });
      results.push({ loss, lse, grad, inPlace, loss2 });
    }
    expect(getBackendInfo().workersStarted).toBe(1);
    const [one, two] = results;
    expect(countDifferences(two.loss, one.loss)).toBe(0);
    expect(countDifferences(two.lse, one.lse)).toBe(0);
    expect(countDifferences(two.grad, one.grad)).toBe(0);
    expect(countDifferences(two.inPlace, one.grad)).toBe(0);
    expect(countDifferences(two.loss2, one.loss)).toBe(0);
    // Against the naive loop: fastExp is within 2 ulps of Math.exp and the sums have n terms, so
    // losses agree to ~n·2^-52 relative; float32 gradients are rounded once (2^-24 relative).
    let worstLoss = 0;
    let worstGrad = 0;
    for (let i = 0; i < rows; i++) {
      const ref = naiveRow(z, i * n, n, t[i], 1 / rows);
      worstLoss = max(worstLoss, abs(one.loss[i] - ref.loss) / max(1, abs(ref.loss)));
      for (let j = 0; j < n; j++) worstGrad = max(worstGrad, abs(one.grad[i * n + j] - ref.grad[j]));
    }
    expect(worstLoss).toBeLessThan(1e-12);
    expect(worstGrad).toBeLessThan((f32 ? 2 ** -24 : 1e-14) / rows);
  });

  it('a small staging budget (many small blocks) and strided rows give the same results', () => {
    setBackend('js');
    const ld = n + 5;
    const { z } = logits(false, rows * ld, 1, 'strided');
    const { t } = logits(false, rows, n, 'strided');
    const out: Float64Array[] = [];
    for (const [threads, bytes] of [
      [1, STAGE_BYTES],
      [2, 3 * 8 * (n + 3)],
    ] as const) {
      setThreads(threads);
      setStageBytes(bytes);
      const loss = new Float64Array(rows);
      const grad = new Float64Array(3 + rows * ld).fill(7);
      jsSoftmaxCrossEntropy(threads, { z, zOff: 2, ldz: ld, rows, n, targets: t, tOff: 0, lse: null, loss, grad, gOff: 3, ldg: ld, scale: 1 });
      out.push(loss, grad);
    }
    setStageBytes(STAGE_BYTES);
    expect(countDifferences(out[2], out[0])).toBe(0);
    expect(countDifferences(out[3], out[1])).toBe(0);
    expect(out[3][0]).toBe(7); // untouched before gOff
  });

  it('the public crossEntropy is bitwise the same for 1 and 2 threads', () => {
    setBackend('js');
    const { z, t } = logits(true, rows, n, 'public');
    const logitsM: Matrix = { rows, cols: n, data: z };
    setThreads(1);
    const a = crossEntropy(logitsM, t, { grad: true });
    setThreads(2);
    const b = crossEntropy(logitsM, t, { grad: true });
    expect(Object.is(a.loss, b.loss)).toBe(true);
    expect(countDifferences(b.gradLogits!.data, a.gradLogits!.data)).toBe(0);
  });
});

describe('logPartition on the js backend with threads', () => {
  function mat(f32: boolean, rows: number, cols: number, seed: string, scale: number): Matrix {
    return { rows, cols, data: randomArray(f32, rows * cols, seed, scale) };
  }

  it.each([
    ['float64', false],
    ['float32', true],
  ])('%s: 2 threads give bitwise the results of 1 thread (all words, a subset, several staged groups)', (_name, f32) => {
    setBackend('js');
    // 150 × 1037 × 19 ≈ 3.0M multiply-adds: above the threshold; 150 contexts = 3 row blocks.
    const V = mat(f32, 1037, 19, `V${f32}`, 1);
    const H = mat(f32, 150, 19, `H${f32}`, 0.5);
    const words = Int32Array.from({ length: 1030 }, (_, k) => (k * 7) % 1037);
    for (const w of [undefined, words]) {
      setThreads(1);
      const one = logPartition(V, H, w);
      setThreads(2);
      const two = logPartition(V, H, w);
      // A budget that holds one chunk and one row block of H: three staged groups.
      setStageBytes(1024 * 19 * (f32 ? 4 : 8) + 64 * (19 * (f32 ? 4 : 8) + 16) + 64);
      const grouped = logPartition(V, H, w);
      setStageBytes(STAGE_BYTES);
      expect(countDifferences(two, one)).toBe(0);
      expect(countDifferences(grouped, one)).toBe(0);
      // And the value: a naive float64 log-sum-exp of the materialised logits (float32 logits are
      // rounded once: |Δz| ≤ (d+1)·2^-24·Σ|h v| ≲ 20·2^-24·19·0.5).
      const ws = w ?? Int32Array.from({ length: 1037 }, (_, k) => k);
      let worst = 0;
      for (let i = 0; i < 150; i++) {
        const zs = Array.from(ws, (k) => {
          let s = 0;
          for (let p = 0; p < 19; p++) s += H.data[i * 19 + p] * V.data[k * 19 + p];
          return s;
        });
        const c = max(...zs);
        const ref = c + log(zs.reduce((acc, v) => acc + exp(v - c), 0));
        worst = max(worst, abs(one[i] - ref));
      }
      expect(worst).toBeLessThan(f32 ? 1e-4 : 1e-12);
    }
  });

  it('an overflowing logit is still reported with its row', () => {
    setBackend('js');
    setThreads(2);
    const V = mat(false, 1037, 19, 'Vo', 1);
    const H = mat(false, 150, 19, 'Ho', 0.5);
    // Context 100 (in the worker's row blocks) overflows against word 500.
    H.data[100 * 19 + 3] = 1e200;
    V.data[500 * 19 + 3] = 1e200;
    expect(() => logPartition(V, H)).toThrow(NumericalError);
    expect(() => logPartition(V, H)).toThrow(/row 100 of 'H'/);
  });
});

describe('queued TypeScript GEMM on the js backend (src/backend/jsGemm.ts)', () => {
  // Odd shapes split along N (N ≥ M) and along M, every layout, β = 0 and β ≠ 0, offsets and
  // padded leading dimensions: 2 threads must give bitwise the 1-thread result, and that must be
  // close to a naive float64 loop.
  const cases: [string, number, number, number][] = [
    ['split along N', 37, 2011, 45],
    ['split along M', 1013, 29, 61],
    ['depth beyond one K block', 23, 411, 300],
  ];
  it.each(cases)('%s (%i×%i, K = %i): 2 threads bitwise equal 1 thread, near a naive loop', (_name, M, N, K) => {
    setBackend('js');
    for (const f32 of [false, true]) {
      for (const [tA, tB, beta] of [[false, true, 0], [true, false, 0.5], [false, false, -1], [true, true, 0]] as const) {
        const lda = (tA ? M : K) + 3;
        const ldb = (tB ? K : N) + 1;
        const ldc = N + 2;
        const a = randomArray(f32, 5 + (tA ? K : M) * lda, `qa${M}${tA}`);
        const b = randomArray(f32, 7 + (tB ? N : K) * ldb, `qb${N}${tB}`);
        const c0 = randomArray(f32, 2 + M * ldc, `qc${M}`);
        const c1 = c0.slice();
        const c2 = c0.slice();
        setThreads(1);
        gemmKernel(tA, tB, M, N, K, 1.5, a, 5, lda, b, 7, ldb, beta, c1, 2, ldc);
        setThreads(2);
        gemm(tA, tB, M, N, K, 1.5, a, 5, lda, b, 7, ldb, beta, c2, 2, ldc);
        expect(countDifferences(c2, c1)).toBe(0);
        let worst = 0;
        for (let i = 0; i < M; i += 7) {
          for (let j = 0; j < N; j += 5) {
            let s = 0;
            let sa = 0;
            for (let p = 0; p < K; p++) {
              const x = a[5 + (tA ? p * lda + i : i * lda + p)] * b[7 + (tB ? j * ldb + p : p * ldb + j)];
              s += x;
              sa += abs(x);
            }
            const ref = 1.5 * s + beta * c0[2 + i * ldc + j];
            worst = max(worst, abs(c2[2 + i * ldc + j] - ref) / (1.5 * sa + abs(beta * c0[2 + i * ldc + j]) + 1e-300));
          }
        }
        expect(worst).toBeLessThanOrEqual(f32 ? 2 ** -23 : (K + 2) * 2 ** -53);
      }
    }
  });

  it('declines when the unsplit operand does not fit half the staging budget (the staged strips run instead)', () => {
    setBackend('js');
    setThreads(2);
    setStageBytes(64 * 1024);
    const M = 300;
    const N = 300;
    const K = 200; // the unsplit operand is 300·200·8 = 480 kB
    const a = randomArray(false, M * K, 'da');
    const b = randomArray(false, N * K, 'db');
    expect(jsGemm(2, false, true, M, N, K, 1, a, 0, K, b, 0, K, 0, new Float64Array(M * N), 0, N)).toBe(false);
    const c1 = new Float64Array(M * N);
    const c2 = new Float64Array(M * N);
    gemmKernel(false, true, M, N, K, 1, a, 0, K, b, 0, K, 0, c1, 0, N);
    gemm(false, true, M, N, K, 1, a, 0, K, b, 0, K, 0, c2, 0, N);
    setStageBytes(STAGE_BYTES);
    expect(countDifferences(c2, c1)).toBe(0);
  });
});
