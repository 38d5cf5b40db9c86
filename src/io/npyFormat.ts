/**
 * Shared pieces of the `.npy` reader and writer: the magic string, the dtype table and the host
 * byte order.
 *
 * The format is NumPy's "NEP 1" `.npy` format (numpy.lib.format, format versions 1.0, 2.0 and
 * 3.0): the six bytes `\x93NUMPY`, a major and a minor version byte, a little-endian header length
 * (2 bytes in version 1.0, 4 bytes in 2.0 and 3.0), then the header, an ASCII (UTF-8 in 3.0) Python
 * dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and
 * ended by a newline so that the data starts at a multiple of 64 bytes, then the raw data.
 *
 * @internal
 */
import type { DType } from '../core/matrix.js';

/** `\x93NUMPY`, the first six bytes of every `.npy` file. */
export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const;

/** Element types the `.npy` reader understands. */
export type NpyDType = 'float16' | 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'bool';

/** The typed array that holds each element type after reading (float16 is widened to float32). */
export type NpyData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;

/** Type character and item size in the NumPy `descr` string (`<f4` is kind `f`, size 4). */
export const NPY_KINDS: Record<string, NpyDType | undefined> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  b1: 'bool',
};

/** Bytes per element of each element type as stored in the file. */
export const NPY_ITEMSIZE: Record<NpyDType, number> = {
  float16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  bool: 1,
};

/** The precision of the `Matrix` a float element type becomes, or undefined for integer types. */
export function npyMatrixDType(t: NpyDType): DType | undefined {
  if (t === 'float64') return 'float64';
  if (t === 'float32' || t === 'float16') return 'float32';
  return undefined;
}

/** Whether this machine stores multi-byte numbers little-endian (every platform Node ships on today is). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
