import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { REPRODUCE_FILES, reproduceCommand } from '../../src/cli/reproduceCommand.js';
import type { ReproduceResults } from '../../src/experiments/results.js';
import { byClass, parseSvg, text } from '../figures/svgDom.js';
import { tinyPreset } from '../experiments/fixtures.js';

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

  it('--help prints the usage and exits 0', async () => {
    const io = capture();
    expect(await main(['reproduce', '--help'], io)).toBe(0);
    expect(io.out.join('')).toContain('lmtransfer reproduce [--out DIR] [--quick] [--seed S]');
  });

  it.each([
    [['--bogus'], "lmtransfer reproduce: Unknown option '--bogus'"],
    [['--out'], "lmtransfer reproduce: Option '--out <value>' argument missing"],
    [['extra'], "lmtransfer reproduce: Unexpected argument 'extra'"],
    [['--seed', ''], "lmtransfer reproduce: option '--seed' must be a non-empty string or number; got an empty string"],
    [['--out', ' '], "lmtransfer reproduce: option '--out' must be a directory path; got an empty string"],
  ])('exits 2 with a one-line reason on %p', async (args, reason) => {
    const io = capture();
    expect(await main(['reproduce', ...args], io)).toBe(2);
    const err = io.err.join('');
    expect(err.startsWith(reason)).toBe(true);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 2 when --out names a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const io = capture();
    expect(await main(['reproduce', '--out', file], io)).toBe(2);
    expect(io.err.join('')).toBe(`lmtransfer reproduce: option '--out' must be a directory; '${file}' is a file\n`);
  });
});
