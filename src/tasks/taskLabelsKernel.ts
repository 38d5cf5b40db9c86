/**
 * The labels of a linear task, shared by every task constructor.
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import { checkFiniteMatrix, checkMatrix, domainError, describeValue, shapeError, shapeOf } from '../core/check.js';
import type { RandomSource } from './types.js';
import { linearScores } from './probeInputs.js';
import { countOf } from '../core/countOf.js';

/** Validate `Hstar` (and `rng` when noise is on) in the name of `fn`, then compute `⟨u, h⟩ + b (+ noise)`. */
export function taskLabels(fn: string, u: Float64Array, bias: number, noiseStd: number, Hstar: Matrix, rng: RandomSource | undefined): Float64Array {
  checkMatrix(fn, 'Hstar', Hstar);
  if (Hstar.cols !== u.length) throw shapeError(fn, 'Hstar', `a matrix with ${countOf(u.length, 'column')} (the task's dimension d)`, shapeOf(Hstar));
  checkFiniteMatrix(fn, 'Hstar', Hstar);
  if (noiseStd > 0 && (rng === undefined || rng === null || typeof (rng as { normal?: unknown }).normal !== 'function')) {
    throw domainError(fn, 'rng', `an Rng (createRng(seed)) because noiseStd = ${noiseStd} > 0`, describeValue(rng));
  }
  const y = linearScores(Hstar, u, bias);
  // Noise draws are taken in context order, so a seed gives the same labels.
  if (noiseStd > 0) for (let i = 0; i < y.length; i++) y[i] += noiseStd * (rng as RandomSource).normal();
  return y;
}
