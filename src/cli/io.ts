import { LmTransferError } from '../core/errors.js';

/** Where a command writes. Tests pass a capturing implementation; the real one writes to the process streams. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal: progress bars redraw in place on a TTY and print plain lines otherwise. */
  readonly isTTY: boolean;
  /** Width of the terminal stderr writes to, when known (a progress bar fits it; 80 is assumed otherwise). */
  readonly columns?: number;
}

/** Bad command-line usage: an unknown flag, a missing value, a malformed number. Exit code 2. */
export class UsageError extends LmTransferError {}

let pipeGuardInstalled = false;

/**
 * The process's own streams. A closed pipe on stdout (`lmtransfer anchor … | head`) ends the
 * process quietly, as Unix tools do, instead of crashing with an unhandled EPIPE.
 */
export function processIO(): CliIO {
  if (!pipeGuardInstalled) {
    pipeGuardInstalled = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    // A getter: the terminal may be resized while a long command runs.
    get columns(): number | undefined {
      return process.stderr.isTTY ? process.stderr.columns : undefined;
    },
  };
}
