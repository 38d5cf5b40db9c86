/** Bit-for-bit equality of two typed arrays (fast, unlike a deep `toEqual` over 10⁵ elements; distinguishes −0 and NaN payloads). */
export function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
