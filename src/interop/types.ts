/**
 * Structural shapes of other libraries' matrices and tensors. lmtransfer never imports TensorFlow.js
 * at runtime: anything with these members is accepted.
 */

/** A 2-D tensor as TensorFlow.js has it (`tf.Tensor2D`), or anything with a `shape` and a `dataSync()`. */
export interface TensorLike {
  /** The dimensions; `[rows, cols]` for the tensors lmtransfer converts. */
  readonly shape: readonly number[];
  /** The element type name (`'float32'`, `'int32'`, `'bool'`, …), when known. */
  readonly dtype?: string;
  /** The values in row-major order (TensorFlow.js downloads them from the device). */
  dataSync(): ArrayLike<number>;
}

/** What {@link toTensor} needs of the TensorFlow.js module: its `tensor2d` (pass `tf` itself). */
export interface Tensor2dFactory<T> {
  tensor2d(values: Float32Array, shape: [number, number], dtype: 'float32'): T;
}

/** An ml-matrix `Matrix` (or `AbstractMatrix`), structurally: its size and a row-major copy of its values. */
export interface MlMatrixLike {
  readonly rows: number;
  readonly columns: number;
  to1DArray(): ArrayLike<number>;
}
