/**
 * Progress reporting for long commands. On a terminal a bar is redrawn in place on stderr with the
 * elapsed time and an ETA; otherwise (a pipe, a CI log) plain lines are printed every tenth of the
 * work, so that logs stay readable and short.
 */
import { countOf } from './flags.js';
import type { CliIO } from './io.js';

/** One task's progress. */
export interface ProgressBar {
  /** Report that `done` of `total` units are finished; `detail` is a short status (for example the current ε). */
  update(done: number, detail?: string): void;
  /** Finish the bar with a closing line. */
  finish(summary?: string): void;
}

/** Options of {@link createProgressBar}; `now` is injectable so that tests control the clock. */
export interface ProgressOptions {
  /** Milliseconds clock (default `performance.now()`). */
  readonly now?: () => number;
  /** Widest bar in characters on a TTY (default 24); narrower when the terminal is narrow. */
  readonly width?: number;
  /** Least milliseconds between two redraws on a TTY (default 100): redrawing faster only costs time. */
  readonly minIntervalMs?: number;
  /**
   * The label of the redraws on a TTY, when `label` is too long to leave room for the bar (the
   * closing line and the plain lines of a log keep the full label, which says what was done).
   */
  readonly shortLabel?: string;
}

/**
 * A duration for people: `0.4s`, `12.3s`, `2m05s`, `1h02m`.
 *
 * @example
 * ```ts
 * formatDuration(125); // → '2m05s'
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Characters a string takes on a terminal, counting each code point as one column (the bar's own glyphs are single-width). */
function visibleLength(s: string): number {
  return [...s].length;
}

/** `s` cut to `n` columns, with an ellipsis when something was cut. */
function clip(s: string, n: number): string {
  const cps = [...s];
  if (cps.length <= n) return s;
  return n <= 0 ? '' : cps.slice(0, n - 1).join('') + '…';
}

/**
 * One redraw of the bar in at most `columns − 1` characters (the last column is left free: writing
 * into it makes many terminals wrap, and the next `\r` would then leave the first half behind).
 * Parts are dropped in this order when they do not fit: the detail, the count, the ETA wording, the
 * bar itself; the label is cut last.
 *
 * @example
 * ```ts
 * formatBarLine(80, 'E2', 0.5, 4, 8, { elapsed: '2.0s', eta: '2.0s' }, 'step 4');
 * // → 'E2 ████████████░░░░░░░░░░░░  50% 4/8  2.0s elapsed, ETA 2.0s  step 4'
 * // 30 columns leave no room for a bar of at least 10:
 * formatBarLine(30, 'E2', 0.5, 4, 8, { elapsed: '2.0s', eta: '2.0s' }, 'step 4'); // → 'E2  50% 2.0s ETA 2.0s'
 * ```
 */
export function formatBarLine(columns: number, label: string, frac: number, done: number, total: number, timing: { elapsed: string; eta: string }, detail: string | undefined, maxBar = 24): string {
  const room = Math.max(10, columns - 1);
  const pct = `${Math.floor(frac * 100)}`.padStart(3) + '%';
  const count = ` ${done}/${total}`;
  const longTime = `  ${timing.elapsed} elapsed, ETA ${timing.eta}`;
  const shortTime = ` ${timing.elapsed} ETA ${timing.eta}`;
  const tail = detail ? `  ${detail}` : '';
  // Widest first; the first layout that fits with a bar of at least 10 is drawn. A long detail is
  // cut rather than dropped while at least 8 of its characters fit.
  const layouts: [string, string][] = [
    [` ${pct}${count}${longTime}`, tail],
    [` ${pct}${count}${longTime}`, ''],
    [` ${pct}${count}${shortTime}`, ''],
    [` ${pct}${shortTime}`, ''],
  ];
  const glyphs = (w: number): string => {
    const filled = Math.round(frac * w);
    return '█'.repeat(filled) + '░'.repeat(w - filled);
  };
  for (const [mid, end] of layouts) {
    const fixed = visibleLength(label) + 1 + visibleLength(mid);
    const w = Math.min(maxBar, room - fixed - visibleLength(end));
    if (w >= 10) return `${label} ${glyphs(w)}${mid}${end}`;
    if (end && room - fixed - 10 >= 8) return `${label} ${glyphs(10)}${mid}${clip(end, room - fixed - 10)}`;
  }
  // A very narrow terminal: no bar, and the label cut to what is left.
  const mid = ` ${pct}${shortTime}`;
  return clip(clip(label, room - visibleLength(mid)) + mid, room);
}

