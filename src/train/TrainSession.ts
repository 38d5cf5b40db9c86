/**
 * The step loop's state and one step of `train`: the batch order, the workspace, the gradient and
 * the optimiser buffers, all allocated once; `step()` takes one step. `train` is argument checking
 * (`resolveTrainPlan`), an optional restore (`restoreCheckpoint`), then `step()` until done with
 * evaluations and callbacks in between. The benchmark's training-step row drives `step()` directly so
 * that it times a step of `train` without the per-call set-up (validation, data fingerprint,
 * allocation) that a real run pays once.
 *
 * @internal
 */
import type { FloatArray, Matrix } from '../core/matrix.js';
import { NumericalError } from '../core/errors.js';
import { describeValue } from '../core/check.js';
import { gemm } from '../linalg/gemm.js';
import type { Rng } from '../random/index.js';
import { shuffleInPlace } from '../random/permutation.js';
import type { World } from '../model/index.js';
import type { Learner } from './Learner.js';
import { backwardKernel, forwardKernel, Workspace } from './learnerKernel.js';
import { crossEntropyDistributionKernel, crossEntropyTeacherKernel, crossEntropyWordsKernel } from './lossKernel.js';
import { optimizerBufferCount, optimizerStep } from './optimizerKernel.js';
import { learningRateUnchecked } from './learningRateAt.js';
import type { TrainOptions, TrainPlan } from './trainOptions.js';

/** What one step reports. */
export interface StepOutcome {
  /** Mean loss of the batch, before the update. */
  readonly loss: number;
  /** Learning rate of the step. */
  readonly lr: number;
  /** With teacher targets: the batch's mean exact KL, else undefined. */
  readonly batchKl: number | undefined;
}

/**
 * The state of a training run between steps.
 *
 * @example
 * ```ts
 * const learner = createLearner({ world, hidden: 16, seed: 1 });
 * const { X, words } = world.sampleCorpus(32, 1, createRng(5));
 * const opts = { steps: 10, batchSize: 8, lr: 0.01 };
 * const session = new TrainSession('train', learner, resolveTrainPlan('train', learner, { X, words }, opts), opts);
 * const { loss } = session.step(); // the first batch's mean loss
 * [Number.isFinite(loss), session.stepCount, session.lastLoss === loss]; // → [true, 1, true]
 * ```
 */
export class TrainSession {
  /** Steps completed in total (including those restored from a checkpoint). */
  stepCount = 0;
  /** Loss of the last completed step, or null. */
  lastLoss: number | null = null;
  /** Steps taken by this session (not restored ones). */
  taken = 0;
  /** Optimiser state, in the learner's dtype. */
  readonly buffers: FloatArray[] = [];

  private readonly ws: Workspace;
  private readonly grad: FloatArray;
  private readonly backup: FloatArray;
  private readonly batchWords: Int32Array;
  private readonly batchRows: Int32Array;
  private readonly teacher: Float64Array | null;
  private readonly hTrue: Float64Array | null;
  private readonly klOut = new Float64Array(1);
  private readonly qRow: Float64Array;
  private readonly perm: Int32Array;
  private permEpoch = -1;
  private readonly stepsPerEpoch: number;

  constructor(
    private readonly fn: string,
    private readonly learner: Learner,
    private readonly plan: TrainPlan,
    private readonly schedule: Pick<TrainOptions, 'lr' | 'steps' | 'schedule' | 'warmupSteps' | 'minLr'>,
  ) {
    const s = learner.shape;
    const B = plan.batchSize;
    const F = s.dtype === 'float32' ? Float32Array : Float64Array;
    for (let i = 0; i < optimizerBufferCount(plan.hyper); i++) this.buffers.push(new F(s.paramCount));
    this.ws = new Workspace(s.dtype);
    this.ws.ensure(s, B, true);
    this.grad = new F(s.paramCount);
    this.backup = new F(s.paramCount);
    this.batchWords = new Int32Array(B);
    this.batchRows = new Int32Array(B);
    const teacherMode = plan.mode === 'teacher';
    this.teacher = teacherMode ? new Float64Array(B * s.n) : null;
    this.hTrue = teacherMode ? new Float64Array(B * (plan.world as World).d) : null;
    this.qRow = new Float64Array(s.n);
    this.perm = new Int32Array(plan.examples);
    this.stepsPerEpoch = Math.floor(plan.examples / B);
  }

