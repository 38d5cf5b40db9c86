import type { Matrix } from '../core/matrix.js';
import { checkNumber, checkOneOf, checkOptions, describeValue, domainError } from '../core/check.js';
import type { RandomSource, Task } from './types.js';

/** Options of {@link classificationTask}. */
export interface ClassificationTaskOptions {
  /**
   * `'threshold'`: label 1 exactly when `y(s) > threshold`. `'sigmoid'`: label 1 with
   * probability `σ(y(s))`, drawn with the `rng` passed to `labels`.
   *
   * @defaultValue `'threshold'`
   */
  readonly rule?: 'threshold' | 'sigmoid';
  /**
   * The threshold of the `'threshold'` rule.
   *
   * @defaultValue 0
   */
  readonly threshold?: number;
}

/** A binary classification task derived from a regression task. */
export interface ClassificationTask {
  readonly base: Task;
  readonly rule: 'threshold' | 'sigmoid';
  readonly threshold: number;
  /** The regression scores `y(s)` of the base task (noise included when the base task has noise). */
  scores(Hstar: Matrix, rng?: RandomSource): Float64Array;
  /** Labels in `{0, 1}` (as a `Float64Array`). The `'sigmoid'` rule, and a noisy base task, need `rng`. */
  labels(Hstar: Matrix, rng?: RandomSource): Float64Array;
}

// Bound once: a global `Math` lookup costs ~0.5 µs inside jest's vm context (see logisticKernel.ts).
const mExp = Math.exp;

/** `σ(x) = 1 / (1 + e^{−x})` without overflow for either sign. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + mExp(-x));
  const e = mExp(x);
  return e / (1 + e);
}

/**
 * The classification variants of `docs/theory.md#1-definitions`: threshold the regression target `y(s)`, or draw the
 * label with probability `σ(y(s))` (a logistic model whose log-odds are the task).
 *
 * @param task - a regression task from {@link linearTask}, {@link wordTask} or {@link contrastTask}.
 * @throws DomainError on an unknown rule, a non-finite threshold, or (from `labels`) a missing `rng`
 *   for the `'sigmoid'` rule.
 * @example
 * ```ts
 * const cls = classificationTask(linearTask(Float64Array.of(1)), { rule: 'sigmoid' });
 * cls.labels(fromRows([[0], [10]]), createRng(1)); // [0 or 1 with prob 1/2, 1 with prob 0.99995]
 * ```
 */
export function classificationTask(task: Task, opts?: ClassificationTaskOptions): ClassificationTask {
  const fn = 'classificationTask';
  if (task === null || typeof task !== 'object' || typeof (task as { labels?: unknown }).labels !== 'function') {
    throw domainError(fn, 'task', 'a task with a labels(Hstar) method', describeValue(task));
  }
  checkOptions(fn, 'opts', opts);
  const rule = opts?.rule ?? 'threshold';
  checkOneOf(fn, 'opts.rule', rule, ['threshold', 'sigmoid'] as const);
  const threshold = opts?.threshold ?? 0;
  checkNumber(fn, 'opts.threshold', threshold);
  const scores = (Hstar: Matrix, rng?: RandomSource) => task.labels(Hstar, rng);
  return {
    base: task,
    rule,
    threshold,
    scores,
    labels(Hstar: Matrix, rng?: RandomSource): Float64Array {
      if (rule === 'sigmoid' && (rng === undefined || rng === null || typeof (rng as { next?: unknown }).next !== 'function')) {
        throw domainError('classificationTask.labels', 'rng', "an Rng (createRng(seed)) for the 'sigmoid' rule", describeValue(rng));
      }
      const y = scores(Hstar, rng);
      const out = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) {
        out[i] = rule === 'threshold' ? (y[i] > threshold ? 1 : 0) : (rng as RandomSource).next() < sigmoid(y[i]) ? 1 : 0;
      }
      return out;
    },
  };
}
