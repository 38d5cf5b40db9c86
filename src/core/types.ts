/**
 * The storage types of every vector and matrix: a leaf module, so that the argument checks and the
 * constructors can both use them without importing each other.
 */

/** A flat floating-point buffer: the storage of every vector and matrix in lmtransfer. */
export type FloatArray = Float64Array | Float32Array;

/** Storage precision of a matrix. */
export type DType = 'float64' | 'float32';

/**
 * A dense row-major matrix: element `(i, j)` is `data[i * cols + j]`.
 *
 * Precision follows the storage, as in NumPy and PyTorch: float64 in, float64 out; float32 storage
 * gives float32 products, logits and gradients, while reductions (losses, log-partitions, fits) are
 * accumulated and returned in float64.
 */
export interface Matrix<T extends FloatArray = FloatArray> {
  readonly rows: number;
  readonly cols: number;
  readonly data: T;
}
