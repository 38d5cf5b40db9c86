/**
 * The options and data of `train`, and their validation: everything `train` checks before it touches
 * the learner, resolved into one `TrainPlan` (defaults filled in) that the step loop and the
 * checkpoint format read.
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import {
  checkFiniteMatrix,
  checkMatrix,
  checkNonEmptyMatrix,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  checkWordIndices,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../core/check.js';
import { createRng } from '../random/index.js';
import type { Rng } from '../random/index.js';
import type { World } from '../model/index.js';
import { Learner, checkTargetDistributions } from './Learner.js';
import type { OptimizerHyper, OptimizerName } from './optimizerKernel.js';
import { checkScheduleOptions } from './learningRateAt.js';
import type { ScheduleName } from './learningRateAt.js';
import { checkContextWeights } from './excessLoss.js';
import type { ExcessLossContexts } from './excessLoss.js';
import { checkSeed } from '../model/checkSeed.js';
import type { TrainCheckpoint } from './checkpointType.js';
import { countOf } from '../core/countOf.js';

export type { OptimizerName } from './optimizerKernel.js';

/**
 * Training data: observed features `X` and exactly one kind of target.
 *
 * - `words`: sampled next words, `k = words.length / m` per context, row-major (as
 *   `World.sampleCorpus` returns them). Each (context, word) pair is one example; the loss is the
 *   cross-entropy on the one-hot target.
 * - `targets`: an `m × n` matrix of target distributions (rows summing to 1); one example per context.
 * - `H`: the contexts' true representations (`m × d`); the targets are the world's full
 *   distributions `p*(·|s) = softmax(V* h*(s))`, computed per batch from `opts.world` (no `m × n`
 *   matrix is ever held), and the batch's exact KL is reported as `batchExcessLoss`.
 */
export interface TrainData {
  /** Observed features, `m × learner.featureDim`. */
  readonly X: Matrix;
  /** Sampled next words, `m·k` indices. */
  readonly words?: Int32Array;
  /** Target distributions, `m × n`. */
  readonly targets?: Matrix;
  /** True representations `h*(s)`, `m × d`, for full-distribution targets from `opts.world`. */
  readonly H?: Matrix;
}

/** What `onProgress` receives after each step. */
export interface TrainMetrics {
  /** Steps completed so far (1-based: the step just taken). */
  readonly step: number;
  /** Mean cross-entropy of the step's batch, before its update (without weight decay). */
  readonly loss: number;
  /** Learning rate used by the step. */
  readonly lr: number;
  /** With `H` targets: the batch's mean exact `KL(p*‖p̂)`, before the update. */
  readonly batchExcessLoss?: number;
  /** Every `evalEvery` steps and at the last step (when a world and contexts are given): the exact `ε` after the update. */
  readonly excessLoss?: number;
}

/** Options of `train`. `steps`, `batchSize` and `lr` are required. */
export interface TrainOptions {
  /** Total number of steps of the run (the schedule's length); training stops when `step = steps`. */
  steps: number;
  /** Examples per step, `1 ≤ batchSize ≤` number of examples. */
  batchSize: number;
  /** Peak learning rate, `> 0`. */
  lr: number;
  /** `'adam'` (default), `'adamw'` (decoupled weight decay) or `'sgd'` (with `momentum`). */
  optimizer?: OptimizerName;
  /** SGD momentum in `[0, 1)` (default 0.9). */
  momentum?: number;
  /** Adam's `β₁` in `[0, 1)` (default 0.9). */
  beta1?: number;
  /** Adam's `β₂` in `[0, 1)` (default 0.999). */
  beta2?: number;
  /** Adam's `ε > 0` (default 1e-8). */
  eps?: number;
  /** Weight decay `λ ≥ 0` on weight matrices and `V̂` (not biases); an L2 term for `'sgd'`/`'adam'`, decoupled for `'adamw'`. Default 0. */
  weightDecay?: number;
  /** Learning-rate schedule after warm-up (see `learningRateAt`). Default `'constant'`. */
  schedule?: ScheduleName;
  /** Linear warm-up steps (default 0). */
  warmupSteps?: number;
  /** Final learning rate of the cosine and linear schedules (default 0). */
  minLr?: number;
  /** Seed of the batch order (default 0). */
  seed?: string | number;
  /** The ground truth: needed for `H` targets and for exact excess losses. */
  world?: World;
  /** Contexts for the exact `ε` (default: the training contexts when `data.H` is given). */
  evalContexts?: ExcessLossContexts;
  /** Evaluate the exact `ε` every this many steps (default 0: only at the start and the end). */
  evalEvery?: number;
  /** Called after every step; returning `false` stops training (the result and checkpoint are those of that step). */
  onProgress?: (step: number, metrics: TrainMetrics) => void | boolean;
  /** Called with a checkpoint every `checkpointEvery` steps. */
  onCheckpoint?: (checkpoint: TrainCheckpoint) => void;
  /** Checkpoint period for `onCheckpoint` (default 0: never). */
  checkpointEvery?: number;
  /**
   * Continue from this checkpoint: the learner's parameters and the optimiser state are restored
   * from it. It must come from a run with the same configuration (`TrainCheckpoint.config`); a
   * rejected checkpoint leaves the learner untouched.
   */
  resumeFrom?: TrainCheckpoint;
  /** Stop once this many steps are done (default `steps`), e.g. to checkpoint half-way through a schedule. */
  stopAtStep?: number;
}

