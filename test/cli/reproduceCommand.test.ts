import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { REPRODUCE_FILES, reproduceCommand } from '../../src/cli/reproduceCommand.js';
import type { ReproduceResults } from '../../src/experiments/results.js';
import { byClass, parseSvg, text } from '../figures/svgDom.js';
import { tinyPreset } from '../experiments/fixtures.js';
import { createProgressBar } from '../../src/cli/progress.js';
import { writeNpy, writeSafetensors } from '../../src/io/index.js';
import { fromRows } from '../../src/core/matrix.js';

function capture(isTTY = false): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, isTTY, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('lmtransfer reproduce', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lmtransfer-reproduce-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes results.json, three SVG figures and report.md (tiny sizes, end to end)', async () => {
    const io = capture();
    const out = join(dir, 'run');
    const code = await reproduceCommand(['--out', out, '--seed', '5'], io, { preset: tinyPreset('5') });
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(Object.values(REPRODUCE_FILES).sort());
    const results = JSON.parse(readFileSync(join(out, REPRODUCE_FILES.results), 'utf8')) as ReproduceResults;
    expect(results.formatVersion).toBe(1);
    expect(results.seed).toBe('5');
    expect(results.anchorSweep?.kind).toBe('anchorSweep');
    expect(results.transferCurve?.kind).toBe('transferCurve');
    expect(results.rareWordSweep?.kind).toBe('rareWordSweep');
    for (const f of [REPRODUCE_FILES.anchorSweep, REPRODUCE_FILES.transferCurve, REPRODUCE_FILES.rareWordSweep]) {
      const root = parseSvg(readFileSync(join(out, f), 'utf8'));
      for (const p of byClass(root, 'panel')) {
        for (const ax of ['x-axis', 'y-axis']) {
          const axis = byClass(p, `axis ${ax}`)[0];
          expect(byClass(axis, 'domain')).toHaveLength(1);
          expect(byClass(axis, 'tick-label').length).toBeGreaterThanOrEqual(2);
          expect(text(byClass(axis, 'axis-title')[0]).length).toBeGreaterThan(0);
        }
        expect(byClass(byClass(p, 'legend')[0], 'legend-entry').length).toBeGreaterThanOrEqual(1);
      }
    }
    const report = readFileSync(join(out, REPRODUCE_FILES.report), 'utf8');
    for (const f of [REPRODUCE_FILES.anchorSweep, REPRODUCE_FILES.transferCurve, REPRODUCE_FILES.rareWordSweep]) expect(report).toContain(`](${f})`);
    expect(io.out.join('')).toContain('checks against the theory');
    // Off a TTY, progress is plain lines on stderr: one "started" and one "done" per experiment.
    const err = io.err.join('');
    expect(err.match(/: started \(/g)).toHaveLength(3);
    expect(err.match(/: done in /g)).toHaveLength(3);
    expect(err).not.toContain('\r');
  });

  it('--help prints the usage and exits 0, also beside other flags (help wins)', async () => {
    for (const args of [['--help'], ['--json', '--help'], ['-h', '--bogus'], ['--quiet', '-h']]) {
      const io = capture();
      expect(await main(['reproduce', ...args], io)).toBe(0);
      const help = io.out.join('');
      expect(help).toContain('lmtransfer reproduce [--out DIR] [--quick] [--seed S] [--json] [--quiet]');
      expect(help).toMatch(/\nExamples:\n {2}lmtransfer reproduce/);
      expect(io.err).toEqual([]);
    }
  });

  it.each([
    [['--bogus'], "lmtransfer reproduce: --bogus: unknown option (try 'lmtransfer reproduce --help')"],
    [['--qiuck'], "lmtransfer reproduce: --qiuck: unknown option; did you mean --quick? (try 'lmtransfer reproduce --help')"],
    [['--jsno'], "lmtransfer reproduce: --jsno: unknown option; did you mean --json? (try 'lmtransfer reproduce --help')"],
    [['--out'], "lmtransfer reproduce: --out: needs a value (try 'lmtransfer reproduce --help')"],
    [['--out', '--quick'], "lmtransfer reproduce: --out: needs a value (try 'lmtransfer reproduce --help')"],
    [['--quick=yes'], "lmtransfer reproduce: --quick: takes no value; got 'yes' (try 'lmtransfer reproduce --help')"],
    [['--seed', '1', '--seed', '2'], "lmtransfer reproduce: --seed: given twice; give it once (try 'lmtransfer reproduce --help')"],
    [['extra'], "lmtransfer reproduce: extra: unexpected argument; this command takes only flags (try 'lmtransfer reproduce --help')"],
    [['--seed', ''], 'lmtransfer reproduce: --seed: must be a non-empty string or number; got an empty string'],
    [['--out', ' '], 'lmtransfer reproduce: --out: must be a directory path; got an empty string'],
  ])('exits 2 with a one-line reason on %p', async (args, reason) => {
    const io = capture();
    expect(await main(['reproduce', ...args], io)).toBe(2);
    expect(io.err.join('')).toBe(reason + '\n');
  });

  it('exits 2 when --out names a file, or a directory under a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    let io = capture();
    expect(await main(['reproduce', '--out', file], io)).toBe(2);
    expect(io.err.join('')).toBe(`lmtransfer reproduce: --out: must be a directory; '${file}' is a file\n`);
    io = capture();
    expect(await main(['reproduce', '--out', join(file, 'sub')], io)).toBe(2);
    expect(io.err.join('')).toBe(`lmtransfer reproduce: --out: cannot create the directory '${join(file, 'sub')}': a part of the path is a file (ENOTDIR)\n`);
  });

  it('--json prints one JSON summary on stdout; --quiet prints nothing; a missing --out directory is created', async () => {
    let io = capture();
    const out = join(dir, 'json', 'deeper');
    expect(await reproduceCommand(['--out', out, '--seed', '5', '--json'], io, { preset: tinyPreset('5') })).toBe(0);
    const summary = JSON.parse(io.out.join('')) as { command: string; files: string[]; checks: { total: number; agree: number }; verdicts: unknown[] };
    expect(summary.command).toBe('reproduce');
    expect(summary.files).toHaveLength(Object.keys(REPRODUCE_FILES).length);
    expect(summary.checks.total).toBe(summary.verdicts.length);
    expect(io.err.join('')).toContain(': done in ');
    expect(readdirSync(out).sort()).toEqual(Object.values(REPRODUCE_FILES).sort());
    io = capture(true);
    expect(await reproduceCommand(['--out', join(dir, 'quiet'), '--seed', '5', '--quiet'], io, { preset: tinyPreset('5') })).toBe(0);
    expect(io.out).toEqual([]);
    expect(io.err).toEqual([]);
    io = capture();
    expect(await reproduceCommand(['--out', join(dir, 'quiet2'), '--seed', '5', '--quiet', '--json'], io, { preset: tinyPreset('5') })).toBe(0);
    expect(io.err).toEqual([]);
    expect(() => JSON.parse(io.out.join('')) as unknown).not.toThrow();
  });
});

