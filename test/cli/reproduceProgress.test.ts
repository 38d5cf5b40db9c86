import type { CliIO } from '../../src/cli/io.js';
import { createProgressBar, formatDuration } from '../../src/cli/progress.js';

function capture(isTTY: boolean): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, isTTY, stdout: () => undefined, stderr: (t) => err.push(t) };
}

/** A clock the test advances by hand, in milliseconds. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('progress bars', () => {
  it('formats durations for people', () => {
    expect(formatDuration(0.42)).toBe('0.4s');
    expect(formatDuration(59.94)).toBe('59.9s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(NaN)).toBe('?');
  });

  it('on a TTY redraws one line in place with elapsed time and ETA, throttled', () => {
    const io = capture(true);
    const c = clock();
    const bar = createProgressBar(io, 'E2', 10, { now: c.now, width: 10, minIntervalMs: 100 });
    c.advance(2000);
    bar.update(2, 'ε 0.5');
    c.advance(50);
    bar.update(3); // within 100 ms of the last draw: skipped
    c.advance(2000);
    bar.update(5);
    bar.finish('ok');
    expect(io.err).toHaveLength(3);
    // 2 of 10 after 2 s: 8 more at 1 s each is an ETA of 8 s.
    expect(io.err[0]).toBe('\r\x1b[2KE2 ██░░░░░░░░  20% 2/10  2.0s elapsed, ETA 8.0s  ε 0.5');
    expect(io.err[1]).toBe('\r\x1b[2KE2 █████░░░░░  50% 5/10  4.0s elapsed, ETA 4.0s');
    expect(io.err[2]).toBe('\r\x1b[2KE2 done in 4.0s: ok\n');
    expect(io.err.slice(0, 2).every((l) => !l.includes('\n'))).toBe(true);
  });

  it('off a TTY prints plain lines, one per tenth of the work', () => {
    const io = capture(false);
    const c = clock();
    const bar = createProgressBar(io, 'E1', 100, { now: c.now });
    for (let i = 1; i <= 100; i++) {
      c.advance(10);
      bar.update(i);
    }
    bar.finish();
    bar.finish(); // a second finish is ignored
    expect(io.err[0]).toBe('E1: started (100 steps)\n');
    expect(io.err).toHaveLength(1 + 10 + 1);
    expect(io.err[5]).toBe('E1: 50% (50/100) 0.5s elapsed, ETA 0.5s\n');
    expect(io.err[11]).toBe('E1: done in 1.0s (100/100)\n');
    expect(io.err.every((l) => !l.includes('\r') && l.endsWith('\n'))).toBe(true);
  });
});
