import type { DType, FloatArray, Matrix } from './types.js';
import { ShapeError, DomainError } from './errors.js';
import { checkAllocatable, checkMatrix, checkOneOf, describeValue } from './check.js';
import { countOf } from './countOf.js';

/** The storage precisions a `DType` argument accepts, for argument checks. */
const DTYPES: readonly DType[] = ['float64', 'float32'];

/**
 * Check that every entry of a plain array is a number. `Float64Array.from` would otherwise turn a
 * string or `undefined` into NaN (or `'1'` into 1) without a word; NaN and ±Infinity themselves are
 * numbers and allowed, since a `Matrix` may hold them and each consumer decides whether it accepts them.
 */
function checkNumberEntries(fn: string, name: string, values: readonly unknown[], where: (k: number) => string): void {
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (typeof v !== 'number') throw new DomainError(`${fn}: argument '${name}' must contain only numbers; got ${describeValue(v)} at ${where(k)}`);
  }
}

/** Check a non-negative integer dimension in the library's message template. */
function checkDimension(fn: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new DomainError(`${fn}: argument '${name}' must be a non-negative integer; got ${describeValue(v)}`);
  }
}

/**
 * Check that `rows × cols` elements can be allocated; names the larger dimension (the one to
 * reduce) and shows the product.
 */
function checkMatrixSize(fn: string, rows: number, cols: number, bytesPerElement = 8): void {
  checkAllocatable(fn, rows >= cols ? 'rows' : 'cols', rows * cols, bytesPerElement, `rows·cols = ${rows}·${cols}`);
}

/**
 * Integer and non-float typed arrays whose values convert to float64 exactly (every 8-, 16- and
 * 32-bit integer is a float64). BigInt arrays are not among them: a 64-bit integer need not be.
 */
export type NumericTypedArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

function isNumericTypedArray(v: unknown): v is NumericTypedArray {
  return (
    v instanceof Int8Array || v instanceof Uint8Array || v instanceof Uint8ClampedArray || v instanceof Int16Array ||
    v instanceof Uint16Array || v instanceof Int32Array || v instanceof Uint32Array
  );
}

/**
 * Where float32 rounding overflows: `2¹²⁸ − 2¹⁰³`, halfway between the largest float32
 * `(2 − 2⁻²³)·2¹²⁷` and `2¹²⁸`; a value of at least this magnitude rounds to ±Infinity (ties go to
 * the even neighbour, 2¹²⁸), anything below rounds to a finite float32.
 */
const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

/**
 * Check that finite values survive the conversion to float32: a finite value beyond ±3.4e38 would
 * silently become ±Infinity. (NaN and ±Infinity themselves are kept, as for float64.)
 */
function checkFloat32Range(fn: string, name: string, values: ArrayLike<number>, where: (k: number) => string): void {
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (Number.isFinite(v) && Math.abs(v) >= FLOAT32_OVERFLOW) {
      throw new DomainError(`${fn}: argument '${name}' must hold values representable in float32 (|v| < 2^128 − 2^103 ≈ 3.4028235677973366e38) when dtype is 'float32'; got ${v} at ${where(k)}`);
    }
  }
}

export type { FloatArray, DType, Matrix } from './types.js';

/**
 * Make a `rows × cols` matrix. With no `data`, a zero matrix (float64 unless `dtype` says
 * otherwise). A `Float64Array` or `Float32Array` is wrapped without copying (so the caller keeps
 * control of its memory) unless `dtype` asks for the other precision; an integer typed array
 * (`Int32Array`, `Uint8Array`, …) or a plain number array is copied into a new buffer, float64
 * unless `dtype` is given. For an array of rows (`[[1, 2], [3, 4]]`) use {@link fromRows}.
 *
 * @example
 * ```ts
 * const a = matrix(2, 2, [1, 2, 3, 4]);                 // [[1, 2], [3, 4]]
 * const z = matrix(3, 4);                               // 3×4 zeros, float64
 * const c = matrix(1, 3, Int32Array.of(7, 8, 9));       // copied into a Float64Array
 * const f = matrix(1, 2, [1, 2], 'float32');            // Float32Array storage
 * ```
 * @throws ShapeError when `data.length !== rows * cols`
 * @throws DomainError when `rows` or `cols` is not a non-negative integer, `rows·cols` elements
 *   cannot be allocated (more than 4 GiB), `data` is an array of rows (use
 *   `fromRows`), holds a non-number, or is neither a typed array of numbers nor an array of numbers,
 *   or `dtype` is not `'float64'` or `'float32'`
 */
