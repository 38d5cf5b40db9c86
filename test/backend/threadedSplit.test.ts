import fc from 'fast-check';
import { TwoEndedSplit } from '../../src/backend/split.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';
import { setStageBytes, STAGE_BYTES } from '../../src/backend/heap.js';
import { threadedTsBackend } from '../../src/backend/threadedTsBackend.js';
import { tsBackend } from '../../src/backend/tsBackend.js';
import { gemm } from '../../src/linalg/gemm.js';
import { crossEntropy } from '../../src/loss/crossEntropy.js';
import type { FloatArray } from '../../src/core/matrix.js';
import type { GemmArgs, RowPassArgs } from '../../src/backend/backend.js';
import { createRng } from '../../src/random/createRng.js';
import { countDifferences, randomArray } from './helpers.js';

// The threaded TypeScript GEMM and row pass balance their work with the split policy's two-ended
// queue (src/backend/split.ts). The policy decides only which thread computes a unit, never what is
// computed for it, so the results must stay bitwise the single-thread TypeScript backend's.

afterAll(() => {
  setBackend('auto');
  setThreads('auto');
  setStageBytes(STAGE_BYTES);
});

/**
 * Run the two-ended queue the way the threaded operations do, in unit time steps: one worker with a
 * queue of up to `ring` blocks of `block` units (refilled whenever the calling thread finishes a
 * chunk, as jsGemm.ts and jsRows.ts do between two of their chunks), the calling thread in chunks of
 * `chunk` units, both one unit per step. Returns when each thread did its last unit and what each did.
 */
function simulate(len: number, block: number, chunk: number, ring: number, split = new TwoEndedSplit(len, 1)): { tMain: number; tWorker: number; main: number; worker: number; taken: Uint8Array } {
  const taken = new Uint8Array(len);
  const queue: number[] = [];
  let head = 0; // units left of the worker's current block
  let cur = 0; // units left of the calling thread's chunk
  let tMain = 0;
  let tWorker = 0;
  let main = 0;
  let worker = 0;
  const mark = (s: number, n: number): void => {
    for (let u = s; u < s + n; u++) taken[u]++;
  };
  for (let t = 1; ; t++) {
    if (cur === 0) {
      while (queue.length < ring) {
        const s = split.takeFront(0, block);
        if (s < 0) break;
        mark(s, block);
        queue.push(block);
      }
      cur = split.takeBack(chunk);
      mark(split.bottom, cur);
    }
    if (head === 0 && queue.length > 0) head = queue[0];
    if (cur === 0 && head === 0) break;
    if (cur > 0) {
      cur--;
      main++;
      tMain = t;
    }
    if (head > 0) {
      head--;
      worker++;
      tWorker = t;
      if (head === 0) {
        queue.shift();
        split.finished(0, block);
      }
    }
  }
  return { tMain, tWorker, main, worker, taken };
}

describe('TwoEndedSplit (the split policy of the threaded TypeScript GEMM and row pass)', () => {
  it('hands a worker a block exactly while its queue with it stays shorter than what is left', () => {
    const q = new TwoEndedSplit(12, 2);
    expect(q.takeFront(0, 3)).toBe(0); // 3 queued < 12 left
    expect(q.takeFront(0, 3)).toBe(3); // 6 queued < 9 left
    expect(q.takeFront(0, 3)).toBe(-1); // 9 queued, 6 left
    expect(q.takeFront(1, 3)).toBe(6); // worker 1 counts its own queue only: 3 < 6
    expect(q.takeFront(1, 1)).toBe(-1); // 4 queued, 3 left
    expect(q.takeBack(2)).toBe(2);
    expect(q.bottom).toBe(10);
    q.finished(0, 6);
    expect(q.takeFront(0, 1)).toBe(-1); // 1 queued, 1 left: the last unit stays here
    expect(q.takeBack(5)).toBe(1);
    expect(q.left).toBe(0);
    expect(q.takeBack(5)).toBe(0);
    // The boundary: a queue one unit shorter than what is left is handed, an equal one is not.
    expect(new TwoEndedSplit(5, 1).takeFront(0, 4)).toBe(0);
    expect(new TwoEndedSplit(4, 1).takeFront(0, 4)).toBe(-1);
  });

  it('finishes both threads within a block of each other, each unit taken once, on generated sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 3 }), (len, block, chunk, ring) => {
        const r = simulate(len, block, chunk, ring);
        expect(r.taken.every((x) => x === 1)).toBe(true);
        expect(r.main + r.worker).toBe(len);
        // A worker is used exactly when a block leaves something for the calling thread.
        expect(r.worker > 0).toBe(len > block);
        if (r.worker > 0) {
          // Equal speeds: the threads end at most one block (or one chunk) apart.
          expect(Math.abs(r.tMain - r.tWorker)).toBeLessThanOrEqual(block + chunk);
        }
      }),
      { seed: 1103, numRuns: 400 },
    );
  });
});

