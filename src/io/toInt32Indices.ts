import { describeValue, domainError } from '../core/check.js';

/** Containers {@link toInt32Indices} converts: what `readNpy` returns for integer files, and plain arrays. */
export type IndexLike =
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Float64Array
  | Float32Array
  | readonly number[]
  | readonly bigint[];

/** Options of {@link toInt32Indices}. */
export interface ToInt32IndicesOptions {
  /**
   * Exclusive upper bound `n` (e.g. the vocabulary size): every index must be in `[0, n)`.
   *
   * @defaultValue 2³¹ (every non-negative index an `Int32Array` holds)
   */
  readonly n?: number;
}

const INT32_LIMIT = 2 ** 31;

/**
 * Range-checked conversion of indices to an `Int32Array`, in the name of the public function the
 * user called. Every element must be an integer in `[0, n)`; the first that is not is named with its
 * position.
 *
 * @internal
 */
export function toInt32IndicesChecked(fn: string, name: string, x: unknown, n: number = INT32_LIMIT): Int32Array {
  const ok =
    x instanceof BigInt64Array ||
    x instanceof BigUint64Array ||
    x instanceof Int32Array ||
    x instanceof Uint32Array ||
    x instanceof Int16Array ||
    x instanceof Uint16Array ||
    x instanceof Int8Array ||
    x instanceof Uint8Array ||
    x instanceof Float64Array ||
    x instanceof Float32Array ||
    Array.isArray(x);
  if (!ok) throw domainError(fn, name, 'indices (a BigInt64Array from readNpy, an integer or float typed array, number[] or bigint[])', describeValue(x));
  const arr = x as ArrayLike<unknown>;
  const out = new Int32Array(arr.length);
  const bigN = BigInt(n);
  const expected = n === INT32_LIMIT ? `integer indices in [0, 2³¹ − 1] (what an Int32Array holds)` : `integer indices in [0, ${n})`;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    let ok1: boolean;
    if (typeof v === 'bigint') ok1 = v >= 0n && v < bigN;
    else ok1 = typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < n;
    if (!ok1) throw domainError(fn, name, expected, `${describeValue(v)} at [${i}]`);
    out[i] = Number(v);
  }
  return out;
}

/**
 * Convert indices to the `Int32Array` every index argument of the library takes, with a range
 * check. `readNpy` returns a NumPy `int64` file (the default integer type of NumPy and PyTorch) as
 * a `BigInt64Array`; this is the documented way to pass it on (`wordTask`, `contrastTask`,
 * `transferProbe` and the probes' labels also accept a `BigInt64Array` directly and convert it the
 * same way).
 *
 * @param x - indices: a `BigInt64Array`/`BigUint64Array`, an integer or float typed array,
 *   `number[]` or `bigint[]`. Not modified.
 * @param opts - `n`: every index must be below it (e.g. the vocabulary size).
 * @returns a new `Int32Array` with the same values.
 * @throws DomainError naming the first element that is not an integer in `[0, n)` (negative, too
 *   large for an `Int32Array`, fractional, NaN), and on a container it does not accept.
 * @example
 * ```ts
 * const { data } = readNpy(writeNpy(BigInt64Array.of(3n, 7n))); // an int64 file: BigInt64Array
 * const words = toInt32Indices(data as BigInt64Array, { n: 64 }); // Int32Array [3, 7], each checked < 64
 * toInt32Indices(BigInt64Array.of(3n, 2n ** 40n)); // throws DomainError: "... got 1099511627776 at [1]"
 * ```
 */
export function toInt32Indices(x: IndexLike, opts?: ToInt32IndicesOptions): Int32Array {
  const fn = 'toInt32Indices';
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw domainError(fn, 'opts', 'an options object or undefined', describeValue(opts));
  const n = opts?.n ?? INT32_LIMIT;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > INT32_LIMIT) throw domainError(fn, 'opts.n', 'an integer in [1, 2³¹]', describeValue(n));
  return toInt32IndicesChecked(fn, 'x', x, n);
}
