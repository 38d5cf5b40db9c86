/**
 * Counts in messages agree with their nouns ("1 column", "2 columns"): every message template in
 * src/ that can print a count of 1 goes through `countOf` (src/core/countOf.ts), which the CLI
 * re-exports. A few messages from different layers are checked at the count 1 and at another count.
 */
import { countOf } from '../../src/core/countOf.js';
import { countOf as cliCountOf } from '../../src/cli/flags.js';
import { fromRows, matrix } from '../../src/core/matrix.js';
import { matmul } from '../../src/linalg/matmul.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { readNpy } from '../../src/io/readNpy.js';
import { renderAnchorTable } from '../../src/cli/anchorReport.js';
import { fitAnchorFromLogPartition } from '../../src/anchor/index.js';
import { anchorCommand } from '../../src/cli/anchorCommand.js';
import type { CliIO } from '../../src/cli/io.js';
import { writeNpy } from '../../src/io/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
};

describe('plurals in messages', () => {
  it('countOf: singular at exactly 1, plural otherwise (0, 2, 1.5), irregular plurals; the CLI uses the same function', () => {
    expect([0, 1, 2, 1.5].map((k) => countOf(k, 'row'))).toEqual(['0 rows', '1 row', '2 rows', '1.5 rows']);
    expect(countOf(1, 'entry', 'entries')).toBe('1 entry');
    expect(countOf(7, 'entry', 'entries')).toBe('7 entries');
    expect(cliCountOf).toBe(countOf);
  });

  it('shape errors of the ops layer say "1 row" / "1 column"', () => {
    const a = matrix(2, 1, [1, 2]);
    expect(messageOf(() => matmul(a, matrix(2, 2, [1, 2, 3, 4])))).toMatch(/must have 1 row \(a\.cols\)/);
    expect(messageOf(() => matmul(matrix(2, 3, [1, 2, 3, 4, 5, 6]), a))).toMatch(/must have 3 rows \(a\.cols\)/);
    expect(messageOf(() => logPartition(fromRows([[1], [2]]), fromRows([[1, 2]])))).toMatch(/a matrix with 1 column \(V\.cols/);
    expect(messageOf(() => logPartition(fromRows([[1, 2]]), fromRows([[1]])))).toMatch(/a matrix with 2 columns \(V\.cols/);
  });

  it('a one-byte .npy file is "1 byte", a two-byte one "2 bytes"', () => {
    expect(messageOf(() => readNpy(new Uint8Array([0x93])))).toMatch(/a file of only 1 byte \(/);
    expect(messageOf(() => readNpy(new Uint8Array([0x93, 0x4e])))).toMatch(/a file of only 2 bytes \(/);
  });

  it('the anchor report counts the null directions of a rank-deficient design', () => {
    // H in a 1-D affine subspace of R^3 (rank 2 of 4): 2 null directions.
    const H = fromRows([[0, 0, 1], [1, 0, 1], [2, 0, 1], [3, 0, 1], [4, 0, 1]]);
    const fit = fitAnchorFromLogPartition(H, Float64Array.from([1, 2, 3.5, 4, 6]));
    const text = renderAnchorTable([{ label: 'z', fit }], 3);
    expect(text).toContain('(2 directions');
    expect(text).not.toMatch(/\b1 directions\b/);
  });

  it('the anchor progress labels: "1 bulk", "1 training context" in a log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-plurals-'));
    try {
      const H = fromRows([[0.1, 1], [0.5, -1], [0.9, 0.3], [-0.4, 0.2]]);
      writeFileSync(join(dir, 'H.npy'), writeNpy(H));
      writeFileSync(join(dir, 'z.npy'), writeNpy(Float64Array.from([1, 2, 3, 2]), [4]));
      const err: string[] = [];
      const io: CliIO = { stdout: () => undefined, stderr: (t) => void err.push(t), isTTY: false };
      expect(await anchorCommand(['--log-partition', join(dir, 'z.npy'), '--hidden', join(dir, 'H.npy')], io, { progressWork: 0, chunkRows: 1 })).toBe(0);
      const log = err.join('');
      expect(log).toContain('anchor: fitting 1 bulk (d = 2; statistics of 4 training contexts)');
      expect(log).toContain('anchor: scoring 1 bulk on 4 contexts');
      expect(log).not.toMatch(/\b1 bulks\b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
