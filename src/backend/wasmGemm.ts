/**
 * GEMM on the WebAssembly SIMD kernels: `C ← α·op(A)·op(B) + β·C` for user buffers, staged through
 * the shared heap in blocks and split across the thread pool.
 *
 * Staging: C is processed in `mb × nb` blocks; for each, op(A) and op(B) are copied in `kb`-deep
 * blocks and the kernel accumulates (β for the first depth block, 1 after), then the C block is
 * copied out. Block sizes keep A, B and C blocks within `STAGE_BYTES`; the smaller of M and N is
 * kept whole where it fits, so that for the shapes of a training step (H·Vᵀ, Gᵀ·H, G·V) each
 * operand element is copied in once and each result element out once. `kb` is a multiple of the
 * kernels' depth block (256), so the arithmetic per element is the same however a problem is
 * staged or split: results with 1 or n threads are bitwise identical.
 *
 * Threads: each staged C block is cut into one strip per thread along its longer side (at
 * multiples of the micro-tile), each thread packs its own panels in its own workspace.
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';
import { alloc, getHeap, heapF32, heapF64, resetArena, stageBytes } from './heap.js';
import { copyBlock } from './stage.js';
import { runTasks, type Task } from './threadPool.js';

/** The kernels' depth block; staged depth blocks are multiples of it. */
const KC = 256;
/** Products below this many multiply-adds run on one thread (dispatch would cost more than it saves). */
export const THREAD_MIN_MADDS = 1 << 20;

/** Choose staged block sizes (mb, nb, kb) for an M×N×K product of `elt`-byte elements. */
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

/** Split `n` into at most `parts` strips whose starts are multiples of `align`. */
function strips(n: number, parts: number, align: number): [number, number][] {
  const size = Math.ceil(n / parts / align) * align;
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(size, n - s)]);
  return out;
}

/**
 * `C ← α·op(A)·op(B) + β·C` on the WASM kernels with up to `threads` threads. `f32` selects the
 * float32 kernel (all of A, B, C are Float32Array) or the float64 one (inputs converted exactly).
 * Requires M, N, K ≥ 1 and α ≠ 0 (the caller leaves the trivial cases to the TypeScript kernel).
 */
export function wasmGemm(
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
  const h = getHeap();
  const elt = f32 ? 4 : 8;
  const shift = f32 ? 2 : 3;
  const op = f32 ? 'sgemm' : 'dgemm';
  const nt = M * N * K >= THREAD_MIN_MADDS ? Math.max(1, threads) : 1;
  const [mb, nb, kb] = chooseStaging(M, N, K, elt);
  resetArena();
  const ws = h.exports.gemmWorkspaceBytes();
  const work = alloc(ws * nt);
  const pA = alloc(mb * kb * elt);
  const pB = alloc(kb * nb * elt);
  const pC = alloc(mb * nb * elt);
  const view = (): FloatArray => (f32 ? heapF32() : heapF64());
  const tA = transA ? 1 : 0;
  const tB = transB ? 1 : 0;
  for (let i0 = 0; i0 < M; i0 += mb) {
    const mc = Math.min(mb, M - i0);
    for (let j0 = 0; j0 < N; j0 += nb) {
      const nc = Math.min(nb, N - j0);
      const heap = view();
      // The staged C block has row stride nc.
      if (beta !== 0) copyBlock(c, cOff + i0 * ldc + j0, ldc, mc, nc, heap, pC >> shift, nc);
      for (let p0 = 0; p0 < K; p0 += kb) {
        const kc = Math.min(kb, K - p0);
        // Staged op(A) block: mc×kc (row stride kc), or stored transposed kc×mc (row stride mc).
        {
          if (transA) copyBlock(a, aOff + p0 * lda + i0, lda, kc, mc, heap, pA >> shift, mc);
          else copyBlock(a, aOff + i0 * lda + p0, lda, mc, kc, heap, pA >> shift, kc);
          if (transB) copyBlock(b, bOff + j0 * ldb + p0, ldb, nc, kc, heap, pB >> shift, kc);
          else copyBlock(b, bOff + p0 * ldb + j0, ldb, kc, nc, heap, pB >> shift, nc);
        }
        const ldaS = transA ? mc : kc;
        const ldbS = transB ? kc : nc;
        const betaEff = p0 === 0 ? beta : 1;
        const tasks: Task[] = [];
        // Split the longer side of the C block, at multiples of 8 (a multiple of both tiles' sides).
        if (nc >= mc) {
          for (const [s, len] of strips(nc, nt, 8)) {
            const pb = pB + (transB ? s * kc : s) * elt;
            tasks.push({ op, args: [tA, tB, mc, len, kc, alpha, pA, ldaS, pb, ldbS, betaEff, pC + s * elt, nc, work + tasks.length * ws] });
          }
        } else {
          for (const [s, len] of strips(mc, nt, 8)) {
            const pa = pA + (transA ? s : s * kc) * elt;
            tasks.push({ op, args: [tA, tB, len, nc, kc, alpha, pa, ldaS, pB, ldbS, betaEff, pC + s * nc * elt, nc, work + tasks.length * ws] });
          }
        }
        runTasks(tasks);
      }
      copyBlock(view(), pC >> shift, nc, mc, nc, c, cOff + i0 * ldc + j0, ldc);
    }
  }
}
