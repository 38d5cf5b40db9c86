/**
 * Hook through which the accelerated kernel backend (WebAssembly SIMD, worker threads) takes over
 * products from `gemm`. Returns true when it computed the product, false to let the TypeScript
 * kernel run.
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';

export function tryAcceleratedGemm(
  _transA: boolean,
  _transB: boolean,
  _M: number,
  _N: number,
  _K: number,
  _alpha: number,
  _a: FloatArray,
  _aOffset: number,
  _lda: number,
  _b: FloatArray,
  _bOffset: number,
  _ldb: number,
  _beta: number,
  _c: FloatArray,
  _cOffset: number,
  _ldc: number,
): boolean {
  return false;
}
