import type { CliIO } from './io.js';
import { UsageError } from './io.js';

/** `lmtransfer reproduce`: placeholder until the experiments issue lands. */
export function reproduceCommand(_argv: readonly string[], _io: CliIO): Promise<number> {
  return Promise.reject(new UsageError('reproduce: not available yet'));
}
