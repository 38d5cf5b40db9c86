/**
 * The one split policy of the threaded operations that cut a block of work into one strip per
 * thread (products, row passes, log-partition strips): the calling thread takes the first strip,
 * a fraction `share` of the block, and the workers equal strips of the rest, every boundary on a
 * multiple of the operation's `quantum` (the kernels' tile side, a row, a row block) so that what
 * is computed for an element never depends on the split. `ShareBalancer` moves that fraction
 * between calls from measured times, for the pipelined operations whose calling thread also copies
 * blocks in and out.
 *
 * @internal
 */

/**
 * Strip boundaries `[0, c1, …, len]` of a block of `len` for `threads` threads: the calling
 * thread's strip `[0, c1)` is `share·len` rounded to whole quanta (at least one, at most `len`),
 * the workers' strips are equal whole quanta of the rest (the last one takes what remains). With
 * one thread: `[0, len]`.
 *
 * @example
 * ```ts
 * splitCuts(100, 3, 1 / 3, 8); // [0, 32, 72, 100]
 * splitCuts(10, 2, 0.5, 1);    // [0, 5, 10]
 * ```
 */
export function splitCuts(len: number, threads: number, share: number, quantum: number): number[] {
  const cuts = [0];
  if (threads > 1) {
    const first = Math.min(len, Math.max(quantum, Math.round((len * share) / quantum) * quantum));
    cuts.push(first);
    const size = Math.ceil((len - first) / (threads - 1) / quantum) * quantum;
    for (let x = first + size; x < len; x += size) cuts.push(x);
  }
  if (cuts[cuts.length - 1] !== len) cuts.push(len);
  return cuts;
}

/**
 * The calling thread's share of a pipelined operation, rebalanced after every block so that its
 * strip plus its copies take as long as a worker's strip. With `Wm` the whole block's time at the
 * calling thread's speed (from its strip) and `Ww` at the slowest worker's (from the time the
 * workers report for their strips; inferring it from how long the calling thread waited saw
 * nothing when a worker finished first, and the split then swung between idling one side and the
 * other), solve `share·Wm + copy = (1 − share)·Ww/(threads − 1)`, within [0.05, 0.95].
 *
 * @example
 * ```ts
 * const b = new ShareBalancer(2);
 * b.share;                       // 0.5
 * b.update(0.5, 10, 2, [10]);    // both strips took 10 ms, plus 2 ms of copies here
 * b.share;                       // 0.45
 * ```
 */
export class ShareBalancer {
  /** The calling thread's fraction for the next block. */
  share: number;

  constructor(private readonly threads: number) {
    this.share = 1 / threads;
  }

  /**
   * Record a block: the share it actually ran with (after rounding to quanta), the calling
   * thread's strip time and copy time (ms), and the workers' own strip times (ms).
   */
  update(mainShare: number, mainMs: number, copyMs: number, workerMs: number[]): void {
    const nt = this.threads;
    if (nt < 2 || !(mainMs > 0) || workerMs.length !== nt - 1) return;
    const Wm = mainMs / Math.max(mainShare, 1e-3);
    const r = 1 / (nt - 1);
    const workerShare = (1 - mainShare) * r;
    const busy = Math.max(...workerMs);
    const Ww = busy > 0 && workerShare > 0 ? busy / workerShare : Wm;
    this.share = Math.min(0.95, Math.max(0.05, (r * Ww - copyMs) / (Wm + r * Ww)));
  }
}
