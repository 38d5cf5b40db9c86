// Public exports of `lmtransfer/cli` (Node only: it reads files and writes to the process's
// streams): the `lmtransfer` command as a function, for scripts that run it in-process.
export { main, TOP_HELP } from './main.js';
export { UsageError } from './io.js';
export type { CliIO } from './io.js';
