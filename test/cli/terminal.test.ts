/**
 * The CLI in a real terminal: progress is drawn through a pseudo-terminal (`script`) set to 80 (and
 * 40) columns, and the byte stream is replayed on a small terminal emulator that applies what a
 * terminal applies (`\r`, `\n`, `\x1b[2K`, `\x1b[K`, automatic wrap at the last column). The screen
 * must then hold no line longer than the terminal, no wrapped redraw, and no stale bar: only the
 * closing lines and the summary.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CliIO } from '../../src/cli/io.js';
import { createProgressBar, formatBarLine } from '../../src/cli/progress.js';

const ROOT = join(__dirname, '..', '..');

/** A minimal VT100 screen: enough of a terminal to see wraps and stale lines. */
export class Screen {
  readonly rows: string[][] = [[]];
  wraps = 0;
  readonly unknown: string[] = [];
  private r = 0;
  private c = 0;
  private pendingWrap = false;
  constructor(readonly width: number) {}

  private row(): string[] {
    while (this.rows.length <= this.r) this.rows.push([]);
    return this.rows[this.r];
  }

  write(text: string): this {
    const cps = [...text];
    for (let i = 0; i < cps.length; i++) {
      const ch = cps[i];
      if (ch === '\r') [this.c, this.pendingWrap] = [0, false];
      else if (ch === '\n') [this.r, this.pendingWrap] = [this.r + 1, false];
      else if (ch === '\b') this.c = Math.max(0, this.c - 1);
      else if (ch === '\x1b' && cps[i + 1] === '[') {
        let j = i + 2;
        let params = '';
        while (j < cps.length && /[0-9;?]/.test(cps[j])) params += cps[j++];
        const cmd = cps[j];
        i = j;
        const row = this.row();
        if (cmd === 'K') {
          if (params === '' || params === '0') row.length = Math.min(row.length, this.c);
          else if (params === '1') for (let k = 0; k <= this.c && k < row.length; k++) row[k] = ' ';
          else if (params === '2') row.length = 0;
        } else if (cmd !== 'm') this.unknown.push(`ESC[${params}${cmd}`);
      } else if (ch >= ' ') {
        if (this.pendingWrap) {
          [this.r, this.c, this.pendingWrap] = [this.r + 1, 0, false];
          this.wraps++;
        }
        const row = this.row();
        while (row.length < this.c) row.push(' ');
        row[this.c] = ch;
        if (this.c === this.width - 1) this.pendingWrap = true;
        else this.c++;
      }
    }
    return this;
  }

  lines(): string[] {
    const out = this.rows.map((r) => r.join('').trimEnd());
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }
}

