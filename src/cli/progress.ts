/**
 * Progress reporting for long commands. On a terminal a bar is redrawn in place on stderr with the
 * elapsed time and an ETA; otherwise (a pipe, a CI log) plain lines are printed every tenth of the
 * work, so that logs stay readable and short.
 */
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
  /** Width of the bar in characters on a TTY (default 24). */
  readonly width?: number;
  /** Least milliseconds between two redraws on a TTY (default 100): redrawing faster only costs time. */
  readonly minIntervalMs?: number;
}

/**
 * A duration for people: `0.4s`, `12.3s`, `2m05s`, `1h02m`.
 *
 * @example
 * ```ts
 * formatDuration(125); // '2m05s'
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Start a progress bar for `total` units of work labelled `label`, written to `io.stderr`.
 *
 * @example
 * ```ts
 * const bar = createProgressBar(processIO(), 'E2 training', 400);
 * for (let step = 1; step <= 400; step++) bar.update(step, `ε=${eps.toExponential(2)}`);
 * bar.finish();
 * ```
 */
export function createProgressBar(io: CliIO, label: string, total: number, opts: ProgressOptions = {}): ProgressBar {
  const now = opts.now ?? (() => performance.now());
  const width = opts.width ?? 24;
  const minInterval = opts.minIntervalMs ?? 100;
  const t0 = now();
  const safeTotal = Math.max(1, total);
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let finished = false;
  let lastDone = 0;

  const timing = (done: number): string => {
    const elapsed = (now() - t0) / 1000;
    const eta = done > 0 && done < safeTotal ? (elapsed * (safeTotal - done)) / done : done >= safeTotal ? 0 : NaN;
    return `${formatDuration(elapsed)} elapsed, ETA ${Number.isNaN(eta) ? '?' : formatDuration(eta)}`;
  };

  if (!io.isTTY) io.stderr(`${label}: started (${total} steps)\n`);

  return {
    update(done: number, detail?: string): void {
      if (finished) return;
      lastDone = done;
      const frac = Math.min(1, Math.max(0, done / safeTotal));
      const pct = `${Math.floor(frac * 100)}`.padStart(3);
      const tail = detail ? `  ${detail}` : '';
      if (io.isTTY) {
        const t = now();
        if (t - lastDraw < minInterval && done < safeTotal) return;
        lastDraw = t;
        const filled = Math.round(frac * width);
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        // \r and "erase line" redraw in place; the bar never ends a line until finish().
        io.stderr(`\r\x1b[2K${label} ${bar} ${pct}% ${done}/${total}  ${timing(done)}${tail}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile <= lastDecile || decile === 0) return;
        lastDecile = decile;
        io.stderr(`${label}: ${pct.trim()}% (${done}/${total}) ${timing(done)}${tail}\n`);
      }
    },
    finish(summary?: string): void {
      if (finished) return;
      finished = true;
      const elapsed = formatDuration((now() - t0) / 1000);
      const tail = summary ? `: ${summary}` : '';
      if (io.isTTY) io.stderr(`\r\x1b[2K${label} done in ${elapsed}${tail}\n`);
      else io.stderr(`${label}: done in ${elapsed} (${lastDone}/${total})${tail}\n`);
    },
  };
}
