import { LmTransferError } from '../errors/errors.js';

/** Where a command writes. Tests pass a capturing implementation; the real one writes to the process streams. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal: progress bars redraw in place on a TTY and print plain lines otherwise. */
  readonly isTTY: boolean;
}

/** Bad command-line usage: an unknown flag, a missing value, a malformed number. Exit code 2. */
export class UsageError extends LmTransferError {}

/** The process's own streams. */
export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
  };
}
