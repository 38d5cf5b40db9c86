/** Mini-batch training of a learner by cross-entropy: SGD with momentum, Adam or AdamW. */
import type { Matrix } from '../matrix/matrix.js';
import { FormatError, NumericalError } from '../errors/errors.js';
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
} from '../internal/check.js';
import { gemm } from '../linalg/gemm.js';
import { createRng } from '../random/index.js';
import type { Rng } from '../random/index.js';
import type { World } from '../model/index.js';
import { Learner, checkTargetDistributions } from './Learner.js';
import { backwardKernel, forwardKernel, Workspace } from './learnerKernel.js';
import { crossEntropyDistributionKernel, crossEntropyTeacherKernel, crossEntropyWordsKernel } from './lossKernel.js';
import { optimizerBufferCount, optimizerStep } from './optimizerKernel.js';
import { Sha256 } from '../core/Sha256.js';
import type { OptimizerHyper, OptimizerName } from './optimizerKernel.js';
import { checkScheduleOptions, learningRateUnchecked } from './learningRateAt.js';
import type { ScheduleName } from './learningRateAt.js';
import { checkContextWeights, excessLossUnchecked } from './excessLoss.js';
import type { ExcessLossContexts } from './excessLoss.js';
import { decodeFloat64Into, encodeFloat64 } from './checkpointCodec.js';
import { checkSeed } from '../model/checkSeed.js';
import { shuffleInPlace } from '../random/permutation.js';

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

