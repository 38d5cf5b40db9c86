import type { CliIO } from './io.js';
import { UsageError } from './io.js';

/** `lmtransfer anchor`: placeholder until the anchor issue lands. */
export function anchorCommand(_argv: readonly string[], _io: CliIO): Promise<number> {
  return Promise.reject(new UsageError('anchor: not available yet'));
}
