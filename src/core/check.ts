/**
 * Argument checks shared by every public function. Each check throws a typed `LmTransferError`
 * whose message follows one template,
 *
 *     `<fn>: argument '<name>' must be <expected>; got <what arrived>`
 *
 * so that messages read alike across the library and tests can match them. Public functions call
 * these once at the top and then hand flat typed arrays to unchecked kernels.
 *
 * @internal
 */
import { DomainError, NumericalError, ShapeError } from './errors.js';
import type { FloatArray, Matrix } from './types.js';

/**
 * A short description of a value for an error message: its type, and its shape or value.
 *
 * @example
 * ```ts
 * describeValue(new Float32Array(3)); // 'Float32Array of length 3'
 * ```
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of length ${(v as unknown as { length: number }).length}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('rows' in o && 'cols' in o) return `an object with rows=${describeValue(o.rows)}, cols=${describeValue(o.cols)}`;
    return `an object (${v.constructor?.name ?? 'Object'})`;
  }
  return typeof v;
}

/**
 * `m×n` for messages.
 *
 * @example
 * ```ts
 * shapeOf(matrix(2, 3)); // 'a 2×3 matrix'
 * ```
 */
export function shapeOf(a: Matrix): string {
  return `a ${a.rows}×${a.cols} matrix`;
}

/**
 * Throw a `DomainError` in the library's message template.
 *
 * @example
 * ```ts
 * throw domainError('f', 'x', 'positive', '-1'); // "f: argument 'x' must be positive; got -1"
 * ```
 */
export function domainError(fn: string, name: string, expected: string, got: string): DomainError {
  return new DomainError(`${fn}: argument '${name}' must be ${expected}; got ${got}`);
}

/**
 * Throw a `ShapeError` in the library's message template.
 *
 * @example
 * ```ts
 * throw shapeError('f', 'y', 'of length 3', 'length 2');
 * ```
 */
export function shapeError(fn: string, name: string, expected: string, got: string): ShapeError {
  return new ShapeError(`${fn}: argument '${name}' must be ${expected}; got ${got}`);
}

/**
 * Check that `a` is a well-formed `Matrix`: non-negative integer `rows` and `cols`, a `Float64Array`
 * or `Float32Array` `data` of length exactly `rows·cols`.
 *
 * @example
 * ```ts
 * checkMatrix('matmul', 'a', a); // throws unless a is a well-formed Matrix
 * ```
 */
export function checkMatrix(fn: string, name: string, a: unknown): asserts a is Matrix {
  if (a === null || typeof a !== 'object') {
    throw domainError(fn, name, 'a Matrix { rows, cols, data }', describeValue(a));
  }
  const m = a as { rows?: unknown; cols?: unknown; data?: unknown };
  if (typeof m.rows !== 'number' || !Number.isInteger(m.rows) || m.rows < 0) {
    throw domainError(fn, name, 'a Matrix with a non-negative integer rows', `rows=${describeValue(m.rows)}`);
  }
  if (typeof m.cols !== 'number' || !Number.isInteger(m.cols) || m.cols < 0) {
    throw domainError(fn, name, 'a Matrix with a non-negative integer cols', `cols=${describeValue(m.cols)}`);
  }
  if (!(m.data instanceof Float64Array) && !(m.data instanceof Float32Array)) {
    throw domainError(fn, name, 'a Matrix whose data is a Float64Array or Float32Array', describeValue(m.data));
  }
  if (m.data.length !== m.rows * m.cols) {
    throw shapeError(
      fn,
      name,
      `a Matrix with data.length = rows·cols = ${m.rows}·${m.cols} = ${m.rows * m.cols}`,
      `data.length = ${m.data.length}`,
    );
  }
}

/**
 * Check a well-formed matrix with at least one row and one column.
 *
 * @example
 * ```ts
 * checkNonEmptyMatrix('logPartition', 'V', V);
 * ```
 */
export function checkNonEmptyMatrix(fn: string, name: string, a: unknown): asserts a is Matrix {
  checkMatrix(fn, name, a);
  if (a.rows === 0 || a.cols === 0) throw shapeError(fn, name, 'a non-empty matrix', shapeOf(a));
}

/**
 * Check that every entry of a buffer is finite; names the first offending index.
 *
 * @example
 * ```ts
 * checkFiniteArray('f', 'y', Float64Array.of(1, NaN)); // throws: "... got NaN at [1]"
 * ```
 */
export function checkFiniteArray(fn: string, name: string, x: ArrayLike<number>, cols?: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // `v - v !== 0` is true exactly for NaN and ±Infinity; it avoids a global lookup per element,
    // which costs ~0.4 µs each inside jest's sandbox.
    if (v - v !== 0) {
      const where = cols && cols > 0 ? `(${Math.floor(i / cols)}, ${i % cols})` : `[${i}]`;
      throw domainError(fn, name, 'finite everywhere', `${describeValue(v)} at ${where}`);
    }
  }
}

