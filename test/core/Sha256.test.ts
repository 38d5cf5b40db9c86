/**
 * The library's own SHA-256 against FIPS 180-4 test vectors and against node:crypto on random
 * inputs split at random points (the incremental path, the block boundaries at 55/56/64 bytes of
 * padding, and multi-byte UTF-8). Fork seeds must stay those node:crypto gave before the switch.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Sha256 } from '../../src/core/Sha256.js';
import { createRng } from '../../src/random/createRng.js';

const FC = { seed: 20261203, numRuns: 300 };

const nodeHex = (parts: (string | Uint8Array)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('Sha256', () => {
  it('matches the FIPS 180-4 example vectors', () => {
    expect(new Sha256().digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new Sha256().update('abc').digestHex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(new Sha256().update('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq').digestHex())
      .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    // One million 'a', fed in uneven pieces.
    const h = new Sha256();
    const piece = 'a'.repeat(999);
    for (let i = 0; i < 1001; i++) h.update(piece);
    h.update('a'.repeat(1_000_000 - 999 * 1001));
    expect(h.digestHex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('equals node:crypto on every length 0..200 (all padding cases)', () => {
    const bytes = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 255);
    for (let n = 0; n <= 200; n++) {
      const m = bytes.subarray(0, n);
      expect(new Sha256().update(m).digestHex()).toBe(nodeHex([m]));
    }
  });

  it('equals node:crypto on random strings and bytes cut into random pieces', () => {
    const part = fc.oneof(fc.string({ unit: 'binary', maxLength: 150 }), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        const h = new Sha256();
        for (const p of parts) h.update(p);
        expect(h.digestHex()).toBe(nodeHex(parts));
      }),
      FC,
    );
  });

  it('refuses to be used after the digest', () => {
    const h = new Sha256().update('x');
    h.digestHex();
    expect(() => h.update('y')).toThrow('digest was already taken');
    expect(() => h.digestHex()).toThrow('digest was already taken');
  });

  it('keeps forked streams bit-identical to the node:crypto version', () => {
    // Produced by createRng with node:crypto's createHash (commit 77ca6db), before this file existed.
    const r = createRng(42);
    const cases: [ReturnType<typeof createRng>, string, number, number, number][] = [
      [r.fork('train'), 'f39d4707e37fa765db45dcfdeb4cc6b66103abf897b6ff4b36ac975df8b098e7', 0.42581442153895943, -1.3935336511295946, 740],
      [r.fork(3).fork('é∑🙂'), '2be40391acd942609aa6e2d8d2eef74c30a12cff303b0e406b0844a5698bfb19', 0.6756858367223364, 0.7072267349705219, 394],
      [createRng('seed').fork(''), 'e49ca0cb3a84a7b30a8252c179755ee9c89593b2ee8b4568647a033e0f659051', 0.5570011277786971, 1.6264477450130024, 150],
    ];
    for (const [child, seed, u, z, k] of cases) {
      expect(child.seed).toBe(seed);
      expect([child.next(), child.normal(), child.int(1000)]).toEqual([u, z, k]);
    }
    // And on random seeds and labels, the derivation documented in deriveForkSeed.
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ unit: 'binary' }), (seed, label) => {
        const expected = nodeHex([JSON.stringify(['lmtransfer.fork', seed, label])]);
        expect(createRng(seed).fork(label).seed).toBe(expected);
      }),
      FC,
    );
  });
});
