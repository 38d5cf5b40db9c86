/**
 * The anchor `(v_0, c)` of a model on a bulk, as the tasks and the theorems take it, and its
 * argument check (validation, not a kernel).
 */
import { checkFiniteArray, checkFloatVector, checkNumber, describeValue, domainError } from '../core/check.js';

/**
 * An anchor `(v_0, c)` of a model on a bulk `B`: its residual at a context is
 * `e(s) = log Z_B(s) − ⟨v_0, h(s)⟩ − c`. `fitAnchor`'s result is one (it has more fields).
 */
export interface Anchor {
  /** The anchor vector `v_0` (length `d`). */
  readonly anchor: Float64Array | Float32Array;
  /** The intercept `c`. */
  readonly intercept: number;
}

/**
 * Check an anchor `{ anchor, intercept }` whose vector has length `d` (`dWhat` says what `d` is, for
 * the message). Shared by the theorems, `wordTask` and `transferProbe`.
 */
export function checkAnchor(fn: string, name: string, anchor: unknown, d: number, dWhat = 'the representation dimension'): asserts anchor is Anchor {
  if (anchor === null || typeof anchor !== 'object') {
    throw domainError(fn, name, 'an anchor { anchor, intercept }', describeValue(anchor));
  }
  const o = anchor as { anchor?: unknown; intercept?: unknown };
  checkFloatVector(fn, `${name}.anchor`, o.anchor, d, dWhat);
  checkFiniteArray(fn, `${name}.anchor`, o.anchor);
  checkNumber(fn, `${name}.intercept`, o.intercept);
}