/**
 * Check that a matrix's entries are finite.
 *
 * @example
 * ```ts
 * checkFiniteMatrix('f', 'X', X); // names the (row, column) of the first non-finite entry
 * ```
 */
export function checkFiniteMatrix(fn: string, name: string, a: Matrix): void {
  checkFiniteArray(fn, name, a.data, a.cols);
}

/**
 * Check a `Float64Array` or `Float32Array` vector, optionally of a given length.
 *
 * @example
 * ```ts
 * checkFloatVector('f', 'y', y, X.rows, 'X.rows');
 * ```
 */
export function checkFloatVector(fn: string, name: string, x: unknown, length?: number, lengthWhat?: string): asserts x is FloatArray {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array)) {
    throw domainError(fn, name, 'a Float64Array or Float32Array', describeValue(x));
  }
  if (length !== undefined && x.length !== length) {
    throw shapeError(fn, name, `of length ${length}${lengthWhat ? ` (${lengthWhat})` : ''}`, `length ${x.length}`);
  }
}

/**
 * Check an `Int32Array` of word indices in `[0, n)`; names the first offending position.
 *
 * @example
 * ```ts
 * checkWordIndices('f', 'words', Int32Array.of(0, 2), n, { nonEmpty: true, unique: true });
 * ```
 */
export function checkWordIndices(fn: string, name: string, idx: unknown, n: number, opts: { nonEmpty?: boolean; unique?: boolean } = {}): asserts idx is Int32Array {
  if (!(idx instanceof Int32Array)) {
    throw domainError(fn, name, 'an Int32Array of word indices', describeValue(idx));
  }
  if (opts.nonEmpty && idx.length === 0) throw shapeError(fn, name, 'a non-empty set of word indices', 'an empty Int32Array');
  for (let i = 0; i < idx.length; i++) {
    const w = idx[i];
    if (w < 0 || w >= n) throw domainError(fn, name, `word indices in [0, ${n})`, `${w} at position ${i}`);
  }
  if (opts.unique) {
    const seen = new Uint8Array(n);
    for (let i = 0; i < idx.length; i++) {
      const w = idx[i];
      if (seen[w]) throw domainError(fn, name, 'distinct word indices', `${w} repeated at position ${i}`);
      seen[w] = 1;
    }
  }
}

/**
 * Check a finite number, optionally within bounds.
 *
 * @example
 * ```ts
 * checkNumber('f', 'ridge', ridge, { min: 0 }); // "... must be a finite number ≥ 0; got -1"
 * ```
 */
export function checkNumber(
  fn: string,
  name: string,
  v: unknown,
  opts: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {},
): asserts v is number {
  const { min, max, minExclusive, maxExclusive, integer } = opts;
  let expected = integer ? 'an integer' : 'a finite number';
  if (min !== undefined && max !== undefined) expected += ` in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
  else if (min !== undefined) expected += minExclusive ? ` > ${min}` : ` ≥ ${min}`;
  else if (max !== undefined) expected += maxExclusive ? ` < ${max}` : ` ≤ ${max}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw domainError(fn, name, expected, describeValue(v));
  if (integer && !Number.isInteger(v)) throw domainError(fn, name, expected, describeValue(v));
  if (min !== undefined && (minExclusive ? v <= min : v < min)) throw domainError(fn, name, expected, describeValue(v));
  if (max !== undefined && (maxExclusive ? v >= max : v > max)) throw domainError(fn, name, expected, describeValue(v));
}

/**
 * Check a positive integer.
 *
 * @example
 * ```ts
 * checkPositiveInt('f', 'k', 3);
 * ```
 */
export function checkPositiveInt(fn: string, name: string, v: unknown): asserts v is number {
  checkNumber(fn, name, v, { integer: true, min: 1 });
}

/**
 * Check that an options argument is an object or undefined.
 *
 * @example
 * ```ts
 * checkOptions('f', 'opts', opts); // undefined or an object
 * ```
 */
export function checkOptions(fn: string, name: string, opts: unknown): void {
  if (opts !== undefined && (opts === null || typeof opts !== 'object' || Array.isArray(opts) || ArrayBuffer.isView(opts))) {
    throw domainError(fn, name, 'an options object or undefined', describeValue(opts));
  }
}

/**
 * Check a value is one of a fixed set of strings.
 *
 * @example
 * ```ts
 * checkOneOf('f', 'reduction', 'mean', ['mean', 'sum']);
 * ```
 */
