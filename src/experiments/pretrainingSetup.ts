/**
 * What E1 and E2 share: option checking for the world and the pre-training run, and the seeded
 * construction of the world, the contexts and the learner.
 *
 * @internal
 */
import { checkAllocatable, checkNumber, checkOneOf, checkOptions, checkPositiveInt, describeValue, domainError } from '../core/check.js';
import { type World, type WorldOptions } from '../model/index.js';
import { generateWorldFor } from '../model/generateWorld.js';
import { checkSeed } from '../model/checkSeed.js';
import { createRng, permutation, type Rng } from '../random/index.js';
import { createLearner, train, type Learner, type TrainOptions } from '../train/index.js';
import type { DType, Matrix } from '../core/matrix.js';
import type { ExperimentProgress } from './progressTypes.js';

/** Options shared by {@link runAnchorSweep} and {@link runTransferCurve}. */
export interface PretrainingOptions {
  /** Seed of everything random: the world, the contexts, the learner's initialisation, the batches (default `'2023'`). */
  readonly seed?: string | number;
  /** The ground truth (default `{ preset: 'default' }`: n = 2000, d = 64); its `seed` is replaced by one derived from `seed`. */
  readonly world?: Omit<WorldOptions, 'seed'>;
  /** Contexts the learner is trained on (default 2048). */
  readonly trainContexts?: number;
  /** Contexts on which everything is measured, disjoint from the training contexts (default 1024). */
  readonly evalContexts?: number;
  /** Fraction of the evaluation contexts held out from the fits and scored (default 0.3). */
  readonly holdout?: number;
  /**
   * Pre-training steps (default 400). The run time is linear in it and `onProgress` reports the
   * steps as they go, so a very large value runs for a long time rather than failing: pass what you
   * mean to wait for.
   */
  readonly trainSteps?: number;
  /** Contexts per step (default 64). */
  readonly batchSize?: number;
  /** Adam's peak learning rate (default 0.01), decayed by a cosine schedule to 1% of it. */
  readonly lr?: number;
  /** Width of the learner's hidden layer, 0 for a linear map (default 0). */
  readonly hidden?: number;
  /** Storage precision of the learner (see `createLearner`'s `dtype`; default `'float64'`). Measurements are float64 either way. */
  readonly dtype?: DType;
  /** Called as the work advances. */
  readonly onProgress?: (p: ExperimentProgress) => void;
}

/** Checked settings. */
export interface PretrainingSettings {
  readonly rng: Rng;
  readonly world: World;
  readonly worldOptions: Omit<WorldOptions, 'seed'>;
  readonly trainContexts: number;
  readonly evalContexts: number;
  readonly holdout: number;
  readonly trainSteps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly hidden: number;
  readonly dtype: DType;
  readonly onProgress: ((p: ExperimentProgress) => void) | undefined;
}

