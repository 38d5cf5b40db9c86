/**
 * GEMM on the WebAssembly SIMD kernels: `C ← α·op(A)·op(B) + β·C` for user buffers, staged through
 * the shared heap in blocks and split across the thread pool.
 *
 * Staging: C is processed in `mb × nb` blocks; for each, op(A) and op(B) are copied in `kb`-deep
 * blocks and the kernel accumulates (β for the first depth block, 1 after), then the C block is
 * copied out. Block sizes keep the staged blocks within the staging budget (`stageBytes()`); the
 * smaller of M and N is kept whole where it fits, so that for the shapes of a training step (H·Vᵀ,
 * Gᵀ·H, G·V) each operand element is copied in once and each result element out once. `kb` is a
 * multiple of the kernels' depth block (256), so the arithmetic per element is the same however a
 * problem is staged or split: results with 1 or n threads are bitwise identical.
 *
 * Threads and pipelining: only the calling thread can read user buffers, so the copies are serial.
 * With several blocks and threads, the blocks are double-buffered: while the workers compute block
 * s, the calling thread computes a smaller share of it and then copies block s + 1 in and block
 * s − 1 out. Its share is rebalanced after every block from the measured compute and copy times
 * and from the time each worker reports for its strip, so that copies hide behind the workers'
 * compute instead of idling them, and a worker slowed down (say, by another process on its core)
 * gets less (this moves work between threads; it never changes what is computed for an element).
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { alloc, getHeap, heapF32, heapF64, resetArena, stageBytes, wasmKernels } from './heap.js';
import { copyBlock } from './stage.js';
import { postTasks, runHere, taskBusyMs, waitTasks } from './pool.js';
import type { Task } from './protocol.js';
import { ShareBalancer, splitCuts } from './split.js';

/** The kernels' depth block; staged depth blocks are multiples of it. */
const KC = 256;
/** Products below this many multiply-adds run on one thread (dispatch would cost more than it saves). */
export const THREAD_MIN_MADDS = 1 << 20;

/**
 * Choose staged block sizes (mb, nb, kb) for an M×N×K product of `elt`-byte elements.
 *
 * @example
 * ```ts
 * chooseStaging(1024, 10000, 256, 4, 12 * 2 ** 20); // [1024, 2248, 256]: C in blocks of 2248 columns
 * ```
 */
export function chooseStaging(M: number, N: number, K: number, elt: number, budgetBytes = stageBytes()): [number, number, number] {
  const budget = Math.floor(budgetBytes / elt);
  // Depth: whole K when small, else a multiple of KC, so that at least a quarter of the budget is
  // left for the wide side.
  let kb = K;
  if (K > 4 * KC) kb = 4 * KC;
  const round = (x: number, m: number) => Math.max(m, Math.floor(x / m) * m);
  if (M * N + (M + N) * kb <= budget) return [M, N, kb];
  if (M <= N) {
    const mb = Math.min(M, round(budget / 4 / kb, 8));
    const nb = Math.min(N, round((budget - mb * kb) / (mb + kb), 8));
    return [mb, nb, kb];
  }
  const nb = Math.min(N, round(budget / 4 / kb, 8));
  const mb = Math.min(M, round((budget - nb * kb) / (nb + kb), 8));
  return [mb, nb, kb];
}

/** One staged step: C block (i0, j0) of size mc × nc, depth block p0 of depth kc. */
interface Step {
  i0: number;
  j0: number;
  mc: number;
  nc: number;
  p0: number;
  kc: number;
  /** Index of the C block (its staging buffer is chunk % 2). */
  chunk: number;
  last: boolean;
}

/**
 * `C ← α·op(A)·op(B) + β·C` on the WASM kernels (or, with `kernel = 'js'`, the TypeScript kernel
 * in worker threads) with up to `threads` threads. `f32` selects the float32 kernel (all of A, B,
 * C are Float32Array) or the float64 one (inputs converted exactly). Requires M, N, K ≥ 1 and
 * α ≠ 0 (the caller leaves the trivial cases to the TypeScript kernel).
 *
 * @example
 * ```ts
 * const a = new Float64Array(100 * 50).fill(1);
 * const c = new Float64Array(100 * 100);
 * wasmGemm('wasm', false, 2, false, true, 100, 100, 50, 1, a, 0, 50, a, 0, 50, 0, c, 0, 100); // c all 50
 * ```
 */
