/**
 * The checkpoint format of `train`: what a checkpoint holds, how a run's configuration is recorded
 * (so that a resumed run is rejected unless it would continue the same run exactly), and how a
 * checkpoint is written and restored.
 *
 * @internal
 */
import { Sha256 } from '../core/Sha256.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { FormatError } from '../core/errors.js';
import { describeValue, domainError, shapeError } from '../core/check.js';
import type { Learner } from './Learner.js';
import { decodeFloatsInto, encodeFloats } from './checkpointCodec.js';
import type { TrainOptions, TrainPlan } from './trainOptions.js';
import type { TrainCheckpoint } from './checkpointType.js';

export type { TrainCheckpoint } from './checkpointType.js';

/** The value of `TrainCheckpoint.format`. */
export const CHECKPOINT_FORMAT = 'lmtransfer/train-checkpoint';

/** The configuration fields (other than the architecture) that a resumed run must share with its checkpoint. */
const CONFIG_KEYS = [
  'seed', 'batchSize', 'optimizer', 'examples', 'steps', 'lr', 'schedule', 'warmupSteps', 'minLr',
  'weightDecay', 'momentum', 'beta1', 'beta2', 'eps',
] as const;

/**
 * The configuration a checkpoint of this run records.
 *
 * @example
 * ```ts
 * const learner = createLearner({ world, hidden: 16, seed: 1 });
 * const { X, words } = world.sampleCorpus(32, 1, createRng(5));
 * const opts = { steps: 10, batchSize: 8, lr: 0.01 };
 * const plan = resolveTrainPlan('train', learner, { X, words }, opts);
 * checkpointConfig(plan, learner, opts).architecture.startsWith(`n=${learner.n},d=${learner.d},`); // → true
 * ```
 */
export function checkpointConfig(plan: TrainPlan, learner: Learner, opts: TrainOptions): TrainCheckpoint['config'] {
  const h = plan.hyper;
  return {
    seed: plan.rootRng.seed,
    batchSize: plan.batchSize,
    optimizer: h.name,
    examples: plan.examples,
    architecture: architectureOf(learner),
    steps: plan.steps,
    lr: opts.lr,
    schedule: opts.schedule ?? 'constant',
    warmupSteps: opts.warmupSteps ?? 0,
    minLr: opts.minLr ?? 0,
    weightDecay: h.weightDecay,
    momentum: h.momentum,
    beta1: h.beta1,
    beta2: h.beta2,
    eps: h.eps,
    data: dataFingerprint(plan.mode, plan.X, plan.words ?? (plan.targetMatrix as Matrix), plan.mode === 'teacher' && plan.world ? plan.world.V : null),
  };
}

/**
 * A checkpoint of the current state (parameters and optimiser buffers encoded as exact bytes).
 *
 * @example
 * ```ts
 * const learner = createLearner({ world, hidden: 16, seed: 1 });
 * const { X, words } = world.sampleCorpus(32, 1, createRng(5));
 * const opts = { steps: 10, batchSize: 8, lr: 0.01 };
 * const plan = resolveTrainPlan('train', learner, { X, words }, opts);
 * const session = new TrainSession('train', learner, plan, opts);
 * const { loss } = session.step();
 * const ck = encodeCheckpoint(1, loss, checkpointConfig(plan, learner, opts), learner.params, session.buffers);
 * [ck.format, ck.step, ck.lastLoss === loss]; // → ['lmtransfer/train-checkpoint', 1, true]
 * ```
 */
export function encodeCheckpoint(step: number, lastLoss: number | null, config: TrainCheckpoint['config'], params: FloatArray, buffers: readonly FloatArray[]): TrainCheckpoint {
  return { format: CHECKPOINT_FORMAT, version: 2, step, lastLoss, config: { ...config }, params: encodeFloats(params), optimizerState: buffers.map(encodeFloats) };
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

/**
 * A string that identifies the learner's architecture (sizes, layers, normalisation, tying; the
 * dtype is appended for a float32 learner, so float64 strings are those of earlier versions).
 */
function architectureOf(l: Learner): string {
  const base = `n=${l.n},d=${l.d},k=${l.featureDim},hidden=${l.hidden},activation=${l.activation},norm=${l.hNorm},bias=${l.bias},trainV=${l.trainsV},params=${l.paramCount}`;
  return l.dtype === 'float64' ? base : `${base},dtype=${l.dtype}`;
}

/**
 * Validate a checkpoint against the run and load it into the learner and the optimiser buffers.
 * Everything is checked and decoded before anything is written, so a rejected checkpoint leaves the
 * learner untouched.
 *
 * @example
 * ```ts
 * const learner = createLearner({ world, hidden: 16, seed: 1 });
 * const { X, words } = world.sampleCorpus(32, 1, createRng(5));
 * const opts = { steps: 10, batchSize: 8, lr: 0.01 };
 * const plan = resolveTrainPlan('train', learner, { X, words }, opts);
 * const session = new TrainSession('train', learner, plan, opts);
 * const { loss } = session.step();
 * const config = checkpointConfig(plan, learner, opts);
 * const ck = encodeCheckpoint(1, loss, config, learner.params, session.buffers);
 * const fresh = createLearner({ world, hidden: 16, seed: 1 }); // the run's starting point
 * restoreCheckpoint('train', ck, config, fresh, session.buffers.map((b) => b.slice())).step; // → 1
 * fresh.params; // → Array.from(learner.params)
 * ```
 */
export function restoreCheckpoint(
  fn: string,
  c: unknown,
  config: TrainCheckpoint['config'],
  learner: Learner,
  buffers: FloatArray[],
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
  if (ck.step > config.steps) throw new FormatError(`${fn}: argument '${name}.step' must be at most its config.steps = ${config.steps}; got ${ck.step}`);
  const state = ck.optimizerState;
  if (!Array.isArray(state) || state.length !== buffers.length) {
    throw new FormatError(`${fn}: argument '${name}.optimizerState' must be an array of ${buffers.length} encoded buffers; got ${describeValue(state)}`);
  }
  const params = learner.params.slice();
  decodeFloatsInto(fn, `${name}.params`, ck.params, params);
  for (let i = 0; i < params.length; i++) {
    if (!Number.isFinite(params[i])) throw new FormatError(`${fn}: argument '${name}.params' must hold finite values; got ${describeValue(params[i])} at [${i}]`);
  }
  const decoded = buffers.map((b, i) => {
    const out = b.slice();
    decodeFloatsInto(fn, `${name}.optimizerState[${i}]`, state[i], out);
    return out;
  });
  learner.params.set(params);
  decoded.forEach((d, i) => buffers[i].set(d));
  const lastLoss = typeof ck.lastLoss === 'number' ? ck.lastLoss : null;
  return { step: ck.step, lastLoss };
}