export function matrix(rows: number, cols: number, data?: FloatArray | NumericTypedArray | readonly number[], dtype?: DType): Matrix {
  checkDimension('matrix', 'rows', rows);
  checkDimension('matrix', 'cols', cols);
  if (dtype !== undefined) checkOneOf('matrix', 'dtype', dtype, DTYPES);
  checkMatrixSize('matrix', rows, cols, dtype === 'float32' ? 4 : 8);
  if (data === undefined) return { rows, cols, data: dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols) };
  const expected = 'a Float64Array, a Float32Array, an integer typed array or an array of numbers';
  if (data === null || typeof data !== 'object') {
    throw new DomainError(`matrix: argument 'data' must be ${expected}; got ${describeValue(data)}`);
  }
  if (Array.isArray(data) && data.length > 0 && (Array.isArray(data[0]) || ArrayBuffer.isView(data[0]))) {
    // matrix(2, 2, [[1, 2], [3, 4]]) would otherwise be reported as a length mismatch (2 ≠ 4).
    throw new DomainError(
      `matrix: argument 'data' must be a flat array of rows·cols numbers in row-major order (for an array of rows, call fromRows(rows)); got an array of ${countOf(data.length, 'array')}`,
    );
  }
  const isFloat = data instanceof Float64Array || data instanceof Float32Array;
  if (!isFloat && !isNumericTypedArray(data) && !Array.isArray(data)) {
    throw new DomainError(`matrix: argument 'data' must be ${expected}; got ${describeValue(data)}`);
  }
  if (data.length !== rows * cols) {
    throw new ShapeError(
      `matrix: argument 'data' must have rows·cols = ${rows}·${cols} = ${countOf(rows * cols, 'element')}; got ${data.length}`,
    );
  }
  if (isFloat && (dtype === undefined || dtype === (data instanceof Float32Array ? 'float32' : 'float64'))) return { rows, cols, data };
  if (Array.isArray(data)) checkNumberEntries('matrix', 'data', data, (k) => `[${k}]`);
  // A copy, never a view: an Int32Array's bytes are not float64 values, and the caller's buffer stays theirs.
  const src = data as ArrayLike<number>;
  if (dtype === 'float32') checkFloat32Range('matrix', 'data', src, (k) => `[${k}]`);
  const out = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let k = 0; k < out.length; k++) out[k] = src[k];
  return { rows, cols, data: out };
}

/**
 * Make a matrix from an array of equal-length rows; each row is a number array or a numeric typed
 * array (`Float64Array`, `Int32Array`, …), copied.
 *
 * @example
 * ```ts
 * const a = fromRows([[1, 2, 3], [4, 5, 6]]);                         // 2×3, float64
 * const b = fromRows([[1, 2], [3, 4]], 'float32');                    // float32 storage
 * const c = fromRows([Float64Array.of(1, 2), Int32Array.of(3, 4)]);   // typed rows
 * ```
 * @throws ShapeError when the rows have different lengths
 * @throws DomainError when `rows` is not an array of number arrays or numeric typed arrays, the
 *   matrix cannot be allocated, `dtype` is not `'float64'` or `'float32'`, or a finite value is
 *   beyond the float32 range with `dtype: 'float32'` (it would become ±Infinity)
 */