/**
 * Start a progress bar for `total` units of work labelled `label`, written to `io.stderr`. On a
 * terminal the bar fits `io.columns` (80 when unknown) and redraws in place; otherwise plain lines.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const io = { stdout: () => undefined, stderr: (t: string) => void lines.push(t), isTTY: false };
 * const bar = createProgressBar(io, 'E2 training', 400);
 * for (let step = 1; step <= 400; step++) bar.update(step, `step ${step}`);
 * bar.finish();
 * lines.length; // → 12
 * ```
 */
export function createProgressBar(io: CliIO, label: string, total: number, opts: ProgressOptions = {}): ProgressBar {
  const now = opts.now ?? (() => performance.now());
  const width = opts.width ?? 24;
  const minInterval = opts.minIntervalMs ?? 100;
  const barLabel = opts.shortLabel ?? label;
  const t0 = now();
  const safeTotal = Math.max(1, total);
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let finished = false;
  let lastDone = 0;
  const columns = (): number => {
    const c = io.columns;
    return c !== undefined && Number.isFinite(c) && c > 0 ? c : 80;
  };

  const timing = (done: number): { elapsed: string; eta: string } => {
    const elapsed = (now() - t0) / 1000;
    const eta = done > 0 && done < safeTotal ? (elapsed * (safeTotal - done)) / done : done >= safeTotal ? 0 : NaN;
    return { elapsed: formatDuration(elapsed), eta: Number.isNaN(eta) ? '?' : formatDuration(eta) };
  };

  if (!io.isTTY) io.stderr(`${label}: started (${countOf(total, 'step')})\n`);

  return {
    update(done: number, detail?: string): void {
      if (finished) return;
      lastDone = done;
      const frac = Math.min(1, Math.max(0, done / safeTotal));
      if (io.isTTY) {
        const t = now();
        if (t - lastDraw < minInterval && done < safeTotal) return;
        lastDraw = t;
        // \r and "erase line" redraw in place; the bar never ends a line until finish(), and never
        // reaches the last column, so the terminal never wraps it.
        io.stderr(`\r\x1b[2K${formatBarLine(columns(), barLabel, frac, done, total, timing(done), detail, width)}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile <= lastDecile || decile === 0) return;
        lastDecile = decile;
        const t = timing(done);
        io.stderr(`${label}: ${Math.floor(frac * 100)}% (${done}/${total}) ${t.elapsed} elapsed, ETA ${t.eta}${detail ? `  ${detail}` : ''}\n`);
      }
    },
    finish(summary?: string): void {
      if (finished) return;
      finished = true;
      const elapsed = formatDuration((now() - t0) / 1000);
      const tail = summary ? `: ${summary}` : '';
      if (io.isTTY) {
        // Within the width, keeping "done in …" visible: the summary is cut first, then the label.
        const room = Math.max(10, columns() - 1);
        const done = ` done in ${elapsed}`;
        const head = visibleLength(label) + visibleLength(done) <= room ? label + done : clip(clip(label, room - visibleLength(done)) + done, room);
        io.stderr(`\r\x1b[2K${head}${clip(tail, room - visibleLength(head))}\n`);
      }
      else io.stderr(`${label}: done in ${elapsed} (${lastDone}/${total})${tail}\n`);
    },
  };
}
