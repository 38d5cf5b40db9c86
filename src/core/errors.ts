/**
 * The error hierarchy of lmtransfer. Every public function throws one of these (never a bare
 * `Error`, never a silent NaN), and every message names the function, the argument, what was
 * expected and what arrived, so that a user can fix the call from the message alone.
 *
 * @example
 * ```ts
 * import { matmul, matrix, ShapeError } from 'lmtransfer';
 * try { matmul(matrix(2, 3), matrix(2, 3)); }
 * catch (e) {
 *   e instanceof ShapeError; // → true
 *   // (e as Error).message: "matmul: argument 'b' must have 3 rows (a.cols); got a 2×3 matrix"
 * }
 * ```
 */
export class LmTransferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Dimensions that do not fit: mismatched shapes, a data length that is not `rows·cols`, an empty matrix where values are needed.
 *
 * @example
 * ```ts
 * matmul(matrix(2, 3), matrix(2, 3)); // throws ShapeError: "matmul: argument 'b' must have 3 rows (a.cols); got a 2×3 matrix"
 * ```
 */
export class ShapeError extends LmTransferError {}

/**
 * A value outside its domain: a negative ridge, a non-integer or out-of-range word index, a NaN target, a distribution that does not sum to 1.
 *
 * @example
 * ```ts
 * logSumExp(Float64Array.of(1, NaN)); // throws DomainError: "logSumExp: argument 'x' must be free of NaN and +Infinity (−Infinity is allowed); got NaN at [1]"
 * ```
 */
export class DomainError extends LmTransferError {}

/**
 * A computation that cannot produce a trustworthy number: a rank-deficient system without ridge, a non-finite loss in training.
 *
 * @example
 * ```ts
 * choleskyDecompose(fromRows([[1, 2], [2, 1]])); // throws NumericalError: not positive definite
 * ```
 */
export class NumericalError extends LmTransferError {}

/**
 * A file or byte buffer that is truncated, corrupt or in a layout the reader does not accept.
 *
 * @example
 * ```ts
 * readNpy(new Uint8Array(4)); // throws FormatError: the buffer is not a .npy file
 * ```
 */
export class FormatError extends LmTransferError {}
