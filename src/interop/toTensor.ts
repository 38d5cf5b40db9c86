import { checkMatrix, describeValue, domainError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import type { Tensor2dFactory } from './types.js';

/**
 * A float32 2-D tensor with a matrix's values, made by the `tensor2d` of the TensorFlow.js module
 * you pass (lmtransfer does not import TensorFlow.js, so it stays out of your bundle unless you use
 * it). A float64 matrix is rounded to float32 (round to nearest, as `Float32Array.from` does);
 * values beyond the float32 range become ±Infinity.
 *
 * @param a - the matrix.
 * @param tf - the TensorFlow.js module (or anything with `tensor2d(values, shape, dtype)`).
 * @returns whatever `tf.tensor2d` returns: a `tf.Tensor2D` of shape `[a.rows, a.cols]`, dtype float32.
 * @throws DomainError on a malformed matrix or a `tf` without `tensor2d`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * const t = toTensor(fromRows([[1, 2], [3, 4]]), tf); // tf.Tensor2D, shape [2, 2], float32
 * ```
 */
export function toTensor<T>(a: Matrix, tf: Tensor2dFactory<T>): T {
  const fn = 'toTensor';
  checkMatrix(fn, 'a', a);
  if (tf === null || typeof tf !== 'object' || typeof (tf as { tensor2d?: unknown }).tensor2d !== 'function') {
    throw domainError(fn, 'tf', 'the TensorFlow.js module (an object with tensor2d)', describeValue(tf));
  }
  const values = a.data instanceof Float32Array ? a.data.slice() : Float32Array.from(a.data);
  // float32 storage: a finite float64 beyond ±3.4e38 would silently become ±Infinity.
  for (let i = 0; i < values.length; i++) {
    if (values[i] - values[i] !== 0 && a.data[i] - a.data[i] === 0) throw domainError(fn, 'a', 'finite in float32 (|x| < 3.4e38)', `${describeValue(a.data[i])} at index ${i}`);
  }
  return tf.tensor2d(values, [a.rows, a.cols], 'float32');
}
