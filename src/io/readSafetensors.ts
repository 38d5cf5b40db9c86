import { FormatError } from '../core/errors.js';
import { checkOptions, describeValue, domainError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { bfloat16ToFloat, halfToFloat } from './halfFloat.js';
import { HOST_LITTLE_ENDIAN } from './npyFormat.js';
import { SAFETENSORS_DECODED, SAFETENSORS_ITEMSIZE, SAFETENSORS_MAX_HEADER, type SafetensorsDType } from './safetensorsFormat.js';
import { countOf } from '../core/countOf.js';

export type { SafetensorsDType } from './safetensorsFormat.js';

/** One tensor's header entry, validated against the file. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  /** `[BEGIN, END)` relative to the start of the data section. */
  readonly dataOffsets: [number, number];
}

/** Decoded data of a tensor. */
export type SafetensorsData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** A decoded tensor. */
export interface SafetensorsTensor extends SafetensorsEntry {
  /**
   * The elements in C order: F64 → `Float64Array`; F32, F16 and BF16 → `Float32Array` (16-bit
   * values are widened exactly, a copy); I64 → `BigInt64Array`; I32, I16, I8 → their typed arrays;
   * U8 and BOOL → `Uint8Array`. An aligned F32/F64/integer tensor is a view of the file's bytes (no
   * copy): do not write to the bytes while you use it.
   */
  readonly data: SafetensorsData;
  /** For a float tensor of one or two dimensions, a `Matrix` sharing `data` (a 1-D tensor is a column). */
  readonly matrix?: Matrix;
}

/** The contents of a safetensors file. */
export interface SafetensorsFile {
  /** The `__metadata__` map (empty when absent). */
  readonly metadata: Record<string, string>;
  /** Every tensor's header entry, in data order. */
  readonly entries: SafetensorsEntry[];
  /** The decoded tensors by name: all decodable ones, or those named in `opts.names`. */
  readonly tensors: Map<string, SafetensorsTensor>;
}

/** Options of `readSafetensors`. */
export interface ReadSafetensorsOptions {
  /** Decode only these tensors (the others are validated but not decoded, saving memory and time). */
  names?: readonly string[];
}

const FN = 'readSafetensors';

function formatError(what: string, at: number): FormatError {
  return new FormatError(`${FN}: argument 'bytes' must be a valid safetensors file; got ${what} at byte ${at}`);
}

/**
 * Read the tensors of a safetensors file (the format of Hugging Face `model.safetensors`).
 *
 * Everything in the header is validated against the file before any data is touched: the 8-byte
 * header length against the file size, the JSON, each tensor's dtype and shape, and its
 * `data_offsets`, which must lie inside the data section, span exactly `prod(shape) × itemsize`
 * bytes, and together cover the data section without overlaps or holes (the format's rule).
 * F64 stays float64; F32, F16 and BF16 become float32; integer dtypes are decoded too. U16, U32,
 * U64 and the 8-bit float types are validated but not decoded (a `FormatError` if named in
 * `opts.names`; skipped otherwise).
 *
 * @param bytes - the whole file, e.g. `fs.readFileSync('model.safetensors')`.
 * @param opts - `names`: decode only these tensors.
 * @returns the metadata, every header entry and the decoded tensors (with a `matrix` for 1-D and 2-D floats).
 * @throws DomainError when `bytes` is not a `Uint8Array`, or `opts.names` names a tensor the file does not have.
 * @throws FormatError when the file is truncated or corrupt, saying what is wrong and at which byte.
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const file = readSafetensors(readFileSync('model.safetensors'), { names: ['wte.weight'] });
 * const V = file.tensors.get('wte.weight')!.matrix!;   // 50257×768, float32
 * ```
 */