function gemmArgs(f32: boolean, tA: boolean, tB: boolean, M: number, N: number, K: number, beta: number, seed: string): GemmArgs {
  const lda = (tA ? M : K) + 3;
  const ldb = (tB ? K : N) + 1;
  const ldc = N + 2;
  return {
    transA: tA,
    transB: tB,
    M,
    N,
    K,
    alpha: 1.5,
    a: randomArray(f32, 5 + (tA ? K : M) * lda, seed + 'a'),
    aOffset: 5,
    lda,
    b: randomArray(f32, 7 + (tB ? N : K) * ldb, seed + 'b'),
    bOffset: 7,
    ldb,
    beta,
    c: randomArray(f32, 2 + M * ldc, seed + 'c'),
    cOffset: 2,
    ldc,
  };
}

describe("the threaded 'js' backend on the split policy: bitwise the single-thread TypeScript backend", () => {
  // Shapes on each path of the threaded GEMM: the queue split along N and along M with few blocks
  // (where the policy's tail decides who computes the last blocks) and many, the staged strips
  // (the queue declines under a small staging budget), and a product below the threading threshold.
  const shapes: [string, number, number, number, number][] = [
    ['queue along N, few blocks', 64, 700, 300, STAGE_BYTES],
    ['queue along N, many blocks', 40, 4003, 200, STAGE_BYTES],
    ['queue along M', 2011, 33, 150, STAGE_BYTES],
    ['staged strips', 300, 310, 200, 64 * 1024],
    ['below the threshold', 20, 30, 40, STAGE_BYTES],
  ];
  it.each(shapes)('gemm, %s (%i×%i, K = %i): 1 thread, 2 threads and tsBackend agree bitwise', (_name, M, N, K, stage) => {
    setBackend('js');
    setStageBytes(stage);
    try {
      for (const f32 of [false, true]) {
        for (const [tA, tB, beta] of [[false, true, 0], [true, false, 0.5], [false, false, -1]] as const) {
          const g = gemmArgs(f32, tA, tB, M, N, K, beta, `ts${M}${N}${tA}${tB}`);
          const ref = g.c.slice();
          tsBackend.gemm({ ...g, c: ref });
          const two = g.c.slice();
          expect(threadedTsBackend(2).gemm({ ...g, c: two })).toBe(true);
          expect(countDifferences(two, ref)).toBe(0);
          const outs: FloatArray[] = [];
          for (const threads of [1, 2]) {
            setThreads(threads);
            const c = g.c.slice();
            gemm(g.transA, g.transB, M, N, K, g.alpha, g.a, g.aOffset, g.lda, g.b, g.bOffset, g.ldb, beta, c, g.cOffset, g.ldc);
            outs.push(c);
          }
          expect(countDifferences(outs[0], ref)).toBe(0);
          expect(countDifferences(outs[1], ref)).toBe(0);
        }
      }
    } finally {
      setStageBytes(STAGE_BYTES);
    }
  });

  // Rows × n above the threading threshold (2^16): few worker blocks (the tail) and many.
  const rowShapes: [string, number, number][] = [
    ['few blocks', 24, 3001],
    ['many blocks', 400, 517],
  ];
  it.each(rowShapes)('cross-entropy rows, %s (%i × %i): 1 thread, 2 threads and tsBackend agree bitwise', (_name, rows, n) => {
    setBackend('js');
    for (const f32 of [false, true]) {
      const z = randomArray(f32, rows * n, `rows${rows}${f32}`, 8);
      const rng = createRng(`t${rows}`);
      const targets = Int32Array.from({ length: rows }, () => Math.floor(rng.next() * n));
      const pass = (grad: FloatArray): RowPassArgs => ({ z, zOff: 0, ldz: n, rows, n, targets, tOff: 0, lse: new Float64Array(rows), loss: new Float64Array(rows), grad, gOff: 0, ldg: n, scale: 1 / rows });
      const ref = pass(f32 ? new Float32Array(rows * n) : new Float64Array(rows * n));
      expect(tsBackend.softmaxCrossEntropy(ref)).toBe(true);
      const two = pass(f32 ? new Float32Array(rows * n) : new Float64Array(rows * n));
      expect(threadedTsBackend(2).softmaxCrossEntropy(two)).toBe(true);
      expect(countDifferences(two.loss!, ref.loss!)).toBe(0);
      expect(countDifferences(two.lse!, ref.lse!)).toBe(0);
      expect(countDifferences(two.grad!, ref.grad!)).toBe(0);
      const m = { rows, cols: n, data: z };
      setThreads(1);
      const a = crossEntropy(m, targets, { grad: true });
      setThreads(2);
      const b = crossEntropy(m, targets, { grad: true });
      expect(Object.is(a.loss, b.loss)).toBe(true);
      expect(countDifferences(b.gradLogits!.data, a.gradLogits!.data)).toBe(0);
    }
  });
});
