import { describeValue, domainError, shapeError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { floatToBfloat16, floatToHalf } from './halfFloat.js';
import { SAFETENSORS_ITEMSIZE, type SafetensorsDType } from './safetensorsFormat.js';
import { countOf } from '../core/countOf.js';

/** A tensor to write: a matrix (shape `[rows, cols]`) or a float array with an explicit shape. */
export interface SafetensorsInput {
  /** The data; F16 and BF16 are rounded from it (nearest, ties to even). */
  data: Float32Array | Float64Array | Matrix;
  /** The shape; defaults to `[rows, cols]` for a matrix and `[length]` for an array. */
  shape?: readonly number[];
  /** The stored dtype; defaults to F32 for `Float32Array` data and F64 for `Float64Array`. */
  dtype?: 'F64' | 'F32' | 'F16' | 'BF16';
}

const FN = 'writeSafetensors';

/**
 * Write float tensors as the bytes of a safetensors file (tensors in the given order, the header
 * padded with spaces so that the data section starts at a multiple of 8 bytes, as the reference
 * writer does). Useful for tests and for small exports; `readSafetensors` reads it back.
 *
 * @param tensors - name → tensor; names must not be `__metadata__`.
 * @param metadata - an optional `__metadata__` map of strings.
 * @returns the file's bytes.
 * @throws DomainError for a bad tensor, dtype or metadata value.
 * @throws ShapeError when a shape does not match its data's length.
 * @example
 * ```ts
 * const bytes = writeSafetensors({ 'wte.weight': { data: fromRows([[1, 2], [3, 4]], 'float32') } });
 * readSafetensors(bytes).tensors.get('wte.weight')!.shape; // [2, 2]
 * ```
 */
export function writeSafetensors(tensors: Record<string, SafetensorsInput>, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') throw domainError(FN, 'tensors', 'an object of name → tensor', describeValue(tensors));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) {
      throw domainError(FN, 'metadata', 'an object of strings', describeValue(metadata));
    }
    header.__metadata__ = metadata;
  }
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw domainError(FN, 'tensors', "tensor names other than '__metadata__'", "'__metadata__'");
    const src = t?.data;
    const arr = src instanceof Float32Array || src instanceof Float64Array ? src : (src as Matrix | undefined)?.data;
    if (!(arr instanceof Float32Array) && !(arr instanceof Float64Array)) {
      throw domainError(FN, `tensors['${name}'].data`, 'a Float32Array, Float64Array or Matrix', describeValue(src));
    }
    const shape = t.shape ? [...t.shape] : src instanceof Float32Array || src instanceof Float64Array ? [arr.length] : [src.rows, src.cols];
    if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw domainError(FN, `tensors['${name}'].shape`, 'non-negative integers', `[${shape.join(', ')}]`);
    const count = shape.reduce((p, s) => p * s, 1);
    if (count !== arr.length) throw shapeError(FN, `tensors['${name}'].shape`, `${countOf(arr.length, 'element')} (the data's length)`, `[${shape.join(', ')}] with ${count}`);
    const dtype: SafetensorsDType = t.dtype ?? (arr instanceof Float32Array ? 'F32' : 'F64');
    if (!['F64', 'F32', 'F16', 'BF16'].includes(dtype)) throw domainError(FN, `tensors['${name}'].dtype`, "one of 'F64', 'F32', 'F16', 'BF16'", describeValue(dtype));
    const size = SAFETENSORS_ITEMSIZE[dtype];
    const bytes = new Uint8Array(count * size);
    const dv = new DataView(bytes.buffer);
    for (let k = 0; k < count; k++) {
      if (dtype === 'F64') dv.setFloat64(8 * k, arr[k], true);
      else if (dtype === 'F32') dv.setFloat32(4 * k, arr[k], true);
      else if (dtype === 'F16') dv.setUint16(2 * k, floatToHalf(arr[k]), true);
      else dv.setUint16(2 * k, floatToBfloat16(arr[k]), true);
    }
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hbytes = enc.encode(json);
  const pad = (8 - (hbytes.length % 8)) % 8;
  json += ' '.repeat(pad);
  hbytes = enc.encode(json);
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
