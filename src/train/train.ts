/** Mini-batch training of a learner by cross-entropy: SGD with momentum, Adam or AdamW. */
import type { Matrix } from '../core/matrix.js';
import type { World } from '../model/index.js';
import type { Learner } from './Learner.js';
import { excessLossUnchecked } from './excessLoss.js';
import type { ExcessLossContexts } from './excessLoss.js';
import { resolveTrainPlan } from './trainOptions.js';
import type { TrainData, TrainMetrics, TrainOptions } from './trainOptions.js';
import { checkpointConfig, encodeCheckpoint, restoreCheckpoint } from './trainCheckpoint.js';
import type { TrainCheckpoint } from './trainCheckpoint.js';
import { TrainSession } from './TrainSession.js';

export type { OptimizerName } from './optimizerKernel.js';
export type { TrainData, TrainMetrics, TrainOptions } from './trainOptions.js';
export type { TrainCheckpoint } from './trainCheckpoint.js';

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

/** What `train` returns when it measures `ε`: a world with `data.H` or `opts.evalContexts`. */
export interface TrainResultWithExcessLoss extends TrainResult {
  /** Exact `ε` before this call's first step. */
  readonly initialExcessLoss: number;
  /** Exact `ε` after the last step. */
  readonly excessLoss: number;
}

/**
 * Train `learner` (its `params` are updated in place) by mini-batch cross-entropy.
 *
 * **Batches.** Examples are visited in epochs; epoch `e` is a permutation drawn from
 * `createRng(seed).fork('epoch:' + e)` and step `t` takes the `t`-th block of `batchSize` examples
 * of its epoch (the last `examples mod batchSize` of each permutation are skipped, different ones each
 * epoch). The batch of a step therefore depends only on the seed and the step number, never on the
 * history, which is what makes resuming exact.
 *
 * **A step** gathers the batch, runs the forward pass, the fused softmax cross-entropy (the
 * library's one cross-entropy row, also behind `crossEntropy` and `Learner.lossAndGradient`: the
 * gradient `softmax(z)·Σq − q`, i.e. `softmax(z) − q` for a distribution, written over the logits), the backward pass (`∂V̂ = Gᵀĥ`, `∂ĥ = G V̂`, then the
 * map's layers; every product through `gemm`, every buffer reused), and one optimiser update with the
 * scheduled learning rate. The reported loss is the batch mean before the update, without weight
 * decay.
 *
 * **Precision.** A float32 learner (`createLearner({ dtype: 'float32' })`) is trained with float32
 * parameters, activations, gradient and optimiser state (see `optimizerKernel`'s note for why the
 * state follows the parameters); the loss, its log-sum-exps and every reduction outside the products
 * are float64. Checkpoints store the learner's dtype as it is, so a float32 run resumes bit for bit.
 *
 * **Typed result.** With a world and contexts to measure `ε` on (`data.H`, or `opts.evalContexts`),
 * the result is a `TrainResultWithExcessLoss`: `initialExcessLoss` and `excessLoss` are numbers, no
 * `!` needed. A world alone (sampled words, no evaluation contexts) measures nothing.
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
 * result.initialExcessLoss / result.excessLoss; // how much ε fell (both typed number: data has H)
 * ```
 */
export function train(learner: Learner, data: TrainData & { readonly H: Matrix }, opts: TrainOptions & { world: World }): TrainResultWithExcessLoss;
export function train(learner: Learner, data: TrainData, opts: TrainOptions & { world: World; evalContexts: ExcessLossContexts }): TrainResultWithExcessLoss;
export function train(learner: Learner, data: TrainData, opts: TrainOptions): TrainResult;
export function train(learner: Learner, data: TrainData, opts: TrainOptions): TrainResult {
  const fn = 'train';
  const plan = resolveTrainPlan(fn, learner, data, opts);
  const config = checkpointConfig(plan, learner, opts);
  const session = new TrainSession(fn, learner, plan, opts);
  if (opts.resumeFrom !== undefined) {
    const r = restoreCheckpoint(fn, opts.resumeFrom, config, learner, session.buffers);
    session.stepCount = r.step;
    session.lastLoss = r.lastLoss;
  }
  const makeCheckpoint = (): TrainCheckpoint => encodeCheckpoint(session.stepCount, session.lastLoss, config, learner.params, session.buffers);

  const { world, evalCtx, stopAt, evalEvery, checkpointEvery } = plan;
  const evaluations: { step: number; excessLoss: number }[] = [];
  const evaluate = (): number => {
    const ec = evalCtx as ExcessLossContexts;
    const eps = excessLossUnchecked(fn, (world as World).V, learner, ec.X, ec.H, ec.weights ?? null);
    evaluations.push({ step: session.stepCount, excessLoss: eps });
    return eps;
  };
  const measures = evalCtx !== null && world !== undefined;
  const initialExcessLoss = measures ? evaluate() : undefined;
  let finalExcessLoss: number | undefined;

  const losses: number[] = [];
  let stopped: TrainResult['stopped'] = stopAt < plan.steps ? 'stopAtStep' : 'completed';
  while (session.stepCount < stopAt) {
    const { loss, lr, batchKl } = session.step();
    const step = session.stepCount;
    losses.push(loss);
    let excess: number | undefined;
    if (measures && ((evalEvery > 0 && step % evalEvery === 0) || step === stopAt)) {
      excess = evaluate();
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
          finalExcessLoss = measures && excess === undefined ? evaluate() : excess;
        }
        break;
      }
    }
  }
  if (finalExcessLoss === undefined && measures) finalExcessLoss = evaluations[evaluations.length - 1].excessLoss;

  return {
    step: session.stepCount,
    loss: losses.length > 0 ? losses[losses.length - 1] : null,
    losses: Float64Array.from(losses),
    ...(initialExcessLoss !== undefined ? { initialExcessLoss } : {}),
    ...(finalExcessLoss !== undefined ? { excessLoss: finalExcessLoss } : {}),
    evaluations,
    stopped,
    checkpoint: makeCheckpoint,
  };
}
