/**
 * The labels of a linear task, shared by every task constructor.
 *
 * @internal
 */
import type { Matrix } from '../matrix/matrix.js';
import { checkFiniteMatrix, checkMatrix, domainError, describeValue, shapeError, shapeOf } from '../internal/check.js';
import type { RandomSource } from './types.js';

/** Validate `Hstar` (and `rng` when noise is on) in the name of `fn`, then compute `⟨u, h⟩ + b (+ noise)`. */
export function taskLabels(fn: string, u: Float64Array, bias: number, noiseStd: number, Hstar: Matrix, rng: RandomSource | undefined): Float64Array {
  checkMatrix(fn, 'Hstar', Hstar);
  if (Hstar.cols !== u.length) throw shapeError(fn, 'Hstar', `a matrix with ${u.length} columns (the task's dimension d)`, shapeOf(Hstar));
  checkFiniteMatrix(fn, 'Hstar', Hstar);
  if (noiseStd > 0 && (rng === undefined || rng === null || typeof (rng as { normal?: unknown }).normal !== 'function')) {
    throw domainError(fn, 'rng', `an Rng (createRng(seed)) because noiseStd = ${noiseStd} > 0`, describeValue(rng));
  }
  const m = Hstar.rows;
  const d = Hstar.cols;
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = bias;
    for (let k = 0; k < d; k++) s += u[k] * Hstar.data[i * d + k];
    if (noiseStd > 0) s += noiseStd * (rng as RandomSource).normal();
    y[i] = s;
  }
  return y;
}
