import { checkMatrix, checkNonEmptyMatrix, describeValue, domainError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import type { StoragePrecision } from './anchorStatsKernel.js';

export type { StoragePrecision } from './anchorStatsKernel.js';

/**
 * Hidden states `H` (`rows × cols`) read in row chunks, so that a fit can stream contexts that do
 * not fit in memory (a `.npy` or safetensors file read by positional reads: `openHiddenStates` in
 * `lmtransfer/io`). A `Matrix` is wrapped by `hiddenRowSource`.
 */
export interface HiddenRowSource {
  /** Number of contexts `m`. */
  readonly rows: number;
  /** The dimension `d`. */
  readonly cols: number;
  /**
   * The precision the values were stored in before they were widened for computing (float16 and
   * bfloat16 arrive as float32). It sets the default rank tolerance (`AnchorStatsFit.rankTolerance`).
   */
  readonly storedDType: StoragePrecision;
  /**
   * Rows `[start, end)` as a row-major `(end − start) × cols` matrix (float32 or float64). The
   * library finishes with each chunk before it asks for the next, so a source may return a view of
   * one reused buffer (a streaming file reader does, to keep memory at one chunk).
   */
  readRows(start: number, end: number): Matrix;
}

/**
 * `H` as a `HiddenRowSource` (chunks are views, no copy); a source is returned as it is.
 *
 * @param H - a matrix, or a `HiddenRowSource`.
 * @param storedDType - the precision `H` was stored in, when it was widened (default: its own).
 * @throws DomainError when `H` is neither.
 * @example
 * ```ts
 * const src = hiddenRowSource(fromRows([[1, 2], [3, 4]]));
 * src.readRows(1, 2).data; // [3, 4]
 * ```
 */
export function hiddenRowSource(H: Matrix | HiddenRowSource, storedDType?: StoragePrecision): HiddenRowSource {
  if (isHiddenRowSource(H)) return H;
  checkMatrix('hiddenRowSource', 'H', H);
  const dtype: StoragePrecision = storedDType ?? (H.data instanceof Float32Array ? 'float32' : 'float64');
  const { rows, cols, data } = H;
  return {
    rows,
    cols,
    storedDType: dtype,
    readRows: (start: number, end: number): Matrix => ({ rows: end - start, cols, data: data.subarray(start * cols, end * cols) }),
  };
}

/** Whether `x` is a `HiddenRowSource` (has `rows`, `cols`, `storedDType` and `readRows`). */
export function isHiddenRowSource(x: unknown): x is HiddenRowSource {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Partial<HiddenRowSource>;
  return typeof o.readRows === 'function' && typeof o.rows === 'number' && typeof o.cols === 'number' && typeof o.storedDType === 'string';
}

/** Check a `Matrix | HiddenRowSource` argument: a source needs integer `rows ≥ 1`, `cols ≥ 1` and a known `storedDType`. */
export function checkHiddenInput(fn: string, name: string, H: unknown): HiddenRowSource {
  if (isHiddenRowSource(H)) {
    if (!Number.isInteger(H.rows) || H.rows < 1 || !Number.isInteger(H.cols) || H.cols < 1) {
      throw domainError(fn, name, 'a row source with integer rows ≥ 1 and cols ≥ 1', `rows ${describeValue(H.rows)}, cols ${describeValue(H.cols)}`);
    }
    if (!['float16', 'bfloat16', 'float32', 'float64'].includes(H.storedDType)) {
      throw domainError(fn, `${name}.storedDType`, "one of 'float16', 'bfloat16', 'float32', 'float64'", describeValue(H.storedDType));
    }
    return H;
  }
  checkNonEmptyMatrix(fn, name, H);
  return hiddenRowSource(H);
}
