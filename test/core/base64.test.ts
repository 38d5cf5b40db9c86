/**
 * The Buffer-free base64 codec against Node's Buffer on random bytes, and its strictness: every
 * non-canonical text Buffer would silently accept is rejected.
 */
import fc from 'fast-check';
import { decodeBase64, encodeBase64 } from '../../src/core/base64.js';

const FC = { seed: 20261203, numRuns: 300 };

describe('base64', () => {
  it('encodes like Buffer and decodes back, on random bytes of every length mod 3', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const s = encodeBase64(bytes);
        expect(s).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(s)).toEqual(bytes);
      }),
      FC,
    );
    // Longer than one String.fromCharCode chunk.
    const big = Uint8Array.from({ length: 50_001 }, (_, i) => (i * 131) & 255);
    expect(encodeBase64(big)).toBe(Buffer.from(big).toString('base64'));
    expect(decodeBase64(encodeBase64(big))).toEqual(big);
  });

  it('rejects non-canonical text', () => {
    expect(decodeBase64('')).toEqual(new Uint8Array(0));
    for (const bad of ['Zm9', 'Zm9v=', 'Zm 9v', 'Zm9v\n', 'Z=9v', '=Zm9', 'Zm-_', 'Zm9vé===', 'Zg=A', 'Zh==', 'Zm9=', '====']) {
      expect(decodeBase64(bad)).toBeNull();
    }
    expect(decodeBase64('Zg==')).toEqual(new Uint8Array([102]));
    expect(decodeBase64('Zm8=')).toEqual(new Uint8Array([102, 111]));
  });
});