export function fromRows(rows: readonly (readonly number[] | FloatArray | NumericTypedArray)[], dtype: DType = 'float64'): Matrix {
  const expected = 'an array of rows, each a number array or a numeric typed array';
  if (!Array.isArray(rows)) {
    throw new DomainError(`fromRows: argument 'rows' must be ${expected}; got ${describeValue(rows)}`);
  }
  checkOneOf('fromRows', 'dtype', dtype, DTYPES);
  const list = rows as readonly unknown[];
  const m = list.length;
  const isRow = (r: unknown): r is ArrayLike<number> =>
    Array.isArray(r) || r instanceof Float64Array || r instanceof Float32Array || isNumericTypedArray(r);
  const first: unknown = list[0];
  const n = isRow(first) ? first.length : 0;
  checkMatrixSize('fromRows', m, n, dtype === 'float32' ? 4 : 8);
  const data = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const r: unknown = list[i];
    if (!isRow(r)) {
      throw new DomainError(`fromRows: argument 'rows' must be ${expected}; got ${describeValue(r)} at row ${i}`);
    }
    if (r.length !== n) {
      throw new ShapeError(`fromRows: argument 'rows' must have rows of equal length ${n} (the length of row 0); got row ${i} of length ${r.length}`);
    }
    if (Array.isArray(r)) checkNumberEntries('fromRows', 'rows', r as readonly unknown[], (j) => `(${i}, ${j})`);
    const row: ArrayLike<number> = r;
    if (dtype === 'float32') checkFloat32Range('fromRows', 'rows', row, (j) => `(${i}, ${j})`);
    for (let j = 0; j < n; j++) data[i * n + j] = row[j];
  }
  return { rows: m, cols: n, data };
}

/**
 * Copy a matrix into an array of plain number rows (for printing, JSON and tests).
 *
 * @example
 * ```ts
 * toRows(matrix(2, 2, [1, 2, 3, 4])); // [[1, 2], [3, 4]]
 * ```
 * @throws DomainError or ShapeError when `a` is not a well-formed `Matrix`
 */
export function toRows(a: Matrix): number[][] {
  checkMatrix('toRows', 'a', a);
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/**
 * The storage precision of a matrix.
 *
 * @example
 * ```ts
 * dtypeOf(fromRows([[1, 2]], 'float32')); // 'float32'
 * dtypeOf(matrix(2, 2));                  // 'float64'
 * ```
 * @throws DomainError or ShapeError when `a` is not a well-formed `Matrix`
 */
export function dtypeOf(a: Matrix): DType {
  checkMatrix('dtypeOf', 'a', a);
  return a.data instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * A zero buffer of `length` elements in the given precision.
 *
 * @example
 * ```ts
 * allocFloat('float32', 3); // Float32Array(3) [0, 0, 0]
 * ```
 * @throws DomainError when `dtype` is not `'float64'` or `'float32'`, `length` is not a
 *   non-negative integer, or the buffer cannot be allocated (more than 4 GiB)
 */
export function allocFloat(dtype: DType, length: number): FloatArray {
  checkOneOf('allocFloat', 'dtype', dtype, DTYPES);
  checkDimension('allocFloat', 'length', length);
  checkAllocatable('allocFloat', 'length', length, dtype === 'float32' ? 4 : 8);
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/**
 * A zero `rows × cols` matrix in the given precision.
 *
 * @example
 * ```ts
 * zeros(2, 3, 'float32').data; // Float32Array(6) [0, 0, 0, 0, 0, 0]
 * ```
 * @throws DomainError when `rows` or `cols` is not a non-negative integer, `rows·cols` elements
 *   cannot be allocated (more than 4 GiB), or `dtype` is not `'float64'` or
 *   `'float32'`
 */
export function zeros(rows: number, cols: number, dtype: DType = 'float64'): Matrix {
  checkDimension('zeros', 'rows', rows);
  checkDimension('zeros', 'cols', cols);
  checkOneOf('zeros', 'dtype', dtype, DTYPES);
  checkMatrixSize('zeros', rows, cols, dtype === 'float32' ? 4 : 8);
  return { rows, cols, data: allocFloat(dtype, rows * cols) };
}

/**
 * A deep copy (same precision).
 *
 * @example
 * ```ts
 * const a = fromRows([[1, 2]]);
 * const b = cloneMatrix(a);
 * b.data[0] = 9; // a is unchanged
 * ```
 * @throws DomainError or ShapeError when `a` is not a well-formed `Matrix`
 */
export function cloneMatrix<T extends FloatArray>(a: Matrix<T>): Matrix<T> {
  checkMatrix('cloneMatrix', 'a', a);
  return { rows: a.rows, cols: a.cols, data: a.data.slice() as T };
}