export function readSafetensors(bytes: Uint8Array, opts?: ReadSafetensorsOptions): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw domainError(FN, 'bytes', 'a Uint8Array (the file contents)', describeValue(bytes));
  checkOptions(FN, 'opts', opts);
  const namesArg: unknown = opts?.names;
  if (namesArg !== undefined && (!Array.isArray(namesArg) || namesArg.some((x) => typeof x !== 'string'))) {
    throw domainError(FN, 'opts.names', 'an array of tensor names', describeValue(namesArg));
  }
  // Never null here: the bytes are the whole file.
  const { metadata, entries, dataStart } = parseSafetensorsHeader(FN, "argument 'bytes' must be a valid safetensors file", bytes, bytes.length)!;
  const sorted = entries;
  const byName = new Map(entries.map((e) => [e.name, e]));
  let wanted: SafetensorsEntry[];
  const names = opts?.names;
  if (names !== undefined) {
    wanted = names.map((nm) => {
      const e = byName.get(nm);
      if (!e) {
        const have = entries.map((x) => x.name);
        throw domainError(FN, 'opts.names', 'names of tensors in the file', `'${nm}' (the file has ${countOf(have.length, 'tensor')}: ${have.slice(0, 8).join(', ')}${have.length > 8 ? ', …' : ''})`);
      }
      if (!SAFETENSORS_DECODED.includes(e.dtype)) {
        throw formatError(`tensor '${nm}' of dtype ${e.dtype}, which is not decoded (supported: ${SAFETENSORS_DECODED.join(', ')})`, dataStart + e.dataOffsets[0]);
      }
      return e;
    });
  } else {
    wanted = sorted.filter((e) => SAFETENSORS_DECODED.includes(e.dtype));
  }
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of wanted) {
    const data = decodeTensor(bytes, dataStart + e.dataOffsets[0], e);
    const isFloat = data instanceof Float32Array || data instanceof Float64Array;
    let matrix: Matrix | undefined;
    if (isFloat && e.shape.length === 2) matrix = { rows: e.shape[0], cols: e.shape[1], data };
    else if (isFloat && e.shape.length === 1) matrix = { rows: e.shape[0], cols: 1, data };
    tensors.set(e.name, { ...e, data, ...(matrix ? { matrix } : {}) });
  }
  return { metadata, entries: sorted, tensors };
}

/** What the header of a safetensors file says, validated against the file size. */
export interface SafetensorsHeader {
  readonly metadata: Record<string, string>;
  /** Every tensor's entry, in data order. */
  readonly entries: SafetensorsEntry[];
  /** Byte offset of the data section (`8 + N`). */
  readonly dataStart: number;
}

/**
 * Parse and validate the header of a safetensors file from its first bytes `bytes` and the file's
 * total size `fileSize`: the header length, the JSON, each entry, and the data offsets (inside the
 * data section, the right size, covering it without overlap or hole). Errors are `FormatError`s
 * `<fn>: <what>; got … at byte …`. Returns null when `bytes` is shorter than the header the file
 * announces (`8 + N` bytes: read that many and call again).
 *
 * @internal
 */
export function parseSafetensorsHeader(fn: string, what: string, bytes: Uint8Array, fileSize: number): SafetensorsHeader | null {
  const formatError = (msg: string, at: number): FormatError => new FormatError(`${fn}: ${what}; got ${msg} at byte ${at}`);
  if (fileSize < 8) throw formatError(`a file of only ${countOf(fileSize, 'byte')} (truncated inside the 8-byte header length)`, bytes.length);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(fileSize - 8)) {
    throw formatError(`a header length of ${n64 <= BigInt(Number.MAX_SAFE_INTEGER) ? countOf(Number(n64), 'byte') : `${n64} bytes`} but only ${countOf(fileSize - 8, 'byte')} after the length field (truncated or corrupt)`, 0);
  }
  const n = Number(n64);
  if (n > SAFETENSORS_MAX_HEADER) throw formatError(`a header length of ${countOf(n, 'byte')} (more than the limit of ${SAFETENSORS_MAX_HEADER})`, 0);
  if (n < 2 || bytes[8] !== 0x7b) throw formatError(`a header that does not start with '{'`, 8);
  const dataStart = 8 + n;
  const dataLen = fileSize - dataStart;
  if (bytes.length < dataStart) return null;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw formatError('a header that is not valid UTF-8', 8);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    throw formatError(`a header that is not valid JSON (${(e as Error).message})`, 8 + (pos ? Number(pos[1]) : 0));
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw formatError('a header that is not a JSON object', 8);

  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw formatError('__metadata__ that is not an object of strings', 8);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw formatError(`__metadata__ entry '${k}' that is not a string`, 8);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(name, raw, formatError));
  }

  // Offsets: inside the data section, the right size, and covering it without overlap or hole.
  const sorted = [...entries].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let prevEnd = 0;
  let prevName = '';
  for (const e of sorted) {
    const [begin, end] = e.dataOffsets;
    if (end > dataLen) {
      throw formatError(
        `tensor '${e.name}' with data_offsets [${begin}, ${end}] beyond the data section of ${countOf(dataLen, 'byte')} (truncated file or corrupt offsets)`,
        dataStart + Math.min(begin, dataLen),
      );
    }
    const need = e.shape.reduce((p, s) => p * s, 1) * SAFETENSORS_ITEMSIZE[e.dtype];
    if (end - begin !== need) {
      throw formatError(
        `tensor '${e.name}' with data_offsets [${begin}, ${end}] spanning ${countOf(end - begin, 'byte')}, but ${e.dtype} shape [${e.shape.join(', ')}] needs ${need}`,
        dataStart + begin,
      );
    }
    if (begin < prevEnd) throw formatError(`tensor '${e.name}' with data_offsets [${begin}, ${end}] overlapping tensor '${prevName}' (which ends at ${prevEnd})`, dataStart + begin);
    if (begin > prevEnd) throw formatError(`a hole of ${begin - prevEnd} unindexed bytes before tensor '${e.name}'`, dataStart + prevEnd);
    prevEnd = end;
    prevName = e.name;
  }
  if (prevEnd !== dataLen) throw formatError(`${countOf(dataLen - prevEnd, 'byte')} after the last tensor's data (size mismatch)`, dataStart + prevEnd);

  return { metadata, entries: sorted, dataStart };
}

