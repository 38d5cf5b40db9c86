import { NumericalError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';

/**
 * The error for a context whose logits `V·h` overflow, naming the public function (or CLI flag)
 * `fn` that was called and the context's row in the whole of `H`.
 *
 * @example
 * ```ts
 * throw logitOverflow('fitAnchor', 3, V, H);
 * ```
 * @internal
 */
export function logitOverflow(fn: string, row: number, V: Matrix, H: Matrix): NumericalError {
  const prec = V.data instanceof Float32Array && H.data instanceof Float32Array ? 'float32' : 'float64';
  return new NumericalError(`${fn}: the logits V·h for row ${row} of 'H' must be finite; got an overflow beyond the ${prec} range: scale V or H down`);
}