/** The kind of targets of a run. */
export type TargetMode = 'words' | 'targets' | 'teacher';

/** A validated run: the data by kind, the options with their defaults. */
export interface TrainPlan {
  readonly mode: TargetMode;
  readonly X: Matrix;
  /** `words` for `'words'`, else null. */
  readonly words: Int32Array | null;
  /** The target matrix for `'targets'`, the true representations `H` for `'teacher'`, else null. */
  readonly targetMatrix: Matrix | null;
  readonly world: World | undefined;
  /** Examples (pairs for words, contexts otherwise) and sampled words per context. */
  readonly examples: number;
  readonly perContext: number;
  readonly batchSize: number;
  readonly steps: number;
  readonly stopAt: number;
  readonly hyper: OptimizerHyper;
  readonly evalEvery: number;
  readonly checkpointEvery: number;
  readonly rootRng: Rng;
  /** Contexts of the exact `ε`, or null when it is not computed. */
  readonly evalCtx: ExcessLossContexts | null;
}

/**
 * Check `train`'s arguments (messages name `train` and `data.*` / `opts.*`) and resolve the run.
 *
 * @example
 * ```ts
 * const { X, words } = world.sampleCorpus(32, 1, createRng(5));
 * const data = { X, words };
 * resolveTrainPlan('train', learner, data, { steps: 10, batchSize: 8, lr: 0.01 }).mode; // → 'words'
 * const noBatch = { steps: 10, batchSize: 0, lr: 0.01 };
 * resolveTrainPlan('train', learner, data, noBatch); // throws DomainError
 * ```
 */
