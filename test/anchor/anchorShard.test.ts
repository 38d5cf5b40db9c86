import { AnchorAccumulator } from '../../src/anchor/AnchorAccumulator.js';
import { ANCHOR_SHARD_FORMAT, ANCHOR_SHARD_VERSION, type AnchorShardDoc, parseAnchorShard, shardIncompatibility, shardModeMismatch, shardRecordsEverything } from '../../src/anchor/anchorShard.js';
import { FormatError } from '../../src/core/errors.js';
import { createRng, randn } from './helpers.js';

function shard(index: number, over: Partial<AnchorShardDoc> = {}): AnchorShardDoc {
  const H = randn(createRng(`shard-${index}`), 10, 3);
  const acc = new AnchorAccumulator(3).addLogPartition(H, new Float64Array(10).map((_, i) => i));
  const input = (source: string, sha = 'a'.repeat(64)) => ({ source, rows: 20, cols: 3, dtype: 'float32', sha256: sha });
  return {
    path: `s${index}.json`,
    format: ANCHOR_SHARD_FORMAT,
    version: ANCHOR_SHARD_VERSION,
    shard: { index, count: 2 },
    contexts: { start: (index - 1) * 10, end: index * 10, total: 20 },
    inputs: { embeddings: input('V.npy', 'b'.repeat(64)), hidden: input('H.npy'), weights: null },
    options: { ridge: 0, rcond: null },
    results: [{ label: 'k=0', excludeTop: 0, bulkSize: 50, excludedWords: [], accumulator: acc.toJSON() }],
    ...over,
  };
}

describe('the anchor shard file format', () => {
  it('round-trips through JSON text', () => {
    const a = shard(1);
    const { path: _p, ...body } = a;
    const back = parseAnchorShard(JSON.stringify(body), 'x.json');
    expect(back.path).toBe('x.json');
    expect(back.shard).toEqual(a.shard);
    expect(AnchorAccumulator.fromJSON(back.results[0].accumulator).fit().anchor).toEqual(AnchorAccumulator.fromJSON(a.results[0].accumulator).fit().anchor);
    expect(shardRecordsEverything(back)).toBe(true);
  });

  it('refuses what is not a shard file, saying what is wrong', () => {
    expect(() => parseAnchorShard('{"format": ', 'a.json')).toThrow(/^merge a\.json: must be a shard file \(JSON\); got a parse error/);
    expect(() => parseAnchorShard('{"format": "other"}', 'a.json')).toThrow(FormatError);
    const { path: _p, ...body } = shard(1);
    expect(() => parseAnchorShard(JSON.stringify({ ...body, shard: { index: 3, count: 2 } }), 'a.json')).toThrow(/must have 'shard' \{index, count\} with 1 ≤ index ≤ count/);
    expect(() => parseAnchorShard(JSON.stringify({ ...body, options: { ridge: -1, rcond: null } }), 'a.json')).toThrow(/must have 'options' \{ridge, rcond\}/);
    expect(() => parseAnchorShard(JSON.stringify({ ...body, results: [7] }), 'a.json')).toThrow(/must have 'results' of objects with a 'label'; got 7 at results\[0\]/);
  });

  it('tells shards of one run from shards of different runs', () => {
    const a = shard(1);
    expect(shardIncompatibility(shard(2), a)).toBeNull();
    const b = shard(2, { inputs: { ...a.inputs, hidden: { source: 'elsewhere/H.npy', rows: 20, cols: 3, dtype: 'float32', sha256: 'a'.repeat(64) } } });
    expect(shardIncompatibility(b, a)).toBeNull(); // same data at another path
    const c = shard(2, { inputs: { ...a.inputs, hidden: { source: 'H.npy', rows: 20, cols: 3, dtype: 'float16', sha256: 'a'.repeat(64) } } });
    expect(shardIncompatibility(c, a)).toMatch(/has --hidden H\.npy 20×3 float16 but 's1\.json' has H\.npy 20×3 float32: not the same inputs/);
    const d = shard(2, { inputs: { ...a.inputs, hidden: { source: 'H.npy', rows: 20, cols: 3, dtype: 'float32', sha256: 'c'.repeat(64) } } });
    expect(shardIncompatibility(d, a)).toMatch(/not the same data$/);
    expect(shardIncompatibility(shard(2, { options: { ridge: 0.5, rcond: null } }), a)).toBe("merge: 's2.json' was made with --ridge 0.5 but 's1.json' with --ridge 0: not the same run");
    const z = shard(2, { inputs: { logPartition: a.inputs!.embeddings, hidden: a.inputs!.hidden, weights: null } });
    expect(shardModeMismatch(z, a)).toBe("merge: 's2.json' was made with --log-partition but 's1.json' with --embeddings: not the same run");
    // Older shards (no checksums) are compared by file name.
    const old = (i: number, src: string): AnchorShardDoc => shard(i, { inputs: { hidden: { source: src, rows: 20, cols: 3, dtype: 'float32' } }, options: undefined });
    expect(shardRecordsEverything(old(1, 'H.npy'))).toBe(false);
    expect(shardIncompatibility(old(2, '/m2/H.npy'), old(1, '/m1/H.npy'))).toBeNull();
    expect(shardIncompatibility(old(2, 'Hb.npy'), old(1, 'H.npy'))).toMatch(/not the same inputs$/);
  });
});
