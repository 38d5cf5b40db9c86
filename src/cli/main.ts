/**
 * The `lmtransfer` command: dispatches to its subcommands. Every failure the user can fix (bad
 * usage, a missing or corrupt file, mismatched dimensions) exits 2 with a one-line reason on stderr;
 * anything else is a bug and exits 1 with the stack.
 */
import { LmTransferError } from '../errors/errors.js';
import { type CliIO, processIO } from './io.js';

export const TOP_HELP = `lmtransfer: pre-training loss, anchor vectors and downstream transfer

Usage:
  lmtransfer reproduce [--out DIR] [--quick] [--seed S]   run the paper's experiments, write a report
  lmtransfer anchor --embeddings V.npy --hidden H.npy ...  fit an anchor vector on your model's matrices
  lmtransfer anchor merge a.json b.json ...                merge shard results computed elsewhere
  lmtransfer <command> --help                              flags of one command
  lmtransfer --help | --version

Exit codes: 0 success, 2 bad usage or bad input (with a one-line reason), 1 internal error.
`;

/**
 * Run the command line `argv` (without the node and script names) and return the exit code.
 *
 * @example
 * ```ts
 * const code = await main(['--help']); // prints the usage, returns 0
 * ```
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(TOP_HELP);
        return 0;
      case '--version': {
        io.stdout('lmtransfer 0.1.0\n');
        return 0;
      }
      case 'anchor': {
        const { anchorCommand } = await import('./anchorCommand.js');
        return await anchorCommand(rest, io);
      }
      case 'reproduce': {
        const { reproduceCommand } = await import('./reproduceCommand.js');
        return await reproduceCommand(rest, io);
      }
      default:
        io.stderr(`lmtransfer: unknown command '${command}' (try 'lmtransfer --help')\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof LmTransferError) {
      io.stderr(`lmtransfer ${command}: ${e.message.split('\n')[0]}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && (err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'EACCES')) {
      io.stderr(`lmtransfer ${command}: cannot read '${err.path ?? '?'}': ${err.code}\n`);
      return 2;
    }
    io.stderr(`lmtransfer ${command}: internal error: ${err?.stack ?? String(e)}\n`);
    return 1;
  }
}
