import { FormatError } from '../core/errors.js';
import { describeValue, domainError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { halfToFloat } from './halfFloat.js';
import { HOST_LITTLE_ENDIAN, NPY_ITEMSIZE, NPY_KINDS, NPY_MAGIC, type NpyData, type NpyDType, npyMatrixDType } from './npyFormat.js';
import { countOf } from '../core/countOf.js';

export type { NpyData, NpyDType } from './npyFormat.js';

/** An array read from a `.npy` file. */
export interface NpyArray {
  /** The shape, outermost axis first (C order, whatever the file's order was). `[]` for a scalar. */
  readonly shape: number[];
  /** The element type in the file (`'float32'` for `<f4` or `>f4`, and so on). */
  readonly dtype: NpyDType;
  /** The `descr` string exactly as written in the file's header, e.g. `'<f4'`. */
  readonly descr: string;
  /** The format version of the file, `'1.0'`, `'2.0'` or `'3.0'`. */
  readonly version: string;
  /** Whether the file stored the array in Fortran (column-major) order; `data` is C order either way. */
  readonly fortranOrder: boolean;
  /**
   * The elements in C (row-major) order: `Float32Array` for float32 and float16 (widened exactly),
   * `Float64Array`, `Int8Array`, `Int16Array`, `Int32Array`, `BigInt64Array` for int64, and
   * `Uint8Array` for uint8 and bool. When the file is little-endian, C order and its data start is
   * aligned to the element size in `bytes.buffer` (always true for a buffer read whole from disk,
   * since the header ends at a multiple of 64), this is a view of `bytes` (zero copy): do not write
   * to `bytes` while you use it.
   */
  readonly data: NpyData;
  /**
   * For a float array of one or two dimensions, the same data as a `Matrix` (sharing `data`): a 2-D
   * array `r × c` is an `r × c` matrix, a 1-D array of length `n` is an `n × 1` column (one value
   * per row, as for one number per context).
   */
  readonly matrix?: Matrix;
}

const FN = 'readNpy';


/**
 * Read an array from the bytes of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0).
 *
 * Element types `<f2`, `<f4`, `<f8`, `|i1`, `<i2`, `<i4`, `<i8`, `|u1` and `|b1`; big-endian files
 * (`>f4`, …) are converted to the host's byte order (a copy). C order is read as is; a Fortran-order
 * (column-major) array of up to two dimensions is transposed into C order (a copy), so `shape` and
 * `data` always mean the same thing; Fortran order with more than two axes is rejected. Structured
 * and object dtypes are rejected. The data size must match the shape exactly.
 *
 * Memory: a little-endian C-order file whose data is aligned (the normal case) is returned as a
 * view of `bytes`, so reading a 50,000 × 768 float32 file costs its size once, not twice.
 *
 * @param bytes - the whole file, e.g. `fs.readFileSync('H.npy')`.
 * @returns the shape, element type and data, plus `matrix` for 1-D and 2-D float arrays.
 * @throws DomainError when `bytes` is not a `Uint8Array`.
 * @throws FormatError when the file is truncated or corrupt, saying what is wrong and at which byte:
 *   a bad magic string, an unknown version, a header that is not the expected dict, an unsupported
 *   dtype, or a data size that does not match the shape.
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const { shape, matrix } = readNpy(readFileSync('H.npy'));  // shape [2048, 768], matrix 2048×768
 * ```
 */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (!(bytes instanceof Uint8Array)) throw domainError(FN, 'bytes', 'a Uint8Array (the file contents)', describeValue(bytes));
  // Never null here: the bytes are the whole file.
  const hd = parseNpyHeader(FN, "argument 'bytes' must be a valid .npy file", bytes, bytes.length)!;
  const { shape, dtype: kind, dataStart, littleEndian: fileLittleEndian, fortranOrder: fortran, count } = hd;
  let data = decode(bytes, dataStart, count, kind, fileLittleEndian);
  if (fortran && shape.length === 2 && count > 0) data = transposeFortran(data, shape[0], shape[1]);

  const matrixDType = npyMatrixDType(kind);
  let matrix: Matrix | undefined;
  if (matrixDType !== undefined && (shape.length === 1 || shape.length === 2)) {
    const fdata = data as Float32Array | Float64Array;
    matrix = shape.length === 2 ? { rows: shape[0], cols: shape[1], data: fdata } : { rows: shape[0], cols: 1, data: fdata };
  }
  return { shape, dtype: kind, descr: hd.descr, version: hd.version, fortranOrder: fortran, data, ...(matrix ? { matrix } : {}) };
}


