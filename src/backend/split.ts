/**
 * The one split policy of the threaded operations. The calling thread always takes part, and how
 * much it takes is what balances the threads; the policy has two forms, by where the calling
 * thread reads its share from:
 *
 * - **Strips of a staged block** (`splitCuts`, `ShareBalancer`), for the operations whose every
 *   thread computes on blocks staged in the shared heap (the WebAssembly GEMM, rows and
 *   log-partition, the threaded TypeScript log-partition, and the TypeScript GEMM when its queues
 *   do not fit): the calling thread takes the first strip, a fraction `share` of the block, and the
 *   workers equal strips of the rest, every boundary on a multiple of the operation's `quantum`
 *   (the kernels' tile side, a row, a row block) so that what is computed for an element never
 *   depends on the split. `ShareBalancer` moves that fraction between blocks from measured times,
 *   for the pipelined operations whose calling thread also copies blocks in and out.
 * - **A two-ended queue** (`TwoEndedSplit`), for the threaded TypeScript GEMM and row pass
 *   (src/backend/jsGemm.ts, src/backend/jsRows.ts), whose calling thread computes its share in
 *   place from the user's buffers (no copies) and stages blocks only for the workers. A strip per
 *   staged block cannot serve them: the calling thread's share is never staged, so there is no
 *   common block to cut, and a share fixed per block from the previous block's times left both
 *   threads busy only 1.80–1.89 of 2 on this machine (process CPU time over wall time) where the
 *   queue keeps them busy to the end. The work is a range of units; the workers take blocks from
 *   its front as they finish, the calling thread takes chunks from its back, and a worker is handed
 *   another block only while its queue with that block would still be shorter than all that is
 *   left, so that the threads finish within a block of each other. This rebalances by itself, without
 *   timing: a slow or busy worker simply takes fewer blocks.
 *
 * Either way a unit of work (an element of C, a row, a row block) is computed by the same kernel
 * call whichever thread runs it, so results are bitwise those of one thread.
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

/**
 * The two-ended queue of the split policy (see the module comment) over the units `[0, len)`: the
 * `workers` workers take blocks from the front (`takeFront`) and report them done (`finished`),
 * the calling thread takes chunks from the back (`takeBack`). A worker gets another block only
 * while its outstanding units with that block stay fewer than the units left before it: then the
 * later of the two ends (the calling thread doing what is left alone, the worker draining its
 * queue; the workers drain theirs in parallel) comes sooner with the block handed than without.
 * Once blocks are refused the calling thread has at most a block more to do than that worker, and
 * the last unit always stays with the calling thread.
 *
 * @example
 * ```ts
 * const q = new TwoEndedSplit(10, 1);
 * q.takeFront(0, 4);  // 0: the worker's first block is units [0, 4) (4 queued < 10 left)
 * q.takeFront(0, 3);  // -1: 7 queued would not be fewer than the 6 left
 * q.takeBack(2);      // 2: the calling thread's chunk is units [q.bottom, q.bottom + 2) = [8, 10)
 * q.finished(0, 4);
 * q.takeFront(0, 3);  // 4: [4, 7), leaving [7, 8) for the calling thread
 * ```
 */
export class TwoEndedSplit {
  /** The first unit not yet taken; the workers take from here. */
  top = 0;
  /** One past the last unit not yet taken; the calling thread takes below here. */
  bottom: number;
  private readonly outstanding: number[];

  constructor(len: number, workers: number) {
    this.bottom = len;
    this.outstanding = new Array<number>(workers).fill(0);
  }

  /** Units not yet taken by any thread. */
  get left(): number {
    return this.bottom - this.top;
  }

  /**
   * Hand worker `w` the next `size` units from the front when the policy allows it: returns the
   * block's first unit (the block is `[start, start + size)`), or −1 when it is not handed.
   */
  takeFront(w: number, size: number): number {
    const queued = this.outstanding[w] + size;
    if (size <= 0 || queued >= this.left) return -1;
    const start = this.top;
    this.top += size;
    this.outstanding[w] = queued;
    return start;
  }

  /** Worker `w` finished a block of `size` units. */
  finished(w: number, size: number): void {
    this.outstanding[w] -= size;
  }

  /**
   * The calling thread's next chunk of up to `size` units from the back: returns how many it took
   * (0 when nothing is left); the chunk is `[bottom, bottom + taken)` after the call.
   */
  takeBack(size: number): number {
    const taken = Math.max(0, Math.min(size, this.left));
    this.bottom -= taken;
    return taken;
  }
}