describe('lmtransfer (the dispatcher)', () => {
  it('no arguments is a usage error: the usage on stderr, exit 2, nothing on stdout', async () => {
    const io = capture();
    expect(await main([], io)).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join('')).toContain('Usage:\n  lmtransfer reproduce');
  });

  it('--help, -h and help print the usage with examples on stdout and exit 0', async () => {
    for (const a of ['--help', '-h', 'help']) {
      const io = capture();
      expect(await main([a], io)).toBe(0);
      expect(io.out.join('')).toMatch(/\nExamples:\n {2}lmtransfer reproduce --quick/);
    }
  });

  it('-v and --version print the version of package.json', async () => {
    const version = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    for (const a of ['-v', '--version']) {
      const io = capture();
      expect(await main([a], io)).toBe(0);
      expect(io.out.join('')).toBe(`lmtransfer ${version}\n`);
    }
  });

  it.each([
    [['reproduec'], "lmtransfer: reproduec: unknown command; did you mean 'reproduce'? (try 'lmtransfer --help')"],
    [['anchr', '--x'], "lmtransfer: anchr: unknown command; did you mean 'anchor'? (try 'lmtransfer --help')"],
    [['train'], "lmtransfer: train: unknown command (try 'lmtransfer --help')"],
    [['--verison'], "lmtransfer: --verison: unknown option; did you mean '--version'? (try 'lmtransfer --help')"],
  ])('unknown commands and options get a suggestion when one is close: %p', async (args, message) => {
    const io = capture();
    expect(await main(args, io)).toBe(2);
    expect(io.err.join('')).toBe(message + '\n');
  });

  it('counts are written with the right plural ("1 tensor", "1 step")', async () => {
    const d = mkdtempSync(join(tmpdir(), 'lmtransfer-plural-'));
    try {
      writeFileSync(join(d, 'm.safetensors'), writeSafetensors({ 'x.weight': { data: fromRows([[1, 2], [3, 4]]) } }));
      writeFileSync(join(d, 'H.npy'), writeNpy(fromRows([[1, 2], [3, 4], [5, 6]])));
      const io = capture();
      expect(await main(['anchor', '--embeddings', `${join(d, 'm.safetensors')}:nope`, '--hidden', join(d, 'H.npy')], io)).toBe(2);
      expect(io.err.join('')).toContain('it has 1 tensor, e.g. x.weight)');
      const p = capture();
      createProgressBar(p, 'E0', 1).finish();
      expect(p.err[0]).toBe('E0: started (1 step)\n');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a file-system error that escapes a command names the path and the reason in words', async () => {
    const io = capture();
    // `anchor merge` of a file that does not exist: whatever the anchor command checks first, the
    // message names the file and never stops at a bare "ENOENT".
    expect(await main(['anchor', 'merge', join(tmpdir(), 'lmtransfer-no-such-shard.json')], io)).toBe(2);
    const err = io.err.join('');
    expect(err).toContain('lmtransfer-no-such-shard.json');
    expect(err).not.toMatch(/: ENOENT\n$/);
  });
});
