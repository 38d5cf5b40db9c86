/**
 * The TypeScript GEMM kernel (`src/linalg/gemmKernel.ts`) as worker-thread code, for the `'js'`
 * backend with threads: the same kernel runs on the main thread and in each worker over blocks
 * staged in the shared heap.
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

/** The worker-side twin of `jsGemmOnHeap`, as source, given the kernel source. */
export function jsGemmWorkerSource(kernelSource: string): string {
  return `(() => {
${kernelSource}
return function jsgemm(memory, tA, tB, M, N, K, alpha, f32, pA, lda, pB, ldb, beta, pC, ldc) {
  const v = f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
  const s = f32 ? 2 : 3;
  gemmKernel(tA !== 0, tB !== 0, M, N, K, alpha, v, pA >> s, lda, v, pB >> s, ldb, beta, v, pC >> s, ldc);
};
})()`;
}
