/**
 * Exact, JSON-safe encoding of float64 buffers for checkpoints: little-endian IEEE 754 bytes in
 * base64. Decimal JSON numbers would round-trip every finite double but lose the sign of `−0`, and
 * they take about twice the space; bytes keep resumed training bit-identical.
 *
 * @internal
 */
import { FormatError } from '../errors/errors.js';
import { decodeBase64, encodeBase64 } from '../core/base64.js';

/** Encode a `Float64Array` as base64 of its little-endian bytes. */
export function encodeFloat64(x: Float64Array): string {
  const bytes = new Uint8Array(x.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < x.length; i++) view.setFloat64(i * 8, x[i], true);
  return encodeBase64(bytes);
}

/** Decode `encodeFloat64` output into `out` (whose length fixes the expected size). */
export function decodeFloat64Into(fn: string, name: string, s: unknown, out: Float64Array): void {
  if (typeof s !== 'string') throw new FormatError(`${fn}: argument '${name}' must be a base64 string of float64 bytes; got ${typeof s}`);
  // Own strict codec rather than Buffer (absent in browsers): invalid base64 is rejected, not skipped.
  const buf = decodeBase64(s);
  if (buf === null) throw new FormatError(`${fn}: argument '${name}' must be a base64 string of float64 bytes; got a string that is not padded base64`);
  if (buf.length !== out.length * 8) {
    throw new FormatError(`${fn}: argument '${name}' must decode to ${out.length} float64 values (${out.length * 8} bytes); got ${buf.length} bytes`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
}
