import { describeValue, domainError, shapeError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import type { TensorLike } from './types.js';

/** Options of {@link fromTensor}. */
export interface FromTensorOptions {
  /**
   * Storage of the result.
   *
   * @defaultValue `'float32'` for a float32 tensor (no rounding either way), `'float64'` otherwise
   */
  readonly dtype?: 'float32' | 'float64';
}

/**
 * A `Matrix` with a copy of a 2-D tensor's values, e.g. a TensorFlow.js `tf.Tensor2D` of hidden
 * states. Works on any object with `shape` and `dataSync()` (TensorFlow.js is not imported). A
 * float32 tensor gives a float32 matrix (the values are copied bit for bit); an int32 or bool tensor
 * gives float64. The tensor is not disposed.
 *
 * @param tensor - a rank-2 tensor `[rows, cols]`.
 * @throws DomainError when `tensor` has no `shape`/`dataSync`, is not rank 2, or `opts.dtype` is unknown;
 *   ShapeError when its data length is not `rows·cols`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * const t = tf.tensor2d([[1, 2], [3, 4]]);
 * const H = fromTensor(t);                          // 2×2 float32 Matrix, the same bits
 * const H64 = fromTensor(t, { dtype: 'float64' });  // widened to float64 (exact)
 * ```
 */
export function fromTensor(tensor: TensorLike, opts?: FromTensorOptions): Matrix {
  const fn = 'fromTensor';
  const t = tensor as unknown as { shape?: unknown; dataSync?: unknown; dtype?: unknown };
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || typeof t.dataSync !== 'function') {
    throw domainError(fn, 'tensor', 'a tensor with shape and dataSync() (e.g. a tf.Tensor2D)', describeValue(tensor));
  }
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw domainError(fn, 'opts', 'an options object or undefined', describeValue(opts));
  const shape = t.shape as unknown[];
  if (shape.length !== 2 || !shape.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0)) {
    throw domainError(fn, 'tensor', 'a rank-2 tensor [rows, cols] (use dataSync() for a vector)', `shape [${shape.map((s) => describeValue(s)).join(', ')}]`);
  }
  const [rows, cols] = shape as [number, number];
  const values = tensor.dataSync();
  if (values.length !== rows * cols) throw shapeError(fn, 'tensor', `data of length rows·cols = ${rows * cols}`, `length ${values.length}`);
  const dtype = opts?.dtype ?? (values instanceof Float32Array ? 'float32' : 'float64');
  if (dtype !== 'float32' && dtype !== 'float64') throw domainError(fn, 'opts.dtype', "'float32' or 'float64'", describeValue(dtype));
  const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  return { rows, cols, data };
}
