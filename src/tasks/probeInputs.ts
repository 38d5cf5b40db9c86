/**
 * Argument checks shared by the probes.
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import {
  checkFiniteArray,
  checkFiniteMatrix,
  checkFloatVector,
  checkMatrix,
  checkNonEmptyMatrix,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../core/check.js';
import { countOf } from '../core/countOf.js';

/** Check the training design: a non-empty, finite matrix. */
export function checkDesignMatrix(fn: string, H: unknown): asserts H is Matrix {
  checkNonEmptyMatrix(fn, 'H', H);
  checkFiniteMatrix(fn, 'H', H);
}

/** Check the training design and targets; returns nothing, narrows the types. */
export function checkDesign(fn: string, H: unknown, y: unknown, yName: string): asserts H is Matrix {
  checkDesignMatrix(fn, H);
  checkFloatVector(fn, yName, y, H.rows, 'one per row of H');
  checkFiniteArray(fn, yName, y);
}

/** Check optional sample weights: finite, `≥ 0`, positive sum; returns them as float64 (all 1 when absent) and their sum. */
export function checkSampleWeights(fn: string, name: string, w: unknown, m: number): { w: Float64Array; total: number } {
  const out = new Float64Array(m);
  if (w === undefined) {
    out.fill(1);
    return { w: out, total: m };
  }
  checkFloatVector(fn, name, w, m, 'one per row of H');
  let total = 0;
  for (let i = 0; i < m; i++) {
    const v = w[i];
    if (!Number.isFinite(v) || v < 0) throw domainError(fn, name, 'finite and ≥ 0', `${describeValue(v)} at [${i}]`);
    out[i] = v;
    total += v;
  }
  if (!(total > 0)) throw domainError(fn, name, 'weights with a positive sum', 'all zeros');
  return { w: out, total };
}

/** Check a matrix of representations to score with a probe of dimension `d`. */
export function checkScoringInput(fn: string, H: unknown, d: number): asserts H is Matrix {
  checkMatrix(fn, 'H', H);
  if (H.cols !== d) throw shapeError(fn, 'H', `a matrix with ${countOf(d, 'column')} (the probe's dimension)`, shapeOf(H));
  checkFiniteMatrix(fn, 'H', H);
}

/** `⟨w, h_i⟩ + b` for every row. Unchecked. */
export function linearScores(H: Matrix, w: Float64Array, b: number): Float64Array {
  const m = H.rows;
  const d = H.cols;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b;
    for (let k = 0; k < d; k++) s += w[k] * H.data[i * d + k];
    out[i] = s;
  }
  return out;
}
