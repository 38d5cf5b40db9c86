/**
 * SHA-256 (FIPS 180-4) in plain TypeScript: synchronous, incremental, with no platform API, so the
 * same code hashes in Node, in a browser's main thread and in a Web Worker. The library uses it for
 * `Rng.fork` seeds and for the training-data fingerprint; both must be identical on every platform
 * and equal to what `node:crypto` gave before (the tests compare against it on random inputs).
 *
 * @internal
 */

/** Round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const encoder = new TextEncoder();

/**
 * An incremental SHA-256 hash: `update` any number of times with UTF-8 strings or bytes, then
 * `digestHex` once. Equivalent to `createHash('sha256').update(...).digest('hex')` of `node:crypto`.
 *
 * @internal
 * @example
 * ```ts
 * new Sha256().update('abc').digestHex();
 * // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export class Sha256 {
  /** The eight working words of the chaining value. */
  private readonly h = Int32Array.from(H0);
  /** The 64-word message schedule, reused for every block. */
  private readonly w = new Int32Array(64);
  /** The partial block waiting for more input (fewer than 64 bytes are ever held here). */
  private readonly block = new Uint8Array(64);
  private blockLen = 0;
  /** Total message length in bytes; a double is exact up to 2^53 bytes, far beyond any input here. */
  private length = 0;
  private finished = false;

  /** Add a string (hashed as its UTF-8 bytes) or bytes to the message. */
  update(data: string | Uint8Array): this {
    if (this.finished) throw new Error('Sha256.update: the digest was already taken');
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    const n = bytes.length;
    this.length += n;
    let i = 0;
    if (this.blockLen > 0) {
      const take = Math.min(64 - this.blockLen, n);
      this.block.set(bytes.subarray(0, take), this.blockLen);
      this.blockLen += take;
      i = take;
      if (this.blockLen < 64) return this;
      this.compress(this.block, 0);
      this.blockLen = 0;
    }
    // Whole blocks straight from the input, without copying.
    for (; i + 64 <= n; i += 64) this.compress(bytes, i);
    if (i < n) {
      this.block.set(bytes.subarray(i), 0);
      this.blockLen = n - i;
    }
    return this;
  }

  /** The digest as 64 lowercase hex digits. The hash cannot be updated afterwards. */
  digestHex(): string {
    if (this.finished) throw new Error('Sha256.digestHex: the digest was already taken');
    this.finished = true;
    // Padding: a 1 bit, zeros up to 56 mod 64 bytes, then the bit length as a 64-bit big-endian integer.
    const bitLenHi = Math.floor(this.length / 0x20000000); // length * 8 / 2^32
    const bitLenLo = (this.length * 8) >>> 0;
    const b = this.block;
    let p = this.blockLen;
    b[p++] = 0x80;
    if (p > 56) {
      b.fill(0, p);
      this.compress(b, 0);
      p = 0;
    }
    b.fill(0, p, 56);
    b[56] = bitLenHi >>> 24; b[57] = bitLenHi >>> 16; b[58] = bitLenHi >>> 8; b[59] = bitLenHi;
    b[60] = bitLenLo >>> 24; b[61] = bitLenLo >>> 16; b[62] = bitLenLo >>> 8; b[63] = bitLenLo;
    this.compress(b, 0);
    let hex = '';
    for (let j = 0; j < 8; j++) hex += (this.h[j] >>> 0).toString(16).padStart(8, '0');
    return hex;
  }

  /** One application of the compression function to the 64 bytes of `m` from `off`. */
  private compress(m: Uint8Array, off: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const o = off + 4 * t;
      w[t] = (m[o] << 24) | (m[o + 1] << 16) | (m[o + 2] << 8) | m[o + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }
}
