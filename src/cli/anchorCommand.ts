/**
 * `lmtransfer anchor`: fit the anchor vector (docs/theory.md#3-the-anchor-vector) on a real model's
 * output embeddings `V` and final hidden states `H`, for a sweep of bulks (all words but the top
 * `k`), with the self-normalisation baseline beside it; or fit `log Z_B` computed elsewhere; or
 * split the work into shards and merge them (`lmtransfer anchor merge`). The pieces: help texts
 * (anchor/help.ts), flags (anchor/flags.ts), the run (anchor/run.ts), merge (anchor/merge.ts).
 */
import type { CliIO } from './io.js';
import { mergeCommand } from './anchor/merge.js';
import { type AnchorCommandOptions, anchorRun } from './anchor/run.js';

export { ANCHOR_HELP, ANCHOR_MERGE_HELP } from './anchor/help.js';
export { ANCHOR_MERGE_OPTIONS, ANCHOR_OPTIONS } from './anchor/flags.js';
export { ANCHOR_PROGRESS_WORK, type AnchorCommandOptions } from './anchor/run.js';

/**
 * Run `lmtransfer anchor` with the arguments after the command name; returns the exit code. Bad
 * usage and bad files throw `LmTransferError`s, which the dispatcher turns into exit code 2.
 *
 * @example
 * ```ts
 * await anchorCommand(['--embeddings', 'V.npy', '--hidden', 'H.npy', '--exclude-top', '0,10'], processIO());
 * ```
 */
export async function anchorCommand(argv: readonly string[], io: CliIO, opts: AnchorCommandOptions = {}): Promise<number> {
  if (argv[0] === 'merge') return mergeCommand(argv.slice(1), io);
  return anchorRun(argv, io, opts);
}
