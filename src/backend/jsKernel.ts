/**
 * The TypeScript kernels as worker-thread code, for the `'js'` backend with threads: the GEMM kernel
 * (`src/linalg/gemmKernel.ts`), the fused cross-entropy row (`src/loss/crossEntropyKernel.ts`, with
 * `fastExp`) and the log-partition row blocks (`src/softmax/logPartitionKernel.ts`). The same code
 * runs on the main thread and in each worker over blocks staged in the shared heap, so a result
 * never depends on which thread computed it.
 *
 * Workers are started from an inline source string (no file to locate at run time, no
 * `import.meta`), so the kernel module provides its own code as a self-contained script
 * (`gemmKernelSource()`: its functions' `Function.prototype.toString()` texts and its constants).
 * Where that is unavailable, JS threads are off and the `'js'` backend runs on one thread.
 *
 * @internal
 */
import * as kernelModule from '../linalg/gemmKernel.js';
import type { FloatArray } from '../matrix/matrix.js';
import { crossEntropyKernelSource } from '../loss/crossEntropyKernel.js';
import { logPartitionKernelSource } from '../softmax/logPartitionKernel.js';
import { fastExpSource } from './fastExp.js';

type GemmFn = typeof kernelModule.gemmKernel;

/** The kernel's self-contained source, or null when the kernel module does not provide one. */
export function jsKernelSource(): string | null {
  const f = (kernelModule as unknown as { gemmKernelSource?: () => string }).gemmKernelSource;
  return typeof f === 'function' ? f() : null;
}

/**
 * `gemmKernel` over the shared heap: pointers are byte addresses, `f32` selects the element type.
 * The argument order matches the worker-side function built from the same source.
 */
export function jsGemmOnHeap(
  buffer: SharedArrayBuffer,
  tA: number, tB: number, M: number, N: number, K: number, alpha: number, f32: number,
  pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number,
): void {
  const v: FloatArray = f32 ? new Float32Array(buffer) : new Float64Array(buffer);
  const s = f32 ? 2 : 3;
  const g: GemmFn = kernelModule.gemmKernel;
  g(tA !== 0, tB !== 0, M, N, K, alpha, v, pA >> s, lda, v, pB >> s, ldb, beta, v, pC >> s, ldc);
}

/**
 * The worker-side JS operations, as source, given the GEMM kernel's source: an expression whose
 * value is `{ jsgemm, jsgemmq, jsce, jslse }`, each taking the shared `WebAssembly.Memory` first and then the
 * task's numeric arguments (byte addresses into the heap).
 *
 * - `jsgemm(memory, tA, tB, M, N, K, alpha, f32, pA, lda, pB, ldb, beta, pC, ldc)`: the twin of
 *   `jsGemmOnHeap`.
 * - `jsce(memory, f32, pZ, rows, n, pT, pLse, pLoss, scale, grad)`: `rowCrossEntropyIndex` on each
 *   of `rows` contiguous staged rows of length `n` with targets at `pT` (Int32); per-row losses and
 *   log-sum-exps (float64) to `pLoss` / `pLse` when those are not 0; the gradient overwrites the
 *   staged logits when `grad` is 1 (src/backend/jsRows.ts).
 * - `jslse(memory, f32, pH, m, d, pB, nw, r0, r1, mb, pMax, pSum, pBad)`: `logPartitionRowBlocks`
 *   for contexts `[r0, r1)` of the `m × d` staged H against the `nw × d` staged chunk at `pB`, with
 *   the running maxima and sums (float64, indexed by context) at `pMax` / `pSum`; the first bad
 *   context (or −1) is written as a float64 at `pBad` (src/backend/jsLogPartition.ts).
 *
 * - `jsgemmq(memory, pCtrl, ring, flops)`: a work queue of `jsgemm` calls (src/backend/jsGemm.ts). The
 *   control block at `pCtrl` holds Int32 `[staged, done, end, −]` and then `ring` descriptors of 16
 *   float64 (the `jsgemm` arguments); the worker runs block `k` from descriptor `k % ring` as soon
 *   as `staged > k`, then sets `done = k + 1`, and returns once `end` is set and every staged block
 *   is done. `flops` only sizes the task's deadline.
 *
 * Each module's script is wrapped in its own function scope, so their module-scope names (`exp` is
 * `fastExp` in one and `Math.exp` in another) cannot collide.
 */