export function resolveTrainPlan(fn: string, learner: Learner, data: TrainData, opts: TrainOptions): TrainPlan {
  if (!(learner instanceof Learner)) throw domainError(fn, 'learner', 'a Learner from createLearner', describeValue(learner));
  if (data === null || typeof data !== 'object') throw domainError(fn, 'data', 'an object { X, words | targets | H }', describeValue(data));
  if (opts === null || typeof opts !== 'object') throw domainError(fn, 'opts', 'an options object { steps, batchSize, lr, … }', describeValue(opts));
  checkOptions(fn, 'opts', opts);
  const s = learner.shape;

  // ---- Data. ----
  const X = data.X;
  checkNonEmptyMatrix(fn, 'data.X', X);
  learner.checkX(fn, X, 'data.X');
  const m = X.rows;
  const kinds = (data.words !== undefined ? 1 : 0) + (data.targets !== undefined ? 1 : 0) + (data.H !== undefined ? 1 : 0);
  if (kinds !== 1) {
    throw domainError(fn, 'data', 'exactly one of words, targets or H', kinds === 0 ? 'none of them' : `${kinds} of them`);
  }
  const world = opts.world;
  if (world !== undefined && (world === null || typeof world !== 'object' || !('V' in world))) {
    throw domainError(fn, 'opts.world', 'a World from generateWorld', describeValue(world));
  }
  if (world !== undefined && world.n !== s.n) throw shapeError(fn, 'opts.world', `a world over n = ${s.n} words (learner.n)`, `n = ${world.n}`);
  let mode: TargetMode;
  let examples: number;
  let perContext = 1;
  if (data.words !== undefined) {
    mode = 'words';
    const w = data.words;
    checkWordIndices(fn, 'data.words', w, s.n);
    if (w.length === 0 || w.length % m !== 0) {
      throw shapeError(fn, 'data.words', `a non-empty multiple of X.rows = ${countOf(m, 'word')} (k per context)`, `length ${w.length}`);
    }
    perContext = w.length / m;
    examples = w.length;
  } else if (data.targets !== undefined) {
    mode = 'targets';
    checkTargetDistributions(fn, 'data.targets', data.targets, m, s.n);
    examples = m;
  } else {
    mode = 'teacher';
    const H = data.H as Matrix;
    if (world === undefined) throw domainError(fn, 'opts.world', 'a World when data.H gives full-distribution targets', 'undefined');
    checkMatrix(fn, 'data.H', H);
    if (H.cols !== world.d || H.rows !== m) throw shapeError(fn, 'data.H', `a ${m}×${world.d} matrix (X.rows × world.d)`, shapeOf(H));
    checkFiniteMatrix(fn, 'data.H', H);
    examples = m;
  }

  // ---- Options. ----
  checkScheduleOptions(fn, 'opts', opts);
  const steps = opts.steps;
  checkPositiveInt(fn, 'opts.batchSize', opts.batchSize);
  const B = opts.batchSize;
  if (B > examples) throw shapeError(fn, 'opts.batchSize', `at most the number of examples (${examples})`, String(B));
  const optimizer = opts.optimizer ?? 'adam';
  checkOneOf(fn, 'opts.optimizer', optimizer, ['sgd', 'adam', 'adamw'] as const);
  const hyper: OptimizerHyper = {
    name: optimizer,
    weightDecay: opts.weightDecay ?? 0,
    momentum: opts.momentum ?? 0.9,
    beta1: opts.beta1 ?? 0.9,
    beta2: opts.beta2 ?? 0.999,
    eps: opts.eps ?? 1e-8,
  };
  checkNumber(fn, 'opts.weightDecay', hyper.weightDecay, { min: 0 });
  checkNumber(fn, 'opts.momentum', hyper.momentum, { min: 0, max: 1, maxExclusive: true });
  checkNumber(fn, 'opts.beta1', hyper.beta1, { min: 0, max: 1, maxExclusive: true });
  checkNumber(fn, 'opts.beta2', hyper.beta2, { min: 0, max: 1, maxExclusive: true });
  checkNumber(fn, 'opts.eps', hyper.eps, { min: 0, minExclusive: true });
  const evalEvery = opts.evalEvery ?? 0;
  checkNumber(fn, 'opts.evalEvery', evalEvery, { integer: true, min: 0 });
  const checkpointEvery = opts.checkpointEvery ?? 0;
  checkNumber(fn, 'opts.checkpointEvery', checkpointEvery, { integer: true, min: 0 });
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') throw domainError(fn, 'opts.onProgress', 'a function', describeValue(opts.onProgress));
  if (opts.onCheckpoint !== undefined && typeof opts.onCheckpoint !== 'function') throw domainError(fn, 'opts.onCheckpoint', 'a function', describeValue(opts.onCheckpoint));
  const stopAt = opts.stopAtStep ?? steps;
  checkNumber(fn, 'opts.stopAtStep', stopAt, { integer: true, min: 0, max: steps });
  const seed = opts.seed ?? 0;
  checkSeed(fn, 'opts.seed', seed);
  const rootRng = createRng(seed);

  // Exact-ε contexts: explicit ones, or the training contexts when their true representations are known.
  let evalCtx: ExcessLossContexts | null = null;
  if (opts.evalContexts !== undefined) {
    if (world === undefined) throw domainError(fn, 'opts.world', 'a World when opts.evalContexts is given', 'undefined');
    const ec = opts.evalContexts;
    if (ec === null || typeof ec !== 'object') throw domainError(fn, 'opts.evalContexts', 'an object { X, H, weights? }', describeValue(ec));
    checkNonEmptyMatrix(fn, 'opts.evalContexts.X', ec.X);
    learner.checkX(fn, ec.X, 'opts.evalContexts.X');
    checkMatrix(fn, 'opts.evalContexts.H', ec.H);
    if (ec.H.cols !== world.d || ec.H.rows !== ec.X.rows) {
      throw shapeError(fn, 'opts.evalContexts.H', `a ${ec.X.rows}×${world.d} matrix (X.rows × world.d)`, shapeOf(ec.H));
    }
    checkFiniteMatrix(fn, 'opts.evalContexts.H', ec.H);
    if (ec.weights !== undefined) checkContextWeights(fn, 'opts.evalContexts.weights', ec.weights, ec.X.rows);
    evalCtx = ec;
  } else if (world !== undefined && data.H !== undefined) {
    evalCtx = { X, H: data.H };
  } else if (world !== undefined && data.H === undefined && evalEvery > 0) {
    throw domainError(fn, 'opts.evalContexts', 'given when opts.evalEvery > 0 and data has no H', 'undefined');
  }

  const targetMatrix = mode === 'targets' ? (data.targets as Matrix) : mode === 'teacher' ? (data.H as Matrix) : null;
  return {
    mode,
    X,
    words: mode === 'words' ? (data.words as Int32Array) : null,
    targetMatrix,
    world,
    examples,
    perContext,
    batchSize: B,
    steps,
    stopAt,
    hyper,
    evalEvery,
    checkpointEvery,
    rootRng,
    evalCtx,
  };
}