/** Validate the shared options (names in messages are `opts.<field>`) and build the world. */
export function checkPretrainingOptions(fn: string, opts: PretrainingOptions): PretrainingSettings {
  checkOptions(fn, 'opts', opts);
  const seed = opts.seed === undefined ? '2023' : opts.seed;
  // createRng's own rule (a non-empty string or a finite number), checked here so that a seed of ∞
  // or '' is reported against the experiment's opts.seed, not against createRng.
  checkSeed(fn, 'opts.seed', seed);
  const trainContexts = opts.trainContexts ?? 2048;
  checkNumber(fn, 'opts.trainContexts', trainContexts, { integer: true, min: 2 });
  const evalContexts = opts.evalContexts ?? 1024;
  checkNumber(fn, 'opts.evalContexts', evalContexts, { integer: true, min: 8 });
  const holdout = opts.holdout ?? 0.3;
  checkNumber(fn, 'opts.holdout', holdout, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const trainSteps = opts.trainSteps ?? 400;
  checkNumber(fn, 'opts.trainSteps', trainSteps, { integer: true, min: 1 });
  const batchSize = opts.batchSize ?? 64;
  checkPositiveInt(fn, 'opts.batchSize', batchSize);
  if (batchSize > trainContexts) throw domainError(fn, 'opts.batchSize', `at most opts.trainContexts (${trainContexts})`, String(batchSize));
  const lr = opts.lr ?? 0.01;
  checkNumber(fn, 'opts.lr', lr, { min: 0, minExclusive: true });
  const hidden = opts.hidden ?? 0;
  checkNumber(fn, 'opts.hidden', hidden, { integer: true, min: 0 });
  const dtype = opts.dtype ?? 'float64';
  checkOneOf(fn, 'opts.dtype', dtype, ['float64', 'float32'] as const);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw domainError(fn, 'opts.onProgress', 'a function', describeValue(opts.onProgress));
  }
  const worldOptions = opts.world ?? { preset: 'default' as const };
  checkOptions(fn, 'opts.world', worldOptions);
  const rng = createRng(seed);
  // Errors in the world options name this experiment and 'opts.world.…', not generateWorld.
  const world = generateWorldFor(fn, 'opts.world', { ...worldOptions, seed: rng.fork('world').seed });
  // The contexts are drawn as trainContexts × d and evalContexts × d float64 matrices: an impossible
  // size is a DomainError naming the option before they are allocated, not an untyped RangeError.
  checkAllocatable(fn, 'opts.trainContexts', trainContexts * world.d, 8, `trainContexts·d = ${trainContexts}·${world.d}`);
  checkAllocatable(fn, 'opts.evalContexts', evalContexts * world.d, 8, `evalContexts·d = ${evalContexts}·${world.d}`);
  // Enough evaluation contexts on each side of the split to fit a d-dimensional anchor.
  const nTest = Math.round(holdout * evalContexts);
  if (evalContexts - nTest < world.d + 2 || nTest < 2) {
    throw domainError(fn, 'opts.evalContexts', `large enough for ${world.d + 2} fitting and 2 held-out contexts at holdout ${holdout}`, String(evalContexts));
  }
  return { rng, world, worldOptions, trainContexts, evalContexts, holdout, trainSteps, batchSize, lr, hidden, dtype, onProgress: opts.onProgress };
}

/** A fresh learner, seeded from the experiment's stream. */
export function makeLearner(s: PretrainingSettings): Learner {
  return createLearner({ world: s.world, hidden: s.hidden, dtype: s.dtype, seed: s.rng.fork('learner').seed });
}

/**
 * The pre-training run shared by E1 and E2: Adam on full target distributions `p*(·|s)` of the
 * training contexts, batches from `rng.fork('batches')`.
 */
export function pretrain(
  s: PretrainingSettings,
  learner: Learner,
  world: World,
  trainCtx: { X: Matrix; H: Matrix },
  rng: Rng,
  onProgress: NonNullable<TrainOptions['onProgress']>,
): void {
  train(learner, { X: trainCtx.X, H: trainCtx.H }, {
    steps: s.trainSteps,
    batchSize: s.batchSize,
    lr: s.lr,
    optimizer: 'adam',
    // Cosine decay to 1% of the peak rate: with a constant rate Adam's ε_t bounced (measured: 2.2e-3 at
    // step 328, 5.8e-3 at 512 of 800), which draws loops in the curves against ε.
    schedule: 'cosine',
    minLr: s.lr / 100,
    seed: rng.fork('batches').seed,
    world,
    onProgress,
  });
}

/** A seeded permutation split of `m` rows: the first `m − round(holdout·m)` fit, the rest are held out. */
export function splitRows(m: number, holdout: number, rng: Rng): { fit: Int32Array; test: Int32Array } {
  const order = permutation(m, rng);
  const nTest = Math.round(holdout * m);
  return { fit: order.slice(0, m - nTest).sort(), test: order.slice(m - nTest).sort() };
}

/** The rows `idx` of `a`, as a new float64 matrix. */
export function selectRows(a: Matrix, idx: Int32Array): Matrix {
  const out = new Float64Array(idx.length * a.cols);
  for (let r = 0; r < idx.length; r++) {
    const src = idx[r] * a.cols;
    for (let j = 0; j < a.cols; j++) out[r * a.cols + j] = a.data[src + j];
  }
  return { rows: idx.length, cols: a.cols, data: out };
}