function parseEntry(name: string, raw: unknown, formatError: (what: string, at: number) => FormatError): SafetensorsEntry {
  const at = 8;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw formatError(`tensor '${name}' whose entry is not an object`, at);
  const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof r.dtype !== 'string' || !(r.dtype in SAFETENSORS_ITEMSIZE)) {
    throw formatError(`tensor '${name}' with unknown dtype ${describeValue(r.dtype)} (expected one of ${Object.keys(SAFETENSORS_ITEMSIZE).join(', ')})`, at);
  }
  if (!Array.isArray(r.shape) || r.shape.some((s) => typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0)) {
    throw formatError(`tensor '${name}' with shape ${JSON.stringify(r.shape)} (expected an array of non-negative integers)`, at);
  }
  const o = r.data_offsets;
  if (!Array.isArray(o) || o.length !== 2 || o.some((x) => typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) || (o[0] as number) > (o[1] as number)) {
    throw formatError(`tensor '${name}' with data_offsets ${JSON.stringify(o)} (expected [BEGIN, END] with 0 ≤ BEGIN ≤ END)`, at);
  }
  const shape = r.shape as number[];
  if (!Number.isSafeInteger(shape.reduce((p, s) => p * s, 1) * 8)) throw formatError(`tensor '${name}' with shape [${shape.join(', ')}] whose size overflows`, at);
  return { name, dtype: r.dtype as SafetensorsDType, shape: [...shape], dataOffsets: [o[0] as number, o[1] as number] };
}

function decodeTensor(bytes: Uint8Array, start: number, e: SafetensorsEntry): SafetensorsData {
  const count = e.shape.reduce((p, s) => p * s, 1);
  const size = SAFETENSORS_ITEMSIZE[e.dtype];
  const abs = bytes.byteOffset + start;
  if (e.dtype === 'F16' || e.dtype === 'BF16') {
    const out = new Float32Array(count);
    const dv = new DataView(bytes.buffer, abs, count * 2);
    const conv = e.dtype === 'F16' ? halfToFloat : bfloat16ToFloat;
    for (let k = 0; k < count; k++) out[k] = conv(dv.getUint16(2 * k, true));
    return out;
  }
  const ctor = { F64: Float64Array, F32: Float32Array, I64: BigInt64Array, I32: Int32Array, I16: Int16Array, I8: Int8Array, U8: Uint8Array, BOOL: Uint8Array }[
    e.dtype as 'F64' | 'F32' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL'
  ];
  if (HOST_LITTLE_ENDIAN || size === 1) {
    // A view when aligned (zero copy); otherwise copy into a fresh aligned buffer.
    if (abs % size === 0) return new ctor(bytes.buffer as ArrayBuffer, abs, count);
    return new ctor(bytes.slice(start, start + count * size).buffer, 0, count);
  }
  // A big-endian host: the file is little-endian, so swap each element's bytes into a copy.
  const copy = bytes.slice(start, start + count * size);
  for (let k = 0; k < count; k++) copy.subarray(k * size, (k + 1) * size).reverse();
  return new ctor(copy.buffer, 0, count);
}
