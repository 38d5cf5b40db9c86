/**
 * Standard base64 (RFC 4648 §4, with `=` padding) without `Buffer`, `btoa` or `atob`, so the same
 * code runs in Node, browsers and Web Workers. Decoding is strict: a character outside the alphabet,
 * a wrong length or misplaced padding is rejected (returns `null`) rather than skipped, so a corrupted
 * checkpoint field cannot decode to different bytes of the right length.
 *
 * @internal
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Character code → 6-bit value, or −1 for a character outside the alphabet. */
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Characters per `String.fromCharCode.apply` call: far below engines' argument-count limits. */
const CHUNK = 8192;

/**
 * The base64 text of `bytes`.
 *
 * @internal
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([102, 111, 111])); // 'Zm9v'
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const codes = new Uint16Array(4 * Math.ceil(n / 3));
  let o = 0;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[o++] = ALPHABET.charCodeAt(v >>> 18);
    codes[o++] = ALPHABET.charCodeAt((v >>> 12) & 63);
    codes[o++] = ALPHABET.charCodeAt((v >>> 6) & 63);
    codes[o++] = ALPHABET.charCodeAt(v & 63);
  }
  const rest = n - i;
  if (rest > 0) {
    const v = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    codes[o++] = ALPHABET.charCodeAt(v >>> 18);
    codes[o++] = ALPHABET.charCodeAt((v >>> 12) & 63);
    codes[o++] = rest === 2 ? ALPHABET.charCodeAt((v >>> 6) & 63) : 61; // '='
    codes[o++] = 61;
  }
  let s = '';
  for (let c = 0; c < codes.length; c += CHUNK) s += String.fromCharCode.apply(null, Array.from(codes.subarray(c, c + CHUNK)));
  return s;
}

/**
 * The bytes of the base64 text `s`, or `null` when `s` is not canonical padded base64.
 *
 * @internal
 * @example
 * ```ts
 * decodeBase64('Zm9v'); // Uint8Array [102, 111, 111]
 * decodeBase64('Zm9');  // null (length not a multiple of 4)
 * ```
 */
export function decodeBase64(s: string): Uint8Array | null {
  const len = s.length;
  if (len % 4 !== 0) return null;
  const pad = len === 0 ? 0 : s.charCodeAt(len - 1) === 61 ? (s.charCodeAt(len - 2) === 61 ? 2 : 1) : 0;
  const out = new Uint8Array((len / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len;
    const c0 = s.charCodeAt(i), c1 = s.charCodeAt(i + 1), c2 = s.charCodeAt(i + 2), c3 = s.charCodeAt(i + 3);
    const a = c0 < 128 ? DECODE[c0] : -1;
    const b = c1 < 128 ? DECODE[c1] : -1;
    const c = last && pad === 2 ? 0 : c2 < 128 ? DECODE[c2] : -1;
    const d = last && pad >= 1 ? 0 : c3 < 128 ? DECODE[c3] : -1;
    if ((a | b | c | d) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    if (o < out.length) out[o++] = (v >>> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  // Canonical form: the bits dropped by padding must be zero, as every encoder writes them.
  if (pad > 0 && (len === 0 || (pad === 2 ? DECODE[s.charCodeAt(len - 3)] & 15 : DECODE[s.charCodeAt(len - 2)] & 3) !== 0)) return null;
  return out;
}
