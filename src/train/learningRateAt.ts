/** The learning-rate schedule of `train`. */
import { checkNumber, checkOneOf, checkOptions, domainError } from '../core/check.js';

/** Shapes of the learning-rate schedule after warm-up. */
export type ScheduleName = 'constant' | 'cosine' | 'linear';

/** The schedule parameters (the same fields as in `TrainOptions`). */
export interface ScheduleOptions {
  /** Peak learning rate, `> 0`. */
  lr: number;
  /** Total number of steps of the run, `≥ 1`. */
  steps: number;
  /** `'constant'` (default), `'cosine'` (half-cosine from `lr` down to `minLr`) or `'linear'` (straight line down to `minLr`). */
  schedule?: ScheduleName;
  /** Linear warm-up from `lr/warmupSteps` to `lr` over the first `warmupSteps` steps (default 0). */
  warmupSteps?: number;
  /** Final learning rate of the cosine and linear schedules, in `[0, lr]` (default 0). */
  minLr?: number;
}

/**
 * The learning rate of step `step` (0-based: the `step`-th update, counting from 0) of a run of
 * `steps` steps.
 *
 * Warm-up: `lr·(step + 1)/warmupSteps` while `step < warmupSteps`, so the first update is already
 * non-zero and step `warmupSteps − 1` uses the full `lr`. After warm-up, with progress
 * `π_t = (step − warmupSteps)/max(1, steps − warmupSteps)` in `[0, 1)`: constant `lr`; cosine
 * `minLr + (lr − minLr)(1 + cos(π·π_t))/2` (Loshchilov & Hutter, "SGDR", ICLR 2017, without
 * restarts); linear `lr − (lr − minLr)·π_t`. It depends only on `step`, so a resumed run uses exactly
 * the rates of an uninterrupted one.
 *
 * @param step - the 0-based step index, an integer in `[0, steps)`.
 * @param opts - the schedule.
 * @returns the learning rate, `> 0` unless `minLr = 0` and the schedule has reached it.
 * @throws DomainError for `lr ≤ 0`, `steps < 1`, a step outside `[0, steps)`, an unknown schedule,
 *   a negative warm-up or `minLr ∉ [0, lr]`.
 * @example
 * ```ts
 * learningRateAt(0, { lr: 1e-3, steps: 100, schedule: 'cosine', warmupSteps: 10 });  // 1e-4
 * learningRateAt(9, { lr: 1e-3, steps: 100, schedule: 'cosine', warmupSteps: 10 });  // 1e-3
 * learningRateAt(99, { lr: 1e-3, steps: 100, schedule: 'cosine', warmupSteps: 10 }); // ≈ 3e-7
 * ```
 */
export function learningRateAt(step: number, opts: ScheduleOptions): number {
  const fn = 'learningRateAt';
  checkOptions(fn, 'opts', opts);
  if (opts === undefined || opts === null) throw domainError(fn, 'opts', 'a schedule object', String(opts));
  checkScheduleOptions(fn, 'opts', opts);
  checkNumber(fn, 'step', step, { integer: true, min: 0, max: opts.steps - 1 });
  return learningRateUnchecked(step, opts);
}

/**
 * Validate the schedule fields; `prefix` names the options argument in messages.
 *
 * @internal
 */
export function checkScheduleOptions(fn: string, prefix: string, opts: ScheduleOptions): void {
  checkNumber(fn, `${prefix}.lr`, opts.lr, { min: 0, minExclusive: true });
  checkNumber(fn, `${prefix}.steps`, opts.steps, { integer: true, min: 1 });
  checkOneOf(fn, `${prefix}.schedule`, opts.schedule ?? 'constant', ['constant', 'cosine', 'linear'] as const);
  checkNumber(fn, `${prefix}.warmupSteps`, opts.warmupSteps ?? 0, { integer: true, min: 0 });
  checkNumber(fn, `${prefix}.minLr`, opts.minLr ?? 0, { min: 0, max: opts.lr });
}

/** @internal */
export function learningRateUnchecked(step: number, opts: ScheduleOptions): number {
  const { lr, steps } = opts;
  const warm = opts.warmupSteps ?? 0;
  const minLr = opts.minLr ?? 0;
  if (step < warm) return (lr * (step + 1)) / warm;
  const progress = (step - warm) / Math.max(1, steps - warm);
  switch (opts.schedule ?? 'constant') {
    case 'cosine':
      return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
    case 'linear':
      return lr - (lr - minLr) * progress;
    default:
      return lr;
  }
}
