import { checkMatrix, describeValue, domainError, shapeError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { HOST_LITTLE_ENDIAN, NPY_MAGIC } from './npyFormat.js';
import { countOf } from '../core/countOf.js';

/** Arrays `writeNpy` can write directly (a `Matrix` is written from its `data`). */
export type NpyWritable = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;

const FN = 'writeNpy';

function descrOf(a: NpyWritable): string {
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Int16Array) return '<i2';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof BigInt64Array) return '<i8';
  return '|u1';
}

/**
 * Write a matrix or a typed array as the bytes of a NumPy `.npy` file, format version 1.0 (2.0 only
 * if the header would not fit in 65,535 bytes, as NumPy does), little-endian, C order. The header
 * is NumPy's own layout, `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, padded
 * with spaces and ended by a newline so that the data starts at a multiple of 64 bytes; `np.load`
 * reads the result.
 *
 * Types: `Float32Array` → `<f4`, `Float64Array` → `<f8`, `Int8Array` → `|i1`, `Int16Array` →
 * `<i2`, `Int32Array` → `<i4`, `BigInt64Array` → `<i8`, `Uint8Array` → `|u1`.
 *
 * @param a - a `Matrix` (shape `[rows, cols]`) or a typed array (shape `[length]`).
 * @param shape - another shape with the same number of elements (e.g. `[n]` for an `n × 1` matrix).
 * @returns the file's bytes.
 * @throws DomainError when `a` is neither a matrix nor a supported typed array, or `shape` is not a list of non-negative integers.
 * @throws ShapeError when `shape` has a different number of elements than `a`.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('V.npy', writeNpy(fromRows([[1, 2], [3, 4]], 'float32')));  // a 2×2 <f4 file
 * writeFileSync('z.npy', writeNpy(new Float64Array([0.5, 1.5])));            // shape (2,)
 * ```
 */
export function writeNpy(a: Matrix | NpyWritable, shape?: readonly number[]): Uint8Array {
  let data: NpyWritable;
  let dims: number[];
  if (ArrayBuffer.isView(a)) {
    if (
      !(a instanceof Float32Array || a instanceof Float64Array || a instanceof Int8Array || a instanceof Int16Array ||
        a instanceof Int32Array || a instanceof BigInt64Array || a instanceof Uint8Array)
    ) {
      throw domainError(FN, 'a', 'a Matrix or a Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, BigInt64Array or Uint8Array', describeValue(a));
    }
    data = a;
    dims = [a.length];
  } else {
    checkMatrix(FN, 'a', a);
    data = a.data;
    dims = [a.rows, a.cols];
  }
  if (shape !== undefined) {
    const list: unknown = shape;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 0)) {
      throw domainError(FN, 'shape', 'an array of non-negative integers', describeValue(shape));
    }
    const count = shape.reduce((p, s) => p * s, 1);
    if (count !== data.length) {
      throw shapeError(FN, 'shape', `a shape with ${countOf(data.length, 'element')} (the length of the data)`, `(${shape.join(', ')}) with ${count}`);
    }
    dims = [...shape];
  }
  const shapeText = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  const dict = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that magic + version + length field + header (ending in '\n') is a multiple of 64.
  let version = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const headerLen = total - prefix;
  const out = new Uint8Array(total + data.byteLength);
  out.set(NPY_MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  const header = dict.padEnd(headerLen - 1, ' ') + '\n';
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) {
    out.set(raw, total);
  } else {
    // A big-endian host: reverse the bytes of each element so that the file is little-endian.
    const size = data.BYTES_PER_ELEMENT;
    for (let k = 0; k < data.length; k++) for (let b = 0; b < size; b++) out[total + k * size + b] = raw[k * size + size - 1 - b];
  }
  return out;
}