export function jsWorkerOpsSource(gemmSource: string): string {
  return `(() => {
const { gemmKernel } = (() => {
${gemmSource}
return { gemmKernel };
})();
// Two compiled copies of the row kernel, one per element type, so that each stays monomorphic
// when a process alternates float32 and float64 passes (a polymorphic row loop ran ≈ 25 % slower).
const ceRow = () => (() => {
${fastExpSource()}
${crossEntropyKernelSource()}
return rowCrossEntropyIndex;
})();
const ceRow32 = ceRow();
const ceRow64 = ceRow();
const { logPartitionRowBlocks } = (() => {
${logPartitionKernelSource()}
return { logPartitionRowBlocks };
})();
let scratch = new Float64Array(0);
const tmp2 = new Float64Array(2);
let z32 = new Float32Array(0);
let z64 = new Float64Array(0);
function jsgemm(memory, tA, tB, M, N, K, alpha, f32, pA, lda, pB, ldb, beta, pC, ldc) {
  const v = f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
  const s = f32 ? 2 : 3;
  gemmKernel(tA !== 0, tB !== 0, M, N, K, alpha, v, pA >> s, lda, v, pB >> s, ldb, beta, v, pC >> s, ldc);
}
function jsce(memory, f32, pZ, rows, n, pT, pLse, pLoss, scale, grad) {
  const z = f32 ? new Float32Array(memory.buffer, pZ, rows * n) : new Float64Array(memory.buffer, pZ, rows * n);
  const T = new Int32Array(memory.buffer, pT, rows);
  const F = new Float64Array(memory.buffer);
  if (scratch.length < n) scratch = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    const loss = f32 ? ceRow32(z, i * n, n, T[i], scratch, tmp2, grad ? z : null, i * n, scale) : ceRow64(z, i * n, n, T[i], scratch, tmp2, grad ? z : null, i * n, scale);
    if (pLoss) F[(pLoss >> 3) + i] = loss;
    if (pLse) F[(pLse >> 3) + i] = tmp2[0];
  }
}
function jslse(memory, f32, pH, m, d, pB, nw, r0, r1, mb, pMax, pSum, pBad) {
  const H = f32 ? new Float32Array(memory.buffer, pH, m * d) : new Float64Array(memory.buffer, pH, m * d);
  const B = f32 ? new Float32Array(memory.buffer, pB, nw * d) : new Float64Array(memory.buffer, pB, nw * d);
  let z;
  if (f32) {
    if (z32.length < mb * nw) z32 = new Float32Array(mb * nw);
    z = z32;
  } else {
    if (z64.length < mb * nw) z64 = new Float64Array(mb * nw);
    z = z64;
  }
  const runMax = new Float64Array(memory.buffer, pMax, m);
  const runSum = new Float64Array(memory.buffer, pSum, m);
  new Float64Array(memory.buffer, pBad, 1)[0] = logPartitionRowBlocks(gemmKernel, H, r0, r1, d, B, 0, nw, z, mb, runMax, runSum);
}
function jsgemmq(memory, pCtrl, ring) {
  const I = new Int32Array(memory.buffer, pCtrl, 4);
  const D = new Float64Array(memory.buffer, pCtrl + 16, ring * 16);
  for (let k = 0; ; k++) {
    for (;;) {
      // Read the end flag before the count: once it is set the count is final.
      const end = Atomics.load(I, 2);
      if (Atomics.load(I, 0) > k) break;
      if (end !== 0) return;
      Atomics.wait(I, 0, k, 20);
    }
    const o = (k % ring) * 16;
    jsgemm(memory, D[o], D[o + 1], D[o + 2], D[o + 3], D[o + 4], D[o + 5], D[o + 6], D[o + 7], D[o + 8], D[o + 9], D[o + 10], D[o + 11], D[o + 12], D[o + 13]);
    Atomics.store(I, 1, k + 1);
  }
}
return { jsgemm, jsgemmq, jsce, jslse };
})()`;
}
