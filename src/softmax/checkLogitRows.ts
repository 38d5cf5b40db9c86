/**
 * Entry check shared by the softmax functions: no NaN, no `+Infinity`, and every row has at least
 * one finite entry (a row of `−Infinity` has no distribution). `−Infinity` entries are allowed: they
 * are masked words with probability 0.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { describeValue, domainError } from '../core/check.js';

// Bound at module scope: under jest a per-element lookup of the global `Infinity` is as slow as
// one of `Math` (see softmaxKernel.ts).
const NEG_INF = -Infinity;

/**
 * Throw a `DomainError` naming `fn`, `name` and the first offending entry unless the `rows × cols`
 * row-major buffer `data` is free of NaN and `+Infinity` and every row has a finite entry.
 *
 * @example
 * ```ts
 * checkLogitRows('softmaxRows', 'z', Float64Array.of(0, -Infinity), 1, 2); // passes
 * checkLogitRows('softmaxRows', 'z', Float64Array.of(0, NaN), 1, 2);       // throws DomainError
 * ```
 */
export function checkLogitRows(fn: string, name: string, data: FloatArray, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    let anyFinite = false;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      if (v === NEG_INF) continue;
      // `v - v` is NaN for NaN and +Infinity (−Infinity was handled above).
      if (v - v !== 0) {
        throw domainError(fn, name, 'free of NaN and +Infinity (−Infinity is allowed)', `${describeValue(v)} at (${i}, ${j})`);
      }
      anyFinite = true;
    }
    if (!anyFinite) throw domainError(fn, name, 'a matrix whose every row has a finite entry', `row ${i} entirely −Infinity`);
  }
}
