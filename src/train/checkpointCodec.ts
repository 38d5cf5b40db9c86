/**
 * Exact, JSON-safe encoding of float buffers for checkpoints: little-endian IEEE 754 bytes of the
 * buffer's own precision (8 per float64, 4 per float32) in base64. Decimal JSON numbers would
 * round-trip every finite value but lose the sign of `−0`, and they take about twice the space;
 * bytes keep resumed training bit-identical.
 *
 * @internal
 */
import { FormatError } from '../core/errors.js';
import { decodeBase64, encodeBase64 } from '../core/base64.js';
import type { FloatArray } from '../core/matrix.js';
import { countOf } from '../core/countOf.js';

/** Encode a `Float64Array` or `Float32Array` as base64 of its little-endian bytes. */
export function encodeFloats(x: FloatArray): string {
  const w = x.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(x.length * w);
  const view = new DataView(bytes.buffer);
  if (w === 8) for (let i = 0; i < x.length; i++) view.setFloat64(i * 8, x[i], true);
  else for (let i = 0; i < x.length; i++) view.setFloat32(i * 4, x[i], true);
  return encodeBase64(bytes);
}

/** Decode `encodeFloats` output into `out`, whose type and length fix the expected precision and size. */
export function decodeFloatsInto(fn: string, name: string, s: unknown, out: FloatArray): void {
  const w = out.BYTES_PER_ELEMENT;
  const kind = w === 8 ? 'float64' : 'float32';
  if (typeof s !== 'string') throw new FormatError(`${fn}: argument '${name}' must be a base64 string of ${kind} bytes; got ${typeof s}`);
  // Own strict codec rather than Buffer (absent in browsers): invalid base64 is rejected, not skipped.
  const buf = decodeBase64(s);
  if (buf === null) throw new FormatError(`${fn}: argument '${name}' must be a base64 string of ${kind} bytes; got a string that is not padded base64`);
  if (buf.length !== out.length * w) {
    throw new FormatError(`${fn}: argument '${name}' must decode to ${countOf(out.length, `${kind} value`)} (${countOf(out.length * w, 'byte')}); got ${countOf(buf.length, 'byte')}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (w === 8) for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  else for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
}
