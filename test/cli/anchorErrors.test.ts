/**
 * Every error path of `lmtransfer anchor` that a user can reach, driven through `main` as the
 * binary runs it: each exits 2 with one line on stderr in the CLI's one message style
 * `lmtransfer anchor: <flag>: <reason>` (or `<flag> <file>: <reason>` when the reason is in a
 * file's content), naming the flag the user gave, never a library argument (`opts.holdout`) or the
 * old `option '--x' must …` wording.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdoutSplit } from '../../src/anchor/fitAnchorKernel.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Matrix } from '../../src/core/matrix.js';
import { writeNpy } from '../../src/io/index.js';
import { createRng } from '../../src/random/createRng.js';

function randn(seed: string, r: number, c: number): Matrix {
  const rng = createRng(seed);
  const data = new Float64Array(r * c);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows: r, cols: c, data };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('lmtransfer anchor: every error names its flag in the one message style', () => {
  const n = 12;
  const m = 20;
  const d = 3;
  let dir: string;
  const f = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lmtransfer-anchor-errors-'));
    mkdirSync(f('adir'));
    const V = randn('err-V', n, d);
    const H = randn('err-H', m, d);
    writeFileSync(f('V.npy'), writeNpy(V));
    writeFileSync(f('H.npy'), writeNpy(H));
    writeFileSync(f('V2.npy'), writeNpy(randn('err-V2', n, d + 1)));
    const Vnan = V.data.slice();
    Vnan[5] = NaN;
    writeFileSync(f('Vnan.npy'), writeNpy(Vnan, [n, d]));
    const Hinf = H.data.slice();
    Hinf[7] = Infinity;
    writeFileSync(f('Hinf.npy'), writeNpy(Hinf, [m, d]));
    writeFileSync(f('H0.npy'), writeNpy(new Float64Array(0), [0, d]));
    const bytes = writeNpy(H);
    writeFileSync(f('Htrunc.npy'), bytes.subarray(0, bytes.length - 5));
    writeFileSync(f('z.npy'), writeNpy(new Float64Array(m).fill(1), [m]));
    writeFileSync(f('z19.npy'), writeNpy(new Float64Array(m - 1).fill(1), [m - 1]));
    const znan = new Float64Array(m).fill(1);
    znan[2] = NaN;
    writeFileSync(f('znan.npy'), writeNpy(znan, [m]));
    const w = (name: string, fill: (i: number) => number, shape: number[] = [m]): void => {
      const a = new Float64Array(shape.reduce((p, q) => p * q, 1));
      for (let i = 0; i < a.length; i++) a[i] = fill(i);
      writeFileSync(f(name), writeNpy(a, shape));
    };
    w('wneg.npy', (i) => (i === 4 ? -1 : 1));
    w('wnan.npy', (i) => (i === 2 ? NaN : 1));
    w('w2d.npy', () => 1, [m, 2]);
    w('w19.npy', () => 1, [m - 1]);
    w('wzero.npy', () => 0);
    // Zero on exactly one part of the split that --holdout 0.25 --seed 7 makes.
    const { test } = holdoutSplit('test', m, 0.25, '7');
    const held = new Set(Array.from(test));
    w('wtrain0.npy', (i) => (held.has(i) ? 1 : 0));
    w('wtest0.npy', (i) => (held.has(i) ? 0 : 1));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const VH = (): string[] => ['--embeddings', f('V.npy'), '--hidden', f('H.npy')];
  const ZH = (): string[] => ['--log-partition', f('z.npy'), '--hidden', f('H.npy')];
  // [arguments, the flag the message must start with, what else the message must say]
  const cases: [string, () => string[], string, RegExp][] = [
    // Parsing and the flags' own checks.
    ['unknown flag', () => [...VH(), '--holdot', '0.2'], '--holdot', /unknown option; did you mean --holdout\?/],
    ['missing --hidden', () => ['--embeddings', f('V.npy')], '--hidden', /is required/],
    ['missing --embeddings', () => ['--hidden', f('H.npy')], '--embeddings', /is required/],
    ['--holdout out of range', () => [...VH(), '--holdout', '1.5'], '--holdout', /must be a fraction in \[0, 1\); got '1\.5'/],
    ['--holdout not a number', () => [...VH(), '--holdout', 'a fifth'], '--holdout', /got 'a fifth'/],
    ['--holdout without a value', () => [...VH(), '--holdout'], '--holdout', /needs a value/],
    ['--ridge negative', () => [...VH(), '--ridge', '-1'], '--ridge', /must be a number ≥ 0; got '-1'/],
    ['--rcond ≥ 1', () => [...VH(), '--rcond', '2'], '--rcond', /must be a number in \(0, 1\); got '2'/],
    ['--seed empty', () => [...VH(), '--seed', ' '], '--seed', /must be a non-empty string/],
    ['--exclude-top not integers', () => [...VH(), '--exclude-top', '0,x'], '--exclude-top', /comma-separated list of integers/],
    ['--exclude-top-per-context negative', () => [...VH(), '--exclude-top-per-context', '-1'], '--exclude-top-per-context', /got '-1'/],
    ['--shard out of range', () => [...VH(), '--shard', '3/2'], '--shard', /must be I\/N/],
    ['--shard with --holdout', () => [...VH(), '--shard', '1/2', '--holdout', '0.2'], '--shard', /excludes --holdout/],
    ['--out without --shard', () => [...VH(), '--out', f('s.json')], '--out', /needs --shard/],
    ['--residuals with --shard', () => [...VH(), '--shard', '1/2', '--residuals', f('r.npy')], '--residuals', /excludes --shard/],
    ['--log-partition with --embeddings', () => [...VH(), '--log-partition', f('z.npy')], '--log-partition', /excludes --embeddings/],
    ['--exclude-top with --log-partition', () => [...ZH(), '--exclude-top', '1'], '--exclude-top', /needs --embeddings/],
    ['empty --weights path', () => [...VH(), '--weights', ''], '--weights', /must be a file path; got an empty string/],
    ['a flag given twice', () => [...VH(), '--json', '--json'], '--json', /given twice/],
    // Files that cannot be read or do not fit together.
    ['missing --embeddings file', () => ['--embeddings', f('nope.npy'), '--hidden', f('H.npy')], '--embeddings', /cannot read '.*nope\.npy': no such file/],
    ['--hidden a directory', () => ['--embeddings', f('V.npy'), '--hidden', f('adir')], '--hidden', /it is a directory/],
    ['--hidden truncated', () => ['--embeddings', f('V.npy'), '--hidden', f('Htrunc.npy')], '--hidden', /truncated data/],
    ['--hidden with no rows', () => ['--embeddings', f('V.npy'), '--hidden', f('H0.npy')], '--hidden', /must have at least one row and one column; got 0×3/],
    ['--hidden not finite', () => ['--embeddings', f('V.npy'), '--hidden', f('Hinf.npy')], '--hidden', /Infinity|non-finite|finite/],
    ['--embeddings not finite', () => ['--embeddings', f('Vnan.npy'), '--hidden', f('H.npy')], '--embeddings', /NaN|finite/],
    ['--embeddings of another d', () => ['--embeddings', f('V2.npy'), '--hidden', f('H.npy')], '--embeddings', /mismatched dimensions: .*V2\.npy is 12×4 but --hidden .*H\.npy is 20×3/],
    ['--log-partition of another length', () => ['--log-partition', f('z19.npy'), '--hidden', f('H.npy')], '--log-partition', /mismatched dimensions: .*z19\.npy has 19 rows but --hidden .* has 20/],
    ['--log-partition not finite', () => ['--log-partition', f('znan.npy'), '--hidden', f('H.npy')], '--log-partition', /NaN|finite/],
    // Values that are checked against the data once the files are read.
    ['--holdout leaving no held-out context', () => [...VH(), '--holdout', '0.01'], '--holdout', /^must leave at least one context in each part of the 20 contexts; got 0\.01 \(0 held out, 20 for training\)$/],
    ['--holdout leaving no training context', () => [...VH(), '--holdout', '0.99'], '--holdout', /^must leave at least one context in each part of the 20 contexts; got 0\.99 \(20 held out, 0 for training\)$/],
    ['--holdout leaving no held-out context (log-partition)', () => [...ZH(), '--holdout', '0.02'], '--holdout', /\(0 held out, 20 for training\)$/],
    ['--holdout leaving no training context (log-partition)', () => [...ZH(), '--holdout', '0.98'], '--holdout', /\(20 held out, 0 for training\)$/],
    ['--weights missing file', () => [...VH(), '--weights', f('nope.npy')], '--weights', /cannot read '.*nope\.npy': no such file/],
    ['--weights negative', () => [...VH(), '--weights', f('wneg.npy')], '--weights', /^must hold finite weights ≥ 0; got -1 at \[4\] of .*wneg\.npy$/],
    ['--weights NaN', () => [...VH(), '--weights', f('wnan.npy')], '--weights', /^must hold finite weights ≥ 0; got NaN at \[2\]/],
    ['--weights 2-D', () => [...VH(), '--weights', f('w2d.npy')], '--weights', /^must be a 1-D array, one weight per context; got shape \(20, 2\)/],
    ['--weights of another length', () => [...VH(), '--weights', f('w19.npy')], '--weights', /^mismatched dimensions: .*w19\.npy has 19 entries but --hidden has 20 rows/],
    ['--weights all zero', () => [...VH(), '--weights', f('wzero.npy')], '--weights', /^must be positive on some training context; got all zeros on the 20 training contexts$/],
    ['--weights zero on the training part', () => [...VH(), '--weights', f('wtrain0.npy'), '--holdout', '0.25', '--seed', '7'], '--weights', /^must be positive on some training context; got all zeros on the 15 training contexts$/],
    ['--weights zero on the held-out part', () => [...VH(), '--weights', f('wtest0.npy'), '--holdout', '0.25', '--seed', '7'], '--weights', /^must be positive on some held-out context; got all zeros on the 5 held-out contexts$/],
    ['--exclude-top = n', () => [...VH(), '--exclude-top', '0,12'], '--exclude-top', /^must list values below the vocabulary size 12 \(the bulk would be empty\); got 12$/],
    ['--exclude-top > n', () => [...VH(), '--exclude-top', '50'], '--exclude-top', /got 50$/],
    ['--exclude-top-per-context = n', () => [...VH(), '--exclude-top-per-context', '12'], '--exclude-top-per-context', /^must list values below the vocabulary size 12 \(the bulk would be empty\); got 12$/],
    ['--residuals a directory', () => [...VH(), '--residuals', f('adir')], '--residuals', /must be a file path; '.*adir' is a directory/],
    ['--residuals in a missing directory', () => [...VH(), '--residuals', f('nodir/r.npy')], '--residuals', /the directory of '.*nodir\/r\.npy' does not exist/],
    ['--residuals under a file', () => [...VH(), '--residuals', f('H.npy/r.npy')], '--residuals', /is not a directory/],
    ['--out in a missing directory', () => [...VH(), '--shard', '1/2', '--out', f('nodir/s.json')], '--out', /does not exist/],
  ];

  it.each(cases)('%s', async (_name, args, flag, reason) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false };
    const code = await main(['anchor', ...args()], io);
    const text = err.join('');
    expect({ code, text }).toEqual({ code: 2, text });
    expect(text).toMatch(/\n$/);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(out.join('')).toBe('');
    // The one shape: the command, then the flag, then the reason (after the file, when the file's content is at fault).
    const shape = new RegExp(`^lmtransfer anchor: ${escape(flag)}(: | \\S+: )(.*)\\n$`);
    expect(text).toMatch(shape);
    const rest = shape.exec(text)![2];
    expect(rest).toMatch(reason);
    expect(text).not.toMatch(/option '|opts\.|lmtransfer anchor: lmtransfer/);
  });
});