export function wasmGemm(
  kernel: 'wasm' | 'js',
  f32: boolean,
  threads: number,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  beta: number,
  c: FloatArray,
  cOff: number,
  ldc: number,
): void {
  // The kernel instance first: making it (once) warms it up in the arena.
  const ws = kernel === 'js' ? 0 : wasmKernels().exports.gemmWorkspaceBytes();
  getHeap();
  const elt = f32 ? 4 : 8;
  const shift = f32 ? 2 : 3;
  const nt = M * N * K >= THREAD_MIN_MADDS ? Math.max(1, threads) : 1;
  // Double buffers halve the budget of each; a single block needs no second buffer.
  let [mb, nb, kb] = chooseStaging(M, N, K, elt);
  const blocks = Math.ceil(M / mb) * Math.ceil(N / nb) * Math.ceil(K / kb);
  const pipelined = nt > 1 && blocks > 1;
  if (pipelined) [mb, nb, kb] = chooseStaging(M, N, K, elt, stageBytes() / 2);
  const nbuf = pipelined ? 2 : 1;
  resetArena();
  // The TypeScript kernel packs into its own (per-thread) arrays and needs no heap workspace.
  const work = alloc(ws * nt);
  const pA: number[] = [];
  const pB: number[] = [];
  const pC: number[] = [];
  for (let i = 0; i < nbuf; i++) {
    pA.push(alloc(mb * kb * elt));
    pB.push(alloc(kb * nb * elt));
    pC.push(alloc(mb * nb * elt));
  }
  const heap: FloatArray = f32 ? heapF32() : heapF64();
  const tA = transA ? 1 : 0;
  const tB = transB ? 1 : 0;

  const steps: Step[] = [];
  let chunk = 0;
  for (let i0 = 0; i0 < M; i0 += mb) {
    for (let j0 = 0; j0 < N; j0 += nb) {
      for (let p0 = 0; p0 < K; p0 += kb) {
        steps.push({ i0, j0, mc: Math.min(mb, M - i0), nc: Math.min(nb, N - j0), p0, kc: Math.min(kb, K - p0), chunk, last: p0 + kb >= K });
      }
      chunk++;
    }
  }

  const stageIn = (s: Step, buf: number): void => {
    const { i0, j0, mc, nc, p0, kc } = s;
    // Staged op(A) block: mc×kc (row stride kc), or stored transposed kc×mc (row stride mc).
    if (transA) copyBlock(a, aOff + p0 * lda + i0, lda, kc, mc, heap, pA[buf] >> shift, mc);
    else copyBlock(a, aOff + i0 * lda + p0, lda, mc, kc, heap, pA[buf] >> shift, kc);
    if (transB) copyBlock(b, bOff + j0 * ldb + p0, ldb, nc, kc, heap, pB[buf] >> shift, kc);
    else copyBlock(b, bOff + p0 * ldb + j0, ldb, kc, nc, heap, pB[buf] >> shift, nc);
    // The staged C block has row stride nc.
    if (p0 === 0 && beta !== 0) copyBlock(c, cOff + i0 * ldc + j0, ldc, mc, nc, heap, pC[s.chunk % nbuf] >> shift, nc);
  };
  const stageOut = (s: Step): void => {
    copyBlock(heap, pC[s.chunk % nbuf] >> shift, s.nc, s.mc, s.nc, c, cOff + s.i0 * ldc + s.j0, ldc);
  };
  /** The fraction of the split side that the last `tasksOf` gave the calling thread (after rounding). */
  let mainShare = 1;
  /** The step's tasks: the calling thread's strip (fraction `share` of the split side) first. */
  const tasksOf = (s: Step, buf: number, share: number): Task[] => {
    const { mc, nc, kc } = s;
    const ldaS = transA ? mc : kc;
    const ldbS = transB ? kc : nc;
    const betaEff = s.p0 === 0 ? beta : 1;
    const byN = nc >= mc;
    const len = byN ? nc : mc;
    // Strip boundaries at multiples of 8 (a multiple of both kernels' tile sides).
    const cuts = splitCuts(len, nt, share, 8);
    if (nt > 1) mainShare = cuts[1] / len;
    const out: Task[] = [];
    const pc = pC[s.chunk % nbuf];
    for (let q = 0; q + 1 < cuts.length; q++) {
      const s0 = cuts[q];
      const l = cuts[q + 1] - s0;
      // The strip: op(A) whole and columns [s0, s0 + l) of op(B) (byN), or rows of op(A) and op(B) whole.
      const strip = byN
        ? { M: mc, N: l, pA: pA[buf], pB: pB[buf] + (transB ? s0 * kc : s0) * elt, pC: pc + s0 * elt }
        : { M: l, N: nc, pA: pA[buf] + (transA ? s0 : s0 * kc) * elt, pB: pB[buf], pC: pc + s0 * nc * elt };
      const common = { f32: f32 ? 1 : 0, tA, tB, K: kc, alpha, lda: ldaS, ldb: ldbS, beta: betaEff, ldc: nc, ...strip };
      out.push(kernel === 'js' ? { op: 'jsGemm', ...common } : { op: 'wasmGemm', ...common, work: work + out.length * ws });
    }
    return out;
  };

  if (!pipelined) {
    for (const s of steps) {
      stageIn(s, 0);
      const tasks = tasksOf(s, 0, 1 / nt);
      const posted = postTasks(tasks.slice(1));
      try {
        runHere(tasks[0]);
      } finally {
        waitTasks(posted);
      }
      if (s.last) stageOut(s);
    }
    return;
  }

  // Pipelined: block s computes while block s + 1 is copied in and block s − 1 out.
  const balance = new ShareBalancer(nt);
  let pendingOut: Step | null = null;
  stageIn(steps[0], 0);
  for (let si = 0; si < steps.length; si++) {
    const s = steps[si];
    const tasks = tasksOf(s, si % 2, balance.share);
    const posted = postTasks(tasks.slice(1));
    let tMain = 0;
    let tCopy = 0;
    try {
      const t0 = performance.now();
      runHere(tasks[0]);
      const t1 = performance.now();
      // A and B of the next block go to the other buffers; its C (when β ≠ 0) to the other C
      // buffer, unless it continues this block's depth loop (then it stages no C).
      // Copy out first: the next block may stage its C (β ≠ 0) into the buffer being emptied.
      if (pendingOut) stageOut(pendingOut);
      pendingOut = null;
      if (si + 1 < steps.length) stageIn(steps[si + 1], (si + 1) % 2);
      tMain = t1 - t0;
      tCopy = performance.now() - t1;
    } finally {
      waitTasks(posted);
    }
    if (s.last) pendingOut = s;
    // Rebalance (src/backend/split.ts) from this block's times.
    if (tasks.length === nt) balance.update(mainShare, tMain, tCopy, taskBusyMs(posted));
  }
  if (pendingOut) stageOut(pendingOut);
}
