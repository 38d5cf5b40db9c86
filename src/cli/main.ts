/**
 * The `lmtransfer` command: dispatches to its subcommands. Every failure the user can fix (bad
 * usage, a missing or corrupt file, mismatched dimensions) exits 2 with a one-line reason on stderr,
 * always `lmtransfer <command>: <flag or function>: <reason>`; anything else is a bug and exits 1
 * with the stack.
 */
import pkg from 'lmtransfer/package.json' with { type: 'json' };
import { LmTransferError } from '../core/errors.js';
import { didYouMean } from './flags.js';
import { type CliIO, processIO } from './io.js';

/**
 * The package version, read from the package's own package.json (never written twice).
 *
 * @example
 * ```ts
 * /^\d+\.\d+\.\d+/.test(VERSION); // → true
 * ```
 */
export const VERSION: string = pkg.version;

const COMMANDS = ['reproduce', 'anchor', 'help'] as const;

export const TOP_HELP = `lmtransfer: pre-training loss, anchor vectors and downstream transfer

Usage:
  lmtransfer reproduce [options]    run the paper's experiments, write a report
  lmtransfer anchor [options]       fit an anchor vector on your model's V and H
  lmtransfer anchor merge FILE...   merge shard results computed elsewhere
  lmtransfer <command> --help       flags of one command
  lmtransfer --help | --version

Examples:
  lmtransfer reproduce --quick --out results
  lmtransfer anchor --embeddings V.npy --hidden H.npy --exclude-top 0,10,100
  lmtransfer anchor --help

Exit codes: 0 success, 2 bad usage or bad input (with a one-line reason), 1
internal error.
`;

/** What the file-system error codes a user can cause mean, in words. */
const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

/**
 * Run the command line `argv` (without the node and script names) and return the exit code.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const io = { stdout: (t: string) => void out.push(t), stderr: () => undefined, isTTY: false };
 * await main(['--version'], io); // → 0
 * out.join('').startsWith('lmtransfer '); // → true
 * ```
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        // No command is a usage error: the usage goes to stderr, where errors go, and the exit code says so.
        io.stderr(TOP_HELP);
        return 2;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(TOP_HELP);
        return 0;
      case '--version':
      case '-v':
      case '-V':
        io.stdout(`lmtransfer ${VERSION}\n`);
        return 0;
      case 'anchor': {
        const { anchorCommand } = await import('./anchorCommand.js');
        return await anchorCommand(rest, io);
      }
      case 'reproduce': {
        const { reproduceCommand } = await import('./reproduceCommand.js');
        return await reproduceCommand(rest, io);
      }
      default: {
        const guess = didYouMean(command, command.startsWith('-') ? ['--help', '--version'] : COMMANDS);
        const what = command.startsWith('-') ? 'unknown option' : 'unknown command';
        io.stderr(`lmtransfer: ${command}: ${what}${guess ? `; did you mean '${guess}'?` : ''} (try 'lmtransfer --help')\n`);
        return 2;
      }
    }
  } catch (e) {
    if (e instanceof LmTransferError) {
      io.stderr(`lmtransfer ${command}: ${e.message.split('\n')[0]}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && ERRNO[err.code] !== undefined) {
      // A file-system error that escaped a command's own checks: say which path and what went wrong.
      const verb = err.syscall === 'mkdir' ? 'cannot create' : err.syscall === 'scandir' ? 'cannot list' : 'cannot open';
      io.stderr(`lmtransfer ${command}: ${verb} '${err.path ?? '?'}': ${ERRNO[err.code]} (${err.code})\n`);
      return 2;
    }
    io.stderr(`lmtransfer ${command}: internal error: ${err?.stack ?? String(e)}\n`);
    return 1;
  }
}