/** A JSON-serialisable snapshot from which `train` resumes bit for bit. */
export interface TrainCheckpoint {
  /** Always `'lmtransfer/train-checkpoint'`. */
  readonly format: 'lmtransfer/train-checkpoint';
  /**
   * Format version: 2 (written) records `config.data`, the fingerprint of the training data; 1 (still
   * read) does not, so a version-1 checkpoint resumes without the data check.
   */
  readonly version: 1 | 2;
  /** Steps completed. */
  readonly step: number;
  /** Loss of the last step taken, or `null` before any step. */
  readonly lastLoss: number | null;
  /**
   * What must match on resume for the continuation to equal an uninterrupted run: the batch order
   * (seed, batch size, number of examples), the architecture, the optimiser and its
   * hyper-parameters, and the learning-rate schedule (defaults filled in). `train` rejects a
   * checkpoint whose configuration differs in any field.
   */
  readonly config: {
    readonly seed: string;
    readonly batchSize: number;
    readonly optimizer: OptimizerName;
    readonly examples: number;
    readonly architecture: string;
    readonly steps: number;
    readonly lr: number;
    readonly schedule: ScheduleName;
    readonly warmupSteps: number;
    readonly minLr: number;
    readonly weightDecay: number;
    readonly momentum: number;
    readonly beta1: number;
    readonly beta2: number;
    readonly eps: number;
    /**
     * `'sha256:<hex>'` of the training data: the kind of targets, the dtype, shape and bytes of `X`
     * and of the targets (`words`, `targets`, or `H` with the world's `V`). Resuming on other data
     * would silently continue a different run, so `train` rejects it. Absent in version 1.
     */
    readonly data?: string;
  };
  /** The learner's parameters: base64 of little-endian float64 bytes. */
  readonly params: string;
  /** Optimiser state buffers (momentum; Adam's first and second moments), same encoding. */
  readonly optimizerState: readonly string[];
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

/** What `train` returns. */
export interface TrainResult {
  /** Steps completed in total (including those before a resume). */
  readonly step: number;
  /** Loss of the last step taken by this call, or `null` if it took none (e.g. resumed at the final step). */
  readonly loss: number | null;
  /** The loss of every step taken by this call, in order. */
  readonly losses: Float64Array;
  /** Exact `ε` before this call's first step (when a world and contexts are given). */
  readonly initialExcessLoss?: number;
  /** Exact `ε` after the last step (when a world and contexts are given). */
  readonly excessLoss?: number;
  /** Every exact `ε` computed, with the step after which it was measured (step 0 = before training). */
  readonly evaluations: readonly { readonly step: number; readonly excessLoss: number }[];
  /** Why training stopped. */
  readonly stopped: 'completed' | 'stopAtStep' | 'callback';
  /** A checkpoint of the final state (encoded on demand). */
  checkpoint(): TrainCheckpoint;
}

const CHECKPOINT_FORMAT = 'lmtransfer/train-checkpoint';

/** The configuration fields (other than the architecture) that a resumed run must share with its checkpoint. */
const CONFIG_KEYS = [
  'seed', 'batchSize', 'optimizer', 'examples', 'steps', 'lr', 'schedule', 'warmupSteps', 'minLr',
  'weightDecay', 'momentum', 'beta1', 'beta2', 'eps',
] as const;

/**
 * Train `learner` (its `params` are updated in place) by mini-batch cross-entropy.
 *
 * **Batches.** Examples are visited in epochs; epoch `e` is a permutation drawn from
 * `createRng(seed).fork('epoch:' + e)` and step `t` takes the `t`-th block of `batchSize` examples
 * of its epoch (the last `examples mod batchSize` of each permutation are skipped, different ones each
 * epoch). The batch of a step therefore depends only on the seed and the step number, never on the
 * history, which is what makes resuming exact.
 *
 * **A step** gathers the batch, runs the forward pass, the fused softmax cross-entropy (the gradient
 * `softmax(z) − q` written over the logits), the backward pass (`∂V̂ = Gᵀĥ`, `∂ĥ = G V̂`, then the
 * map's layers; every product through `gemm`, every buffer reused), and one optimiser update with the
 * scheduled learning rate. The reported loss is the batch mean before the update, without weight
 * decay.
 *
 * **Reproducibility.** Same learner initialisation, data, options and seed give bit-identical
 * parameters. A checkpoint (`result.checkpoint()`, `onCheckpoint`) holds the step, the parameters
 * and the optimiser state as exact bytes; `train(learner, data, { ...opts, resumeFrom })` continues
 * and ends bit-identical to the uninterrupted run (same data, architecture, seed, batch size,
 * optimiser hyper-parameters and schedule, including `steps`; all are recorded in the checkpoint,
 * the data as a SHA-256 fingerprint, and a mismatch is rejected).
 *
 * **Failure.** A non-finite batch loss stops training with a `NumericalError` naming the step and
 * the last finite loss; the learner is left with the parameters that gave that last finite loss (or,
 * if this call had not completed a step, with those it started with). An update that overflows a
 * parameter stops training the same way, so a learner never comes back holding a non-finite value.
 *
 * @param learner - from `createLearner`; trained in place.
 * @param data - features and targets (see `TrainData`).
 * @param opts - optimisation options; `steps`, `batchSize`, `lr` required.
 * @returns losses, exact excess losses when available, and a checkpoint.
 * @throws ShapeError when data shapes disagree with the learner or each other, or `batchSize`
 *   exceeds the number of examples.
 * @throws DomainError for a non-positive `lr`, a batch size below 1, an unknown optimiser or
 *   schedule, out-of-range hyper-parameters, bad targets, `H` targets without a world, or a
 *   checkpoint from a different configuration.
 * @throws FormatError for a malformed checkpoint.
 * @throws NumericalError when a batch loss, or a parameter after an update, is not finite.
 * @example
 * ```ts
 * const world = generateWorld({ preset: 'default', seed: 1 });
 * const data = world.sampleContexts(4096, createRng('train'));          // { X, H }
 * const learner = createLearner({ world, seed: 2 });
 * const result = train(learner, data, {
 *   world, steps: 300, batchSize: 256, lr: 0.01, schedule: 'cosine', warmupSteps: 20, evalEvery: 100,
 *   onProgress: (step, m) => { if (m.excessLoss !== undefined) console.log(step, m.excessLoss); },
 * });
 * result.initialExcessLoss / result.excessLoss!; // how much ε fell
 * ```
 */
export function train(learner: Learner, data: TrainData, opts: TrainOptions): TrainResult {
  const fn = 'train';
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
  let mode: 'words' | 'targets' | 'teacher';
  let examples: number;
  let perContext = 1;
  if (data.words !== undefined) {
    mode = 'words';
    const w = data.words;
    checkWordIndices(fn, 'data.words', w, s.n);
    if (w.length === 0 || w.length % m !== 0) {
      throw shapeError(fn, 'data.words', `a non-empty multiple of X.rows = ${m} words (k per context)`, `length ${w.length}`);
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

  const config: TrainCheckpoint['config'] = {
    seed: rootRng.seed,
    batchSize: B,
    optimizer,
    examples,
    architecture: architectureOf(learner),
    steps,
    lr: opts.lr,
    schedule: opts.schedule ?? 'constant',
    warmupSteps: opts.warmupSteps ?? 0,
    minLr: opts.minLr ?? 0,
    weightDecay: hyper.weightDecay,
    momentum: hyper.momentum,
    beta1: hyper.beta1,
    beta2: hyper.beta2,
    eps: hyper.eps,
    data: dataFingerprint(mode, X, mode === 'words' ? (data.words as Int32Array) : mode === 'targets' ? (data.targets as Matrix) : (data.H as Matrix), mode === 'teacher' ? (world as World).V : null),
  };
  const buffers: Float64Array[] = [];
  for (let i = 0; i < optimizerBufferCount(hyper); i++) buffers.push(new Float64Array(s.paramCount));
  let step = 0;
  let lastLoss: number | null = null;
  if (opts.resumeFrom !== undefined) {
    const r = restoreCheckpoint(fn, opts.resumeFrom, config, learner, buffers);
    step = r.step;
    lastLoss = r.lastLoss;
  }

  const makeCheckpoint = (): TrainCheckpoint => ({
    format: CHECKPOINT_FORMAT,
    version: 2,
    step,
    lastLoss,
    config: { ...config },
    params: encodeFloat64(learner.params),
    optimizerState: buffers.map(encodeFloat64),
  });

  // ---- Workspace: everything a step needs, allocated once. ----
  const ws = new Workspace();
  ws.ensure(s, B, true);
  const grad = new Float64Array(s.paramCount);
  const backup = new Float64Array(s.paramCount);
  const batchWords = new Int32Array(B);
  const batchRows = new Int32Array(B);
  const teacher = mode === 'teacher' ? new Float64Array(B * s.n) : null;
  const hTrue = mode === 'teacher' ? new Float64Array(B * (world as World).d) : null;
  const klOut = new Float64Array(1);
  const qRow = new Float64Array(s.n);
  const lossRows = new Float64Array(B);
  const perm = new Int32Array(examples);
  let permEpoch = -1;
  const stepsPerEpoch = Math.floor(examples / B);
  const { data: Vd, offset: vOff } = learner.vBuffer();
  const p = learner.params;

  const evaluations: { step: number; excessLoss: number }[] = [];
  const evaluate = (): number => excessLossUnchecked(fn, (world as World).V, learner, (evalCtx as ExcessLossContexts).X, (evalCtx as ExcessLossContexts).H, (evalCtx as ExcessLossContexts).weights ?? null);
  let initialExcessLoss: number | undefined;
  if (evalCtx !== null && world !== undefined) {
    initialExcessLoss = evaluate();
    evaluations.push({ step, excessLoss: initialExcessLoss });
  }
  let finalExcessLoss: number | undefined;

  const losses: number[] = [];
  let stopped: TrainResult['stopped'] = stopAt < steps ? 'stopAtStep' : 'completed';
  const Xd = X.data;
  const k = s.k;
  while (step < stopAt) {
    // ---- The batch of step `step`: a block of its epoch's permutation. ----
    const epoch = Math.floor(step / stepsPerEpoch);
    if (epoch !== permEpoch) {
      permutation(perm, rootRng.fork(`epoch:${epoch}`));
      permEpoch = epoch;
    }
    const start = (step - epoch * stepsPerEpoch) * B;
    for (let i = 0; i < B; i++) {
      const e = perm[start + i];
      const ctx = mode === 'words' ? Math.floor(e / perContext) : e;
      batchRows[i] = ctx;
      if (mode === 'words') batchWords[i] = (data.words as Int32Array)[e];
      const xo = ctx * k;
      const bo = i * k;
      for (let j = 0; j < k; j++) ws.xb[bo + j] = Xd[xo + j];
    }

    // ---- Forward, loss and gradient of the logits (in place). ----
    forwardKernel(s, p, Vd, vOff, ws, B, true);
    let total: number;
    let batchKl: number | undefined;
    if (mode === 'words') total = crossEntropyWordsKernel(ws.logits, B, s.n, batchWords, 1 / B, lossRows);
    else if (mode === 'targets') total = crossEntropyDistributionKernel(ws.logits, B, s.n, (data.targets as Matrix).data, batchRows, 1 / B);
    else {
      const w = world as World;
      const Hd = (data.H as Matrix).data;
      const dw = w.d;
      const ht = hTrue as Float64Array;
      for (let i = 0; i < B; i++) {
        const ho = batchRows[i] * dw;
        for (let j = 0; j < dw; j++) ht[i * dw + j] = Hd[ho + j];
      }
      const T = teacher as Float64Array;
      gemm(false, true, B, s.n, dw, 1, ht, 0, dw, w.V.data, 0, dw, 0, T, 0, s.n);
      total = crossEntropyTeacherKernel(ws.logits, B, s.n, T, qRow, 1 / B, klOut);
      batchKl = klOut[0] / B;
    }
    const loss = total / B;
    if (!Number.isFinite(loss)) {
      // The parameters in `p` produced this loss; `backup` holds those that produced the last
      // finite one (before the previous update). When this call has taken no step yet (a fresh start,
      // or the first step after a resume) there is nothing to undo: the learner keeps what it came with.
      const stepNo = step + 1;
      if (losses.length > 0) p.set(backup);
      const last = lastLoss === null ? 'none (no step had completed)' : `${lastLoss} at step ${step}`;
      const kept = losses.length > 0 ? 'the parameters that gave the last finite loss' : 'the parameters this call started with';
      throw new NumericalError(
        `${fn}: the batch loss must be finite; got ${describeValue(loss)} at step ${stepNo}; last finite loss: ${last}. ` +
          `The learner keeps ${kept}; lower opts.lr or add warm-up`,
      );
    }

    // ---- Backward and update. ----
    backwardKernel(s, p, Vd, vOff, ws, B, grad);
    const lr = learningRateUnchecked(step, opts);
    backup.set(p);
    optimizerStep(hyper, learner.blocks, p, grad, buffers, step + 1, lr);
    step++;
    lastLoss = loss;
    losses.push(loss);
    // An update can overflow while the loss that led to it was finite (a huge rate times a large
    // gradient). The next step's loss would catch it, but not after the last step, and a learner must
    // never be handed back holding ±Infinity or NaN. The scan costs O(paramCount), about 1/(6B) of
    // the step's products.
    for (let i = 0; i < p.length; i++) {
      if (p[i] - p[i] !== 0) {
        const bad = p[i];
        p.set(backup);
        throw new NumericalError(
          `${fn}: the parameters after the update of step ${step} must be finite; got ${describeValue(bad)} in block ${blockOf(learner, i)}; ` +
            `last finite loss: ${loss} at step ${step}. The learner keeps the parameters that gave the last finite loss; lower opts.lr or add warm-up`,
        );
      }
    }

    let excess: number | undefined;
    if (evalCtx !== null && ((evalEvery > 0 && step % evalEvery === 0) || step === stopAt)) {
      excess = evaluate();
      evaluations.push({ step, excessLoss: excess });
      if (step === stopAt) finalExcessLoss = excess;
    }
    if (checkpointEvery > 0 && step % checkpointEvery === 0 && opts.onCheckpoint !== undefined) opts.onCheckpoint(makeCheckpoint());
    if (opts.onProgress !== undefined) {
      const metrics: TrainMetrics = {
        step,
        loss,
        lr,
        ...(batchKl !== undefined ? { batchExcessLoss: batchKl } : {}),
        ...(excess !== undefined ? { excessLoss: excess } : {}),
      };
      if (opts.onProgress(step, metrics) === false) {
        if (step < stopAt) {
          stopped = 'callback';
          if (evalCtx !== null && excess === undefined) {
            finalExcessLoss = evaluate();
            evaluations.push({ step, excessLoss: finalExcessLoss });
          } else finalExcessLoss = excess;
        }
        break;
      }
    }
  }
  if (finalExcessLoss === undefined && evalCtx !== null) finalExcessLoss = evaluations[evaluations.length - 1].excessLoss;

  return {
    step,
    loss: losses.length > 0 ? losses[losses.length - 1] : null,
    losses: Float64Array.from(losses),
    ...(initialExcessLoss !== undefined ? { initialExcessLoss } : {}),
    ...(finalExcessLoss !== undefined ? { excessLoss: finalExcessLoss } : {}),
    evaluations,
    stopped,
    checkpoint: makeCheckpoint,
  };
}

/**
 * `'sha256:<hex>'` over what defines the training examples: the kind of targets, then for `X`, the
 * targets and (with teacher targets) the world's `V`, each one's dtype, shape and bytes. Hashing
 * with the library's own SHA-256 (the same in browsers) costs about 12 ms per MB on a loaded
 * machine (node:crypto: about 1.2), once per `train` call.
 */
function dataFingerprint(mode: string, X: Matrix, targets: Matrix | Int32Array, V: Matrix | null): string {
  const h = new Sha256();
  const add = (label: string, a: Matrix | Int32Array): void => {
    const arr = 'data' in a ? a.data : a;
    const shape = 'data' in a ? `${a.rows}x${a.cols}` : `${a.length}`;
    h.update(`${label}:${arr.constructor.name}:${shape};`);
    h.update(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  };
  h.update(`mode:${mode};`);
  add('X', X);
  add('targets', targets);
  if (V) add('V', V);
  return `sha256:${h.digestHex()}`;
}

/** The name of the parameter block holding `params[i]`, with the index inside it. */
function blockOf(l: Learner, i: number): string {
  for (const b of l.blocks) if (i >= b.offset && i < b.offset + b.rows * b.cols) return `${b.name}[${i - b.offset}]`;
  return `params[${i}]`;
}

/** A string that identifies the learner's architecture (sizes, layers, normalisation, tying). */
function architectureOf(l: Learner): string {
  return `n=${l.n},d=${l.d},k=${l.featureDim},hidden=${l.hidden},activation=${l.activation},norm=${l.hNorm},bias=${l.bias},trainV=${l.trainsV},params=${l.paramCount}`;
}

/** Fill `out` with a uniformly random permutation of `0..len−1` from a fresh stream. */
function permutation(out: Int32Array, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = i;
  shuffleInPlace(out, rng);
}

/** Validate a checkpoint against the run and load it into the learner and optimiser buffers. */
function restoreCheckpoint(
  fn: string,
  c: unknown,
  config: TrainCheckpoint['config'],
  learner: Learner,
  buffers: Float64Array[],
): { step: number; lastLoss: number | null } {
  const name = 'opts.resumeFrom';
  if (c === null || typeof c !== 'object') throw new FormatError(`${fn}: argument '${name}' must be a checkpoint object; got ${describeValue(c)}`);
  const ck = c as Partial<TrainCheckpoint>;
  if (ck.format !== CHECKPOINT_FORMAT || (ck.version !== 1 && ck.version !== 2)) {
    throw new FormatError(`${fn}: argument '${name}' must be a '${CHECKPOINT_FORMAT}' version 1 or 2 checkpoint; got format ${describeValue(ck.format)}, version ${describeValue(ck.version)}`);
  }
  if (typeof ck.step !== 'number' || !Number.isInteger(ck.step) || ck.step < 0) {
    throw new FormatError(`${fn}: argument '${name}.step' must be a non-negative integer; got ${describeValue(ck.step)}`);
  }
  const cfg = ck.config;
  if (cfg === null || typeof cfg !== 'object') throw new FormatError(`${fn}: argument '${name}.config' must be an object; got ${describeValue(cfg)}`);
  if (cfg.architecture !== config.architecture) {
    throw shapeError(fn, `${name}.config.architecture`, `the learner's architecture (${config.architecture})`, describeValue(cfg.architecture));
  }
  for (const key of CONFIG_KEYS) {
    if (cfg[key] !== config[key]) {
      throw domainError(fn, `${name}.config.${key}`, `equal to this run's ${key} (${String(config[key])}) for an exact continuation`, describeValue(cfg[key]));
    }
  }
  if (ck.version === 2 && cfg.data !== config.data) {
    throw domainError(fn, `${name}.config.data`, `the fingerprint of this run's data (${String(config.data)}): the checkpoint was made on other training data`, typeof cfg.data === 'string' ? JSON.stringify(cfg.data) : describeValue(cfg.data));
  }
  // Checked before anything is written, so that a rejected checkpoint leaves the learner untouched.
  if (ck.step > config.steps) throw new FormatError(`${fn}: argument '${name}.step' must be at most its config.steps = ${config.steps}; got ${ck.step}`);
  const state = ck.optimizerState;
  if (!Array.isArray(state) || state.length !== buffers.length) {
    throw new FormatError(`${fn}: argument '${name}.optimizerState' must be an array of ${buffers.length} encoded buffers; got ${describeValue(state)}`);
  }
  const params = new Float64Array(learner.params.length);
  decodeFloat64Into(fn, `${name}.params`, ck.params, params);
  for (let i = 0; i < params.length; i++) {
    if (!Number.isFinite(params[i])) throw new FormatError(`${fn}: argument '${name}.params' must hold finite values; got ${describeValue(params[i])} at [${i}]`);
  }
  const decoded = buffers.map((b, i) => {
    const out = new Float64Array(b.length);
    decodeFloat64Into(fn, `${name}.optimizerState[${i}]`, state[i], out);
    return out;
  });
  learner.params.set(params);
  decoded.forEach((d, i) => buffers[i].set(d));
  const lastLoss = typeof ck.lastLoss === 'number' ? ck.lastLoss : null;
  return { step: ck.step, lastLoss };
}