/** Run a TypeScript program in a pseudo-terminal of `cols` columns and return what the terminal received. */
function inTerminal(program: string, cols: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-tty-'));
  try {
    const file = join(dir, 'child.mts');
    writeFileSync(file, program);
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    const cmd = `stty cols ${cols} rows 50; exec '${process.execPath}' --import '${pathToFileURL(tsx).href}' '${file}'`;
    try {
      return execFileSync('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COLUMNS: String(cols), TERM: 'xterm' }, timeout: 90000 });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${err.message}\n--- terminal output ---\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const src = (p: string): string => pathToFileURL(join(ROOT, p)).href;

describe('the CLI in a terminal', () => {
  it('the emulator wraps at the last column and applies \\r and erase-line (its own check)', () => {
    const s = new Screen(10).write('0123456789A\rB\x1b[K\n');
    expect(s.wraps).toBe(1);
    expect(s.lines()).toEqual(['0123456789', 'B']);
    expect(new Screen(10).write('abc\r\x1b[2Kxy').lines()).toEqual(['xy']);
    // The old bar (no width limit) at 80 columns: wraps, and the next redraw leaves a stale line.
    const old = (i: number): string => `\r\x1b[2KE2 transfer curve ${'█'.repeat(12)}${'░'.repeat(12)}  50% ${i}/816  12.3s elapsed, ETA 12.3s  step 400, batch ε 1.52e-3`;
    const stale = new Screen(80).write(old(1) + old(2) + '\r\x1b[2KE2 done\n');
    expect(stale.wraps).toBeGreaterThan(0);
    expect(stale.lines().length).toBeGreaterThan(1);
  });

  it('every bar layout fits: no redraw reaches the last column, from 12 to 200 columns', () => {
    const timing = { elapsed: '1h02m', eta: '59m59s' };
    for (let cols = 12; cols <= 200; cols++) {
      for (const label of ['E1', 'E2 transfer curve', 'anchor: log Z without each context\'s own top k (k = 10, 100, 1000) over 65536 contexts']) {
        for (const detail of [undefined, 'ε=1.52e-3', 'learner after pre-training, k=500, a detail that goes on and on and on']) {
          const line = formatBarLine(cols, label, 0.5, 123456, 246912, timing, detail);
          expect([...line].length).toBeLessThanOrEqual(Math.max(10, cols - 1) + 0);
        }
      }
    }
    // Unknown width (io.columns undefined): 80 is assumed.
    const seen: string[] = [];
    const io: CliIO = { stdout: () => undefined, stderr: (t) => void seen.push(t), isTTY: true };
    const bar = createProgressBar(io, 'E2 transfer curve', 816, { minIntervalMs: 0 });
    bar.update(400, 'a detail long enough to overflow eighty columns when it is drawn in full, surely');
    bar.finish('a summary long enough to overflow eighty columns when it is drawn in full, surely');
    for (const t of seen) for (const l of t.split('\r\x1b[2K').join('').split('\n')) expect([...l].length).toBeLessThanOrEqual(79);
  });

  it.each([80, 40])('reproduce draws its progress in a %i-column pseudo-terminal without wraps or stale lines', (cols) => {
    const program = `
      import { createProgressBar } from '${src('src/cli/progress.ts')}';
      import { processIO } from '${src('src/cli/io.ts')}';
      import { reproduceCommand } from '${src('src/cli/reproduceCommand.ts')}';
      import { tinyPreset } from '${src('test/experiments/fixtures.ts')}';
      import { mkdtempSync, rmSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      // Progress only: the summary on stdout is ordinary output that a terminal may wrap.
      const base = processIO();
      const io = { stdout: () => undefined, stderr: base.stderr, isTTY: base.isTTY, get columns() { return base.columns; } };
      if (!io.isTTY || io.columns !== ${cols}) throw new Error('not a ${cols}-column terminal: ' + io.isTTY + ' ' + io.columns);
      // A synthetic bar first: a long label, long details, a redraw on every update.
      const bar = createProgressBar(io, 'anchor: log Z without each context own top k (k = 10, 100) over 4096 contexts', 300, { minIntervalMs: 0 });
      for (let i = 1; i <= 300; i++) bar.update(i, 'batch ε ' + (1 / i).toExponential(3) + ', learner after pre-training, k=' + i);
      bar.finish('fitted 3 anchors on 4096 contexts with a summary that is longer than the terminal is wide');
      const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-tty-out-'));
      const code = await reproduceCommand(['--out', dir, '--seed', '5'], io, { preset: tinyPreset('5') });
      rmSync(dir, { recursive: true, force: true });
      process.exitCode = code;
    `;
    const raw = inTerminal(program, cols);
    const screen = new Screen(cols).write(raw);
    const lines = screen.lines();
    expect(screen.unknown).toEqual([]);
    expect(screen.wraps).toBe(0);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(cols);
    // No stale bar: every line left on the screen is a closing line or the summary.
    expect(lines.filter((l) => /[█░]/.test(l))).toEqual([]);
    expect(lines.filter((l) => / done in /.test(l))).toHaveLength(4);
    expect(raw).toContain('\x1b[2K');
    expect(lines[0]).toMatch(/^anchor: log Z.* done in /);
    expect(lines.slice(1).map((l) => l.split(' done in ')[0])).toEqual(['E1 anchor sweep', 'E2 transfer curve', 'E3 rare-word sweep']);
  }, 120000);

  it.each([80, 40])('anchor draws its phases, their ETA and the total in a %i-column pseudo-terminal without wraps or stale lines', (cols) => {
    const program = `
      import { processIO } from '${src('src/cli/io.ts')}';
      import { anchorCommand } from '${src('src/cli/anchorCommand.ts')}';
      import { writeNpy } from '${src('src/io/writeNpy.ts')}';
      import { createRng } from '${src('src/random/createRng.ts')}';
      import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const base = processIO();
      // Progress only: the table on stdout is ordinary output that a terminal may wrap.
      const io = { stdout: () => undefined, stderr: base.stderr, isTTY: base.isTTY, get columns() { return base.columns; } };
      if (!io.isTTY || io.columns !== ${cols}) throw new Error('not a ${cols}-column terminal: ' + io.isTTY + ' ' + io.columns);
      const rng = createRng('tty-anchor');
      const mat = (r, c) => { const a = new Float64Array(r * c); for (let i = 0; i < a.length; i++) a[i] = rng.normal(); return a; };
      const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-tty-anchor-'));
      writeFileSync(join(dir, 'V.npy'), writeNpy(mat(300, 8), [300, 8]));
      writeFileSync(join(dir, 'H.npy'), writeNpy(mat(4000, 8), [4000, 8]));
      // Small chunks and no redraw limit: many redraws per phase, each one a chance to wrap.
      const args = ['--embeddings', join(dir, 'V.npy'), '--hidden', join(dir, 'H.npy'), '--exclude-top', '0,1,10', '--exclude-top-per-context', '2', '--holdout', '0.25'];
      const code = await anchorCommand(args, io, { progressWork: 0, chunkRows: 64, progressIntervalMs: 0 });
      rmSync(dir, { recursive: true, force: true });
      process.exitCode = code;
    `;
    const raw = inTerminal(program, cols);
    const screen = new Screen(cols).write(raw);
    const lines = screen.lines();
    expect(screen.unknown).toEqual([]);
    expect(screen.wraps).toBe(0);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(cols);
    // No stale bar: the screen holds one closing line per phase, then the total.
    expect(lines.filter((l) => /[█░]/.test(l))).toEqual([]);
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).every((l) => / done in \d/.test(l) && l.startsWith('anchor: '))).toBe(true);
    expect(lines[4]).toMatch(/^anchor: total \d+\.\d+s$/);
    // Every phase was drawn (its label, as far as it fits), several times, each redraw with an ETA.
    const redraws = raw.split('\r\x1b[2K').slice(1).map((t) => t.split(/\r?\n/)[0]).filter((t) => /[█░%]/.test(t));
    const phases: [string, string][] = [
      ['anchor: ranking words ', 'anchor: ranking words by mean probability over 3000 training contexts'],
      ['anchor: log Z_B, 4 bulks ', 'anchor: log Z_B for 4 bulks over 4000 contexts'],
      ['anchor: fitting 4 bulks ', 'anchor: fitting 4 bulks (d = 8; statistics of 3000 training contexts)'],
      ['anchor: scoring 4 bulks ', 'anchor: scoring 4 bulks on 4000 contexts'],
    ];
    phases.forEach(([short, full], i) => {
      // At 40 columns the label is cut (with an ellipsis) before the percentage and the ETA are.
      const head = cols >= 80 ? short : short.slice(0, 12);
      const mine = redraws.filter((t) => t.startsWith(head));
      expect({ phase: short, enough: mine.length >= 2 }).toEqual({ phase: short, enough: true });
      for (const t of mine) expect(t).toMatch(/ \d+% .*ETA (\d|\?)/);
      // At 80 columns the short label leaves room for the bar and the count on every redraw.
      if (cols >= 80) for (const t of mine) expect(t).toMatch(/^anchor: [^█░]* [█░]{10,} +\d+% \d+\/\d+ /);
      // The closing line keeps the full label, as much of it as fits beside "done in".
      const done = lines[i].split(' done in ')[0].replace(/…$/, '');
      expect(full.startsWith(done) && done.length >= Math.min(full.length, cols - 16)).toBe(true);
    });
    for (const t of redraws) expect([...t].length).toBeLessThanOrEqual(cols - 1);
  }, 120000);
});
