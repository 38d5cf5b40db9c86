import type { FloatArray, Matrix } from '../core/matrix.js';
import { checkFiniteArray, checkFloatVector, checkNumber, checkOptions, shapeError } from '../core/check.js';
import { taskLabels } from './taskLabelsKernel.js';
import type { RandomSource, Task } from './types.js';

/** Options of {@link linearTask}. */
export interface LinearTaskOptions {
  /**
   * Intercept `b*`.
   *
   * @defaultValue 0
   */
  readonly bias?: number;
  /**
   * Standard deviation of Gaussian label noise (when positive, `labels` needs an `rng`).
   *
   * @defaultValue 0
   */
  readonly noiseStd?: number;
}

/**
 * A linear task on the ground-truth representation: `y(s) = ⟨u*, h*(s)⟩ + b* (+ noise)`
 * (`docs/theory.md#1-definitions`). The direction is copied, so later changes to `uStar` do not leak in.
 *
 * @param uStar - the direction `u*` (length `d ≥ 1`, finite).
 * @throws DomainError on a non-finite direction, bias or a negative `noiseStd`; ShapeError when
 *   `uStar` is empty.
 * @example
 * ```ts
 * const task = linearTask(Float64Array.of(0, 1), { bias: 2 });
 * task.labels(fromRows([[5, 1], [7, -1]])); // Float64Array [3, 1]
 * const noisy = linearTask(Float64Array.of(1), { noiseStd: 0.1 });
 * noisy.labels(fromRows([[1]]), createRng(7)); // 1 + 0.1·N(0,1)
 * ```
 */
export function linearTask(uStar: FloatArray, opts?: LinearTaskOptions): Task {
  const fn = 'linearTask';
  checkFloatVector(fn, 'uStar', uStar);
  if (uStar.length === 0) throw shapeError(fn, 'uStar', 'a non-empty vector', 'length 0');
  checkFiniteArray(fn, 'uStar', uStar);
  checkOptions(fn, 'opts', opts);
  const bias = opts?.bias ?? 0;
  const noiseStd = opts?.noiseStd ?? 0;
  checkNumber(fn, 'opts.bias', bias);
  checkNumber(fn, 'opts.noiseStd', noiseStd, { min: 0 });
  const u = Float64Array.from(uStar);
  return {
    kind: 'linear',
    u,
    bias,
    noiseStd,
    labels: (Hstar: Matrix, rng?: RandomSource) => taskLabels('linearTask.labels', u, bias, noiseStd, Hstar, rng),
  };
}
