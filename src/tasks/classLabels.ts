/**
 * Class labels as users have them: a `Float64Array` of 0/1, an `Int32Array`, the `Uint8Array` that
 * `readNpy` returns for a NumPy `bool` file, the `BigInt64Array` it returns for `int64`, plain
 * `number[]` or `boolean[]`. One check turns any of them into an `Int32Array` of class indices.
 *
 * @internal
 */
import { describeValue, domainError, shapeError } from '../core/check.js';

/**
 * Labels accepted by the classification probes: class indices `0…K−1` (`0`/`1` for a binary probe;
 * `false`/`true` count as 0/1) in any of these containers.
 */
export type ClassLabels =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | BigInt64Array
  | readonly number[]
  | readonly boolean[];

const ACCEPTED = 'class labels (a Float64Array, Float32Array, Int32Array, Uint8Array or other integer typed array, BigInt64Array, number[] or boolean[])';

/**
 * Check labels (one per row of `H`, each an integer in `[0, maxClass]`, or `undefined` for any
 * non-negative integer below 2³¹) and return them as a fresh `Int32Array`. Names the first offending
 * position.
 */
export function checkClassLabels(fn: string, name: string, labels: unknown, m: number, maxClass?: number): Int32Array {
  const isTyped =
    labels instanceof Float64Array ||
    labels instanceof Float32Array ||
    labels instanceof Int32Array ||
    labels instanceof Int16Array ||
    labels instanceof Int8Array ||
    labels instanceof Uint32Array ||
    labels instanceof Uint16Array ||
    labels instanceof Uint8Array ||
    labels instanceof BigInt64Array;
  if (!isTyped && !Array.isArray(labels)) throw domainError(fn, name, ACCEPTED, describeValue(labels));
  const arr = labels as ArrayLike<unknown>;
  if (arr.length !== m) throw shapeError(fn, name, `of length ${m} (one per row of H)`, `length ${arr.length}`);
  const hi = maxClass ?? 2 ** 31 - 1;
  const expected = maxClass === 1 ? 'labels in {0, 1} (or false/true)' : maxClass !== undefined ? `integer labels in [0, ${maxClass}]` : 'integer class labels ≥ 0';
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const v = arr[i];
    let c: number;
    if (typeof v === 'boolean') c = v ? 1 : 0;
    else if (typeof v === 'bigint') c = v >= 0n && v <= BigInt(hi) ? Number(v) : -1;
    else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= hi) c = v;
    else c = -1;
    if (c < 0) throw domainError(fn, name, expected, `${describeValue(v)} at [${i}]`);
    out[i] = c;
  }
  return out;
}