/** What the header of a `.npy` file says, validated against the file size. */
export interface NpyHeader {
  readonly shape: number[];
  readonly dtype: NpyDType;
  readonly descr: string;
  readonly version: string;
  readonly fortranOrder: boolean;
  /** Byte offset of the data (a multiple of 64 in files NumPy writes). */
  readonly dataStart: number;
  /** Whether the data is little-endian. */
  readonly littleEndian: boolean;
  /** Number of elements. */
  readonly count: number;
  /** Bytes per element. */
  readonly itemsize: number;
}

/**
 * Parse and validate the header of a `.npy` file from its first bytes `bytes` (at least the
 * whole header; the whole file will do) and the file's total size `fileSize`: the magic string,
 * version, header dict, dtype, and that the data size matches the shape exactly. Errors are
 * `FormatError`s `<fn>: <what> ; got …`, `what` naming the argument or flag. Returns null when
 * `bytes` is too short to hold the header that the file announces (read more and call again).
 *
 * @internal
 */
export function parseNpyHeader(fn: string, what: string, bytes: Uint8Array, fileSize: number): NpyHeader | null {
  const formatError = (msg: string, at: number): FormatError => new FormatError(`${fn}: ${what}; got ${msg} at byte ${at}`);
  for (let i = 0; i < NPY_MAGIC.length; i++) {
    if (i >= fileSize) throw formatError(`a file of only ${countOf(fileSize, 'byte')} (truncated inside the magic string)`, fileSize);
    if (bytes[i] !== NPY_MAGIC[i]) {
      throw formatError(`0x${bytes[i].toString(16).padStart(2, '0')} where the magic string \\x93NUMPY was expected`, i);
    }
  }
  if (fileSize < 10) throw formatError(`a file of only ${countOf(fileSize, 'byte')} (truncated before the header length)`, fileSize);
  const major = bytes[6];
  const minor = bytes[7];
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    throw formatError(`format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`, 6);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else {
    if (fileSize < 12) throw formatError(`a file of only ${countOf(fileSize, 'byte')} (truncated before the header length)`, fileSize);
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) {
    if (dataStart <= fileSize) return null;

    throw formatError(`a header length of ${countOf(headerLen, 'byte')} but only ${countOf(fileSize - headerStart, 'byte')} after it (truncated header)`, headerStart - (major === 1 ? 2 : 4));
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  // Versions 1.0 and 2.0 are latin-1 (in practice ASCII); 3.0 is UTF-8.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const dict = parseHeaderDict(header, headerStart, formatError);

  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shapeV = dict.get('shape');
  const keys = [...dict.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    throw formatError(`header keys {${keys}} (expected exactly descr, fortran_order, shape)`, headerStart);
  }
  if (typeof descr !== 'string') throw formatError(`descr ${describeHeaderValue(descr)} (structured dtypes are not supported; expected a string such as '<f4')`, headerStart);
  if (typeof fortran !== 'boolean') throw formatError(`fortran_order ${describeHeaderValue(fortran)} (expected True or False)`, headerStart);
  if (!Array.isArray(shapeV)) throw formatError(`shape ${describeHeaderValue(shapeV)} (expected a tuple of integers)`, headerStart);
  const shape = shapeV;

  const order = descr[0];
  const kind = NPY_KINDS[descr.slice(1)];
  if (descr.length !== 3 || !'<>|='.includes(order) || kind === undefined) {
    throw formatError(`dtype descr '${descr}' (supported: <f2, <f4, <f8, |i1, <i2, <i4, <i8, |u1, |b1, and their big-endian forms)`, headerStart);
  }
  const itemsize = NPY_ITEMSIZE[kind];
  const fileLittleEndian = order === '<' || ((order === '=' || order === '|') && HOST_LITTLE_ENDIAN);
  if (itemsize > 1 && order === '|') throw formatError(`dtype descr '${descr}' (a multi-byte type needs a byte order, < or >)`, headerStart);

  let count = 1;
  for (const s of shape) count *= s;
  if (!Number.isSafeInteger(count * itemsize)) throw formatError(`shape (${shape.join(', ')}) whose size overflows`, headerStart);
  const need = count * itemsize;
  const have = fileSize - dataStart;
  if (have < need) {
    throw formatError(`${countOf(have, 'data byte')} but shape (${shape.join(', ')}) × ${countOf(itemsize, 'byte')} needs ${need} (truncated data)`, dataStart + have);
  }
  if (have > need) {
    throw formatError(`${countOf(have, 'data byte')} but shape (${shape.join(', ')}) × ${countOf(itemsize, 'byte')} needs ${need} (size mismatch: ${countOf(have - need, 'extra byte')})`, dataStart + need);
  }
  if (fortran && shape.length > 2) {
    throw formatError(`a Fortran-order array with ${shape.length} axes (only 1-D and 2-D Fortran arrays are transposed; save with np.ascontiguousarray)`, headerStart);
  }
  return { shape, dtype: kind, descr, version: `${major}.${minor}`, fortranOrder: fortran, dataStart, littleEndian: fileLittleEndian, count, itemsize };
}

type HeaderValue = string | boolean | number | number[] | null;

function describeHeaderValue(v: HeaderValue | undefined): string {
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return `(${v.join(', ')})`;
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/**
 * Parse the header's Python dict literal: string keys; values that are strings, `True`/`False`,
 * integers or tuples of integers. Anything else (a list, as in a structured dtype) is an error
 * naming the byte where parsing stopped.
 */
function parseHeaderDict(text: string, base: number, formatError: (what: string, at: number) => FormatError): Map<string, HeaderValue> {
  let i = 0;
  const out = new Map<string, HeaderValue>();
  const fail = (what: string): FormatError => formatError(`a header that is not a Python dict literal (${what})`, base + i);
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') throw fail('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) throw fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const int = (): number => {
    const m = /^[0-9]+L?/.exec(text.slice(i, i + 24));
    if (!m) throw fail('expected an integer');
    i += m[0].length;
    const v = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(v)) throw fail('an integer too large');
    return v;
  };
  const value = (): HeaderValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (c === '(') {
      i++;
      const items: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') {
          i++;
          return items;
        }
        items.push(int());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') throw fail("expected ',' or ')' in the shape tuple");
      }
    }
    if (c !== undefined && c >= '0' && c <= '9') return int();
    throw fail(c === '[' ? 'a list value; structured dtypes are not supported' : `unexpected ${c === undefined ? 'end of header' : `'${c}'`}`);
  };
  ws();
  if (text[i] !== '{') throw fail("expected '{'");
  i++;
  for (;;) {
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = str();
    ws();
    if (text[i] !== ':') throw fail("expected ':'");
    i++;
    out.set(key, value());
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw fail("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) throw fail('trailing characters after the dict');
  return out;
}

/** Decode `count` elements from `bytes[start…]`, as a view when the layout allows, else a copy. */
function decode(bytes: Uint8Array, start: number, count: number, kind: NpyDType, littleEndian: boolean): NpyData {
  const size = NPY_ITEMSIZE[kind];
  const abs = bytes.byteOffset + start;
  const aligned = abs % size === 0;
  if (kind === 'float16') {
    const out = new Float32Array(count);
    const dv = new DataView(bytes.buffer, abs, count * 2);
    for (let k = 0; k < count; k++) out[k] = halfToFloat(dv.getUint16(2 * k, littleEndian));
    return out;
  }
  const ctor = {
    float32: Float32Array,
    float64: Float64Array,
    int8: Int8Array,
    int16: Int16Array,
    int32: Int32Array,
    int64: BigInt64Array,
    uint8: Uint8Array,
    bool: Uint8Array,
  }[kind];
  if (littleEndian === HOST_LITTLE_ENDIAN || size === 1) {
    // Zero copy when aligned; otherwise copy the bytes into a fresh (aligned) buffer first.
    if (aligned) return new ctor(bytes.buffer as ArrayBuffer, abs, count);
    return new ctor(bytes.slice(start, start + count * size).buffer, 0, count);
  }
  // The file's byte order differs from the host's: convert element by element through a DataView.
  const dv = new DataView(bytes.buffer, abs, count * size);
  switch (kind) {
    case 'float32': {
      const out = new Float32Array(count);
      for (let k = 0; k < count; k++) out[k] = dv.getFloat32(4 * k, littleEndian);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) out[k] = dv.getFloat64(8 * k, littleEndian);
      return out;
    }
    case 'int16': {
      const out = new Int16Array(count);
      for (let k = 0; k < count; k++) out[k] = dv.getInt16(2 * k, littleEndian);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let k = 0; k < count; k++) out[k] = dv.getInt32(4 * k, littleEndian);
      return out;
    }
    default: {
      const out = new BigInt64Array(count);
      for (let k = 0; k < count; k++) out[k] = dv.getBigInt64(8 * k, littleEndian);
      return out;
    }
  }
}

/** Fortran order stores element `(i, j)` of an `r × c` array at `j·r + i`; return the C-order copy. */
function transposeFortran(src: NpyData, r: number, c: number): NpyData {
  const out = new (src.constructor as new (n: number) => NpyData)(r * c);
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) (out as Float64Array)[i * c + j] = (src as Float64Array)[j * r + i];
  return out;
}