  /**
   * Take step number `stepCount + 1`: gather its batch, forward, loss and logit gradient (in place),
   * backward, one optimiser update. Throws `NumericalError` (restoring the parameters of the last
   * finite loss) when the loss or an updated parameter is not finite.
   */
  step(): StepOutcome {
    const { learner, plan, ws, fn } = this;
    const s = learner.shape;
    const B = plan.batchSize;
    const p = learner.params;
    const { data: Vd, offset: vOff } = learner.vBuffer();
    const step = this.stepCount;

    // ---- The batch of step `step`: a block of its epoch's permutation. ----
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.permEpoch) {
      permutation(this.perm, plan.rootRng.fork(`epoch:${epoch}`));
      this.permEpoch = epoch;
    }
    const start = (step - epoch * this.stepsPerEpoch) * B;
    const Xd = plan.X.data;
    const k = s.k;
    const words = plan.words;
    for (let i = 0; i < B; i++) {
      const e = this.perm[start + i];
      const ctx = words !== null ? Math.floor(e / plan.perContext) : e;
      this.batchRows[i] = ctx;
      if (words !== null) this.batchWords[i] = words[e];
      ws.xb.set(Xd.subarray(ctx * k, ctx * k + k), i * k);
    }

    // ---- Forward, loss and gradient of the logits (in place). ----
    forwardKernel(s, p, Vd, vOff, ws, B, true);
    let total: number;
    let batchKl: number | undefined;
    if (plan.mode === 'words') total = crossEntropyWordsKernel(ws.logits, B, s.n, this.batchWords, 1 / B, ws);
    else if (plan.mode === 'targets') total = crossEntropyDistributionKernel(ws.logits, B, s.n, (plan.targetMatrix as Matrix).data, this.batchRows, 1 / B, ws);
    else {
      const w = plan.world as World;
      const Hd = (plan.targetMatrix as Matrix).data;
      const dw = w.d;
      const ht = this.hTrue as Float64Array;
      for (let i = 0; i < B; i++) {
        const ho = this.batchRows[i] * dw;
        for (let j = 0; j < dw; j++) ht[i * dw + j] = Hd[ho + j];
      }
      const T = this.teacher as Float64Array;
      gemm(false, true, B, s.n, dw, 1, ht, 0, dw, w.V.data, 0, dw, 0, T, 0, s.n);
      total = crossEntropyTeacherKernel(ws.logits, B, s.n, T, this.qRow, 1 / B, this.klOut, ws);
      batchKl = this.klOut[0] / B;
    }
    const loss = total / B;
    if (!Number.isFinite(loss)) {
      // The parameters in `p` produced this loss; `backup` holds those that produced the last
      // finite one (before the previous update). When this session has taken no step yet (a fresh
      // start, or the first step after a resume) there is nothing to undo.
      const stepNo = step + 1;
      if (this.taken > 0) p.set(this.backup);
      const last = this.lastLoss === null ? 'none (no step had completed)' : `${this.lastLoss} at step ${step}`;
      const kept = this.taken > 0 ? 'the parameters that gave the last finite loss' : 'the parameters this call started with';
      throw new NumericalError(
        `${fn}: the batch loss must be finite; got ${describeValue(loss)} at step ${stepNo}; last finite loss: ${last}. ` +
          `The learner keeps ${kept}; lower opts.lr or add warm-up`,
      );
    }

    // ---- Backward and update. ----
    backwardKernel(s, p, Vd, vOff, ws, B, this.grad);
    const lr = learningRateUnchecked(step, this.schedule);
    this.backup.set(p);
    optimizerStep(plan.hyper, learner.blocks, p, this.grad, this.buffers, step + 1, lr);
    this.stepCount = step + 1;
    this.lastLoss = loss;
    this.taken++;
    // An update can overflow while the loss that led to it was finite (a huge rate times a large
    // gradient; for a float32 learner, any value beyond 3.4e38). The next step's loss would catch
    // it, but not after the last step, and a learner must never be handed back holding ±Infinity or
    // NaN. The scan costs O(paramCount), about 1/(6B) of the step's products.
    for (let i = 0; i < p.length; i++) {
      if (p[i] - p[i] !== 0) {
        const bad = p[i];
        p.set(this.backup);
        throw new NumericalError(
          `${fn}: the parameters after the update of step ${this.stepCount} must be finite; got ${describeValue(bad)} in block ${blockOf(learner, i)}; ` +
            `last finite loss: ${loss} at step ${this.stepCount}. The learner keeps the parameters that gave the last finite loss; lower opts.lr or add warm-up`,
        );
      }
    }
    return { loss, lr, batchKl };
  }
}

/** The name of the parameter block holding `params[i]`, with the index inside it. */
function blockOf(l: Learner, i: number): string {
  for (const b of l.blocks) if (i >= b.offset && i < b.offset + b.rows * b.cols) return `${b.name}[${i - b.offset}]`;
  return `params[${i}]`;
}

/** Fill `out` with a uniformly random permutation of `0..len−1` from a fresh stream. */
function permutation(out: Int32Array, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = i;
  shuffleInPlace(out, rng);
}