export function checkOneOf<T extends string>(fn: string, name: string, v: unknown, allowed: readonly T[]): asserts v is T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw domainError(fn, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, describeValue(v));
  }
}

/**
 * The most elements one typed array may have in lmtransfer: `2^32 − 1`, V8's limit on 64-bit
 * platforms (Node 20 refuses `new Float64Array(2^32 + 1)`; other engines allow at most as many).
 */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32 - 1;

/**
 * The most bytes one buffer may take: 4 GiB (a 128,256 × 4,096 float64 embedding matrix fits). Below the engine's length limit an allocation can
 * still fail (`RangeError: Array buffer allocation failed`) or, with memory overcommit, succeed and
 * be killed when it is filled; a size this large is refused up front instead.
 */
export const MAX_ALLOCATION_BYTES = 2 ** 32;

/**
 * Check that a buffer of `count` elements of `bytesPerElement` bytes can be allocated: `count` a
 * non-negative integer (a product of dimensions is passed as computed, so `2^31 · 1e10` arrives as
 * 2.1e19), at most {@link MAX_TYPED_ARRAY_LENGTH} elements and {@link MAX_ALLOCATION_BYTES} bytes.
 * Call it before `new Float64Array(count)` so that an impossible size is a `DomainError` naming
 * the argument instead of an untyped `RangeError` or a process killed for memory.
 *
 * @param what - how `count` follows from the arguments, for the message (e.g. `'rows·cols = 2147483648·1e10'`).
 * @example
 * ```ts
 * checkAllocatable('zeros', 'cols', 1e3 * 1e3, 8, 'rows·cols = 1000·1000'); // 8 MB: returns
 * checkAllocatable('zeros', 'cols', 1e5 * 1e6, 8, 'rows·cols = 100000·1000000'); // throws DomainError
 * // "zeros: argument 'cols' must be small enough for one buffer of at most
 * //   536870912 float64 elements (4 GiB); got rows·cols = 100000·1000000 = 100000000000"
 * ```
 */
export function checkAllocatable(fn: string, name: string, count: number, bytesPerElement = 8, what?: string): void {
  const limit = Math.min(MAX_TYPED_ARRAY_LENGTH, Math.floor(MAX_ALLOCATION_BYTES / bytesPerElement));
  if (Number.isInteger(count) && count >= 0 && count <= limit) return;
  const kind = bytesPerElement === 8 ? 'float64' : bytesPerElement === 4 ? '4-byte' : `${bytesPerElement}-byte`;
  const got = what === undefined ? describeValue(count) : `${what} = ${describeValue(count)}`;
  throw domainError(fn, name, `small enough for one buffer of at most ${limit} ${kind} elements (${MAX_ALLOCATION_BYTES / 2 ** 30} GiB)`, got);
}

/**
 * Check that every number of a result (its numeric fields, the entries of its float arrays, and the
 * same inside nested plain objects) is finite, so that finite but huge inputs (values near 1e200,
 * whose squares overflow) give a `NumericalError` naming the quantity and what to rescale instead
 * of a silent `Infinity` or `NaN`. Fields listed in `allowInfinite` may be ±Infinity (not NaN)
 * where that is their documented true value (e.g. the condition number of a singular design).
 *
 * @example
 * ```ts
 * const advice = 'rescale V or H so that log-partitions stay below about 1e150';
 * const singular = { mse: 0.5, conditionNumber: Infinity };
 * const overflowed = { mse: Infinity, conditionNumber: 2 };
 * checkFiniteResult('fitAnchor', singular, advice, ['conditionNumber']); // an infinite condition number is allowed: returns
 * checkFiniteResult('fitAnchor', overflowed, advice, ['conditionNumber']); // throws NumericalError
 * // "fitAnchor: the result's 'mse' is not finite in float64 (got Infinity); rescale V or H …"
 * ```
 */
export function checkFiniteResult(fn: string, result: object, advice: string, allowInfinite: readonly string[] = [], path = ''): void {
  for (const [key, v] of Object.entries(result)) {
    const name = path + key;
    if (typeof v === 'number') {
      if (v - v === 0 || (!Number.isNaN(v) && allowInfinite.includes(key))) continue;
      throw new NumericalError(`${fn}: the result's '${name}' is not finite in float64 (got ${describeValue(v)}); ${advice}`);
    }
    if (v instanceof Float64Array || v instanceof Float32Array) {
      for (let i = 0; i < v.length; i++) {
        if (v[i] - v[i] !== 0) throw new NumericalError(`${fn}: the result's '${name}[${i}]' is not finite in float64 (got ${describeValue(v[i])}); ${advice}`);
      }
    } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      checkFiniteResult(fn, v as object, advice, allowInfinite, `${name}.`);
    }
  }
}
