/**
 * `train` on the tiny world: reproducibility, checkpoint and resume bit for bit, progress reports,
 * failure on a non-finite loss, and every documented throw.
 */
import { generateWorld } from '../../src/model/generateWorld.js';
import { createLearner } from '../../src/train/createLearner.js';
import type { Learner } from '../../src/train/Learner.js';
import { train } from '../../src/train/train.js';
import type { TrainCheckpoint, TrainData, TrainMetrics, TrainOptions } from '../../src/train/train.js';
import { learningRateAt } from '../../src/train/learningRateAt.js';
import { excessLoss } from '../../src/train/excessLoss.js';
import { createRng } from '../../src/random/createRng.js';
import { matrix } from '../../src/core/matrix.js';
import { DomainError, FormatError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { sameBits } from '../model/bits.js';
import { expectThrow } from '../model/expectThrow.js';
import { encodeFloats } from '../../src/train/checkpointCodec.js';

const world = generateWorld({ preset: 'tiny', seed: 4 });
const corpus = world.sampleCorpus(200, 3, createRng('tiny-corpus'));
const logP = world.trueLogProbs(corpus.H);
const targets = matrix(logP.rows, logP.cols, logP.data.map(Math.exp));

const dataOf = (mode: 'words' | 'H' | 'targets'): TrainData =>
  mode === 'words' ? { X: corpus.X, words: corpus.words } : mode === 'H' ? { X: corpus.X, H: corpus.H } : { X: corpus.X, targets };

const newLearner = (seed = 1): Learner => createLearner({ world, hidden: 6, seed });

describe('train (tiny world)', () => {
  const cases: [string, 'words' | 'H' | 'targets', Partial<TrainOptions>][] = [
    ['Adam, sampled words', 'words', { optimizer: 'adam' }],
    ['SGD with momentum, full distributions from the world', 'H', { optimizer: 'sgd', momentum: 0.9, lr: 0.05, weightDecay: 1e-3 }],
    ['AdamW, explicit target distributions', 'targets', { optimizer: 'adamw', weightDecay: 0.01 }],
  ];

  it.each(cases)('resumes from a JSON checkpoint bit for bit (%s)', (_name, mode, extra) => {
    const opts: TrainOptions = { world, lr: 0.01, steps: 14, batchSize: 32, schedule: 'cosine', warmupSteps: 3, seed: 'resume', ...extra };
    const whole = newLearner();
    const wholeResult = train(whole, dataOf(mode), opts);
    expect(wholeResult.stopped).toBe('completed');

    const first = newLearner();
    const half = train(first, dataOf(mode), { ...opts, stopAtStep: 6 });
    expect(half.step).toBe(6);
    expect(half.stopped).toBe('stopAtStep');
    // Through JSON text, as a checkpoint file would be.
    const saved = JSON.parse(JSON.stringify(half.checkpoint())) as TrainCheckpoint;
    // A learner with a different initialisation: the checkpoint must overwrite everything.
    const resumed = newLearner(99);
    const rest = train(resumed, dataOf(mode), { ...opts, resumeFrom: saved });
    expect(rest.step).toBe(14);
    expect(sameBits(resumed.params, whole.params)).toBe(true);
    expect(Array.from(half.losses).concat(Array.from(rest.losses))).toEqual(Array.from(wholeResult.losses));
    expect(rest.checkpoint().params).toBe(wholeResult.checkpoint().params);
    expect(rest.checkpoint().optimizerState).toEqual(wholeResult.checkpoint().optimizerState);
  });

  it('hands out periodic checkpoints through onCheckpoint that resume exactly', () => {
    const opts: TrainOptions = { lr: 0.01, steps: 10, batchSize: 50, seed: 3 };
    const saved: TrainCheckpoint[] = [];
    const whole = newLearner();
    train(whole, dataOf('words'), { ...opts, checkpointEvery: 4, onCheckpoint: (c) => saved.push(c) });
    expect(saved.map((c) => c.step)).toEqual([4, 8]);
    const resumed = newLearner();
    train(resumed, dataOf('words'), { ...opts, resumeFrom: saved[1] });
    expect(sameBits(resumed.params, whole.params)).toBe(true);
  });

  it('reports the last loss, and takes no step when resumed at the final step', () => {
    const opts: TrainOptions = { lr: 0.01, steps: 3, batchSize: 50 };
    const learner = newLearner();
    const done = train(learner, dataOf('words'), opts);
    expect(done.loss).toBe(done.losses[2]);
    const before = learner.params.slice();
    const again = train(learner, dataOf('words'), { ...opts, resumeFrom: done.checkpoint() });
    expect(again.step).toBe(3);
    expect(again.loss).toBeNull();
    expect(again.losses.length).toBe(0);
    expect(again.stopped).toBe('completed');
    expect(sameBits(before, learner.params)).toBe(true);
  });

  it('is bit-identical for the same seed and different for another (learner init and batch order)', () => {
    const opts: TrainOptions = { lr: 0.01, steps: 8, batchSize: 40, seed: 5 };
    const [a, b, c, e] = [newLearner(1), newLearner(1), newLearner(2), newLearner(1)];
    train(a, dataOf('H'), { ...opts, world });
    train(b, dataOf('H'), { ...opts, world });
    train(c, dataOf('H'), { ...opts, world });
    train(e, dataOf('H'), { ...opts, world, seed: 6 });
    expect(sameBits(a.params, b.params)).toBe(true);
    expect(sameBits(a.params, c.params)).toBe(false);
    expect(sameBits(a.params, e.params)).toBe(false);
  });

  it('reports loss, learning rate, batch KL and periodic exact ε to onProgress, and stops when it returns false', () => {
    const seen: [number, TrainMetrics][] = [];
    const opts: TrainOptions = { world, lr: 0.02, steps: 10, batchSize: 20, schedule: 'linear', warmupSteps: 2, evalEvery: 2 };
    const learner = newLearner();
    // The reported ε must be the exact excess loss of the learner as it stands when reported: recompute
    // it inside the callback (bitwise: same kernels, same order).
    const exact: [number, number][] = [];
    const onProgress = (s: number, m: TrainMetrics): boolean => {
      seen.push([s, m]);
      if (m.excessLoss !== undefined) exact.push([m.excessLoss, excessLoss(world, learner, { X: corpus.X, H: corpus.H })]);
      return s < 5;
    };
    const result = train(learner, dataOf('H'), { ...opts, onProgress });
    expect(result.stopped).toBe('callback');
    expect(result.step).toBe(5);
    expect(seen.map(([s]) => s)).toEqual([1, 2, 3, 4, 5]);
    for (const [s, m] of seen) {
      expect(m.step).toBe(s);
      expect(m.lr).toBe(learningRateAt(s - 1, opts));
      expect(Number.isFinite(m.loss)).toBe(true);
      // With full-distribution targets, CE − KL is the batch's mean entropy of p*, so KL < CE.
      expect(m.batchExcessLoss!).toBeGreaterThan(0);
      expect(m.batchExcessLoss!).toBeLessThan(m.loss);
      expect(m.excessLoss !== undefined).toBe(s % 2 === 0);
    }
    expect(result.evaluations.map((e) => e.step)).toEqual([0, 2, 4, 5]);
    expect(exact.length).toBe(2);
    for (const [reported, recomputed] of exact) expect(reported).toBe(recomputed);
    // Fresh values each time (training moved ε between steps 2 and 4), and the same as `evaluations`.
    expect(exact[1][0]).not.toBe(exact[0][0]);
    expect(result.evaluations.slice(1, 3).map((e) => e.excessLoss)).toEqual(exact.map(([r]) => r));
    // The final evaluation is the exact ε of the learner as it stands.
    expect(result.excessLoss).toBe(excessLoss(world, learner, { X: corpus.X, H: corpus.H }));
    expect(result.losses.length).toBe(5);
  });

  it('applies weight decay to weights and V̂ only, never to biases', () => {
    // With lr·λ large and a tiny gradient signal, decoupled decay shrinks every weight block.
    const a = newLearner();
    const b = newLearner();
    for (const l of [a, b]) for (const blk of l.blocks) if (blk.name === 'b1' || blk.name === 'b2') l.params.fill(0.5, blk.offset, blk.offset + blk.cols);
    const opts: TrainOptions = { optimizer: 'adamw', lr: 1e-3, steps: 20, batchSize: 50 };
    train(a, dataOf('words'), opts);
    train(b, dataOf('words'), { ...opts, weightDecay: 50 });
    const norm = (l: Learner, name: string): number => {
      const blk = l.blocks.find((x) => x.name === name)!;
      let s = 0;
      for (let i = blk.offset; i < blk.offset + blk.rows * blk.cols; i++) s += l.params[i] ** 2;
      return Math.sqrt(s);
    };
    // (1 − lr·λ)^20 = 0.95^20 ≈ 0.36 from decay alone.
    for (const name of ['W1', 'W2', 'V']) expect(norm(b, name)).toBeLessThan(0.6 * norm(a, name));
    // Biases move only with their gradients: each Adam step moves an entry by at most about lr, so
    // after 20 steps the two runs' bias norms differ by at most 2·20·lr·√len (len ≤ 8). Decay on
    // biases would instead shrink their norm (0.5·√len at the start) by a factor 0.36.
    for (const name of ['b1', 'b2']) expect(Math.abs(norm(b, name) - norm(a, name))).toBeLessThan(2 * 20 * 1e-3 * Math.sqrt(8));
  });

  it('stops on a non-finite loss with a NumericalError naming the step and the last finite loss, keeping the last good parameters', () => {
    const opts: TrainOptions = { optimizer: 'sgd', momentum: 0, lr: 1e12, steps: 200, batchSize: 20, seed: 1 };
    const learner = newLearner();
    let err: unknown;
    try {
      train(learner, dataOf('words'), opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NumericalError);
    const msg = (err as Error).message;
    const match = /^train: the batch loss must be finite; got (NaN|Infinity) at step (\d+); last finite loss: (\S+) at step (\d+)\. The learner keeps the parameters that gave the last finite loss; lower opts\.lr or add warm-up$/.exec(msg);
    expect(match).not.toBeNull();
    const failed = Number(match![2]);
    const lastStep = Number(match![4]);
    expect(lastStep).toBe(failed - 1);
    expect(failed).toBeGreaterThanOrEqual(3);
    expect(Number.isFinite(Number(match![3]))).toBe(true);
    // The parameters that gave the loss of step `lastStep` are those after lastStep − 1 updates.
    const replay = newLearner();
    const r = train(replay, dataOf('words'), { ...opts, stopAtStep: lastStep - 1 });
    expect(r.step).toBe(lastStep - 1);
    expect(sameBits(learner.params, replay.params)).toBe(true);
    for (const v of learner.params) expect(Number.isFinite(v)).toBe(true);
  });

  it('stops when an update overflows a parameter, restoring the parameters of the last finite loss (no silent Infinity)', () => {
    // A large output bias makes ĥ ≈ 1e3 and so the gradient of V̂ of order 1e3/B = 50 (the loss stays
    // finite: logits of order 0.02·1e3·√8); one SGD step at lr = 1e308 then overflows.
    const learner = newLearner();
    const b2 = learner.blocks.find((b) => b.name === 'b2')!;
    learner.params.fill(1e3, b2.offset, b2.offset + b2.cols);
    const before = learner.params.slice();
    let err: unknown;
    try {
      train(learner, dataOf('words'), { optimizer: 'sgd', momentum: 0, lr: 1e308, steps: 1, batchSize: 20 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NumericalError);
    expect((err as Error).message).toMatch(
      /^train: the parameters after the update of step 1 must be finite; got (-?Infinity|NaN) in block (W1|b1|W2|b2|V)\[\d+\]; last finite loss: \S+ at step 1\. The learner keeps the parameters that gave the last finite loss; lower opts\.lr or add warm-up$/,
    );
    expect(sameBits(learner.params, before)).toBe(true);
  });

  it('keeps the parameters it started with when its first step fails (fresh, or just resumed)', () => {
    // Every entry of V̂ at 1e308 and ĥ ≈ 10 in every coordinate (output bias 10): every logit is
    // 1e308·Σ_j ĥ_j = +Infinity, so the log-sum-exp is Infinity − Infinity = NaN. (Finite logits,
    // however large, would give a finite loss: softmax cross-entropy is shift-invariant.)
    const learner = newLearner();
    const V = learner.blocks.find((b) => b.name === 'V')!;
    const b2 = learner.blocks.find((b) => b.name === 'b2')!;
    learner.params.fill(1e308, V.offset, V.offset + V.rows * V.cols);
    learner.params.fill(10, b2.offset, b2.offset + b2.cols);
    const before = learner.params.slice();
    const opts: TrainOptions = { lr: 0.01, steps: 4, batchSize: 20 };
    expectThrow(
      () => train(learner, dataOf('words'), opts),
      NumericalError,
      'train: the batch loss must be finite; got NaN at step 1; last finite loss: none (no step had completed). The learner keeps the parameters this call started with; lower opts.lr or add warm-up',
    );
    expect(sameBits(learner.params, before)).toBe(true);
    // A checkpoint whose parameters are finite but overflow the logits: the resumed call's first step fails.
    const ck = train(newLearner(), dataOf('words'), { ...opts, stopAtStep: 2 }).checkpoint();
    const resumed = newLearner();
    const params = before;
    expectThrow(
      () => train(resumed, dataOf('words'), { ...opts, resumeFrom: { ...ck, params: encodeFloats(params) } }),
      NumericalError,
      `train: the batch loss must be finite; got NaN at step 3; last finite loss: ${ck.lastLoss} at step 2. The learner keeps the parameters this call started with`,
    );
    expect(sameBits(resumed.params, params)).toBe(true);
  });

  it('does not mutate its data', () => {
    const copies = [corpus.X.data.slice(), corpus.words.slice(), corpus.H.data.slice(), targets.data.slice()];
    for (const mode of ['words', 'H', 'targets'] as const) train(newLearner(), dataOf(mode), { world, lr: 0.01, steps: 2, batchSize: 10 });
    expect(sameBits(copies[0], corpus.X.data)).toBe(true);
    expect(sameBits(copies[1], corpus.words)).toBe(true);
    expect(sameBits(copies[2], corpus.H.data)).toBe(true);
    expect(sameBits(copies[3], targets.data)).toBe(true);
  });

  describe('throws typed errors naming the function and argument', () => {
    const base: TrainOptions = { lr: 0.01, steps: 5, batchSize: 10 };
    const l = newLearner();
    const data = dataOf('words');

    it('rejects bad options', () => {
      expectThrow(() => train(l, data, { ...base, lr: 0 }), DomainError, "train: argument 'opts.lr' must be a finite number > 0; got 0");
      expectThrow(() => train(l, data, { ...base, lr: -1 }), DomainError, "train: argument 'opts.lr' must be a finite number > 0; got -1");
      expectThrow(() => train(l, data, { ...base, batchSize: 0 }), DomainError, "train: argument 'opts.batchSize' must be an integer ≥ 1; got 0");
      expectThrow(() => train(l, data, { ...base, batchSize: 601 }), ShapeError, "train: argument 'opts.batchSize' must be at most the number of examples (600); got 601");
      expectThrow(() => train(l, dataOf('H'), { ...base, world, batchSize: 201 }), ShapeError, "train: argument 'opts.batchSize' must be at most the number of examples (200); got 201");
      expectThrow(() => train(l, data, { ...base, optimizer: 'rmsprop' as never }), DomainError, "train: argument 'opts.optimizer' must be one of 'sgd', 'adam', 'adamw'; got \"rmsprop\"");
      expectThrow(() => train(l, data, { ...base, schedule: 'step' as never }), DomainError, "train: argument 'opts.schedule' must be one of 'constant', 'cosine', 'linear'; got \"step\"");
      expectThrow(() => train(l, data, { ...base, steps: 0 }), DomainError, "train: argument 'opts.steps' must be an integer ≥ 1; got 0");
      expectThrow(() => train(l, data, { ...base, minLr: 1 }), DomainError, "train: argument 'opts.minLr' must be a finite number in [0, 0.01]; got 1");
      expectThrow(() => train(l, data, { ...base, momentum: 1 }), DomainError, "train: argument 'opts.momentum' must be a finite number in [0, 1); got 1");
      expectThrow(() => train(l, data, { ...base, weightDecay: -1 }), DomainError, "train: argument 'opts.weightDecay' must be a finite number ≥ 0; got -1");
      expectThrow(() => train(l, data, { ...base, stopAtStep: 6 }), DomainError, "train: argument 'opts.stopAtStep' must be an integer in [0, 5]; got 6");
      expectThrow(() => train(l, data, { ...base, world, evalEvery: 2 }), DomainError, "train: argument 'opts.evalContexts' must be given when opts.evalEvery > 0 and data has no H; got undefined");
      expectThrow(() => train(l, data, { ...base, seed: Infinity }), DomainError, "train: argument 'opts.seed' must be a non-empty string or a finite number; got Infinity");
      expectThrow(() => train(l, data, { ...base, optimizer: 'adam', beta1: 1 }), DomainError, "train: argument 'opts.beta1' must be a finite number in [0, 1); got 1");
      expectThrow(() => train(l, data, { ...base, eps: 0 }), DomainError, "train: argument 'opts.eps' must be a finite number > 0; got 0");
      expectThrow(() => train(l, data, { ...base, lr: NaN }), DomainError, "train: argument 'opts.lr' must be a finite number > 0; got NaN");
      expectThrow(() => train(l, data, { ...base, batchSize: 2.5 }), DomainError, "train: argument 'opts.batchSize' must be an integer ≥ 1; got 2.5");
      expectThrow(() => train(l, data, { ...base, onProgress: 3 as never }), DomainError, "train: argument 'opts.onProgress' must be a function; got 3");
      expectThrow(() => train(l, data, { ...base, onCheckpoint: 'x' as never }), DomainError, "train: argument 'opts.onCheckpoint' must be a function; got \"x\"");
      expectThrow(() => train(l, data, { ...base, checkpointEvery: -1 }), DomainError, "train: argument 'opts.checkpointEvery' must be an integer ≥ 0; got -1");
      expectThrow(() => train(l, data, { ...base, evalEvery: 1.5 }), DomainError, "train: argument 'opts.evalEvery' must be an integer ≥ 0; got 1.5");
      expectThrow(() => train(l, data, { ...base, world: {} as never }), DomainError, "train: argument 'opts.world' must be a World from generateWorld; got an object (Object)");
      expectThrow(() => train(l, data, { ...base, evalContexts: { X: corpus.X, H: corpus.H } }), DomainError, "train: argument 'opts.world' must be a World when opts.evalContexts is given; got undefined");
      expectThrow(() => train(l, data, { ...base, world, evalContexts: { X: matrix(3, 5), H: matrix(3, 8) } }), ShapeError, "train: argument 'opts.evalContexts.X' must be a matrix with 6 columns (learner.featureDim); got a 3×5 matrix");
      expectThrow(() => train(l, data, { ...base, world, evalContexts: { X: matrix(3, 6), H: matrix(2, 8) } }), ShapeError, "train: argument 'opts.evalContexts.H' must be a 3×8 matrix (X.rows × world.d); got a 2×8 matrix");
      expectThrow(() => train(l, data, { ...base, world, evalContexts: { X: matrix(3, 6), H: matrix(3, 8), weights: new Float64Array(3) } }), DomainError, "train: argument 'opts.evalContexts.weights' must be weights with a positive sum; got a sum of 0");
      expectThrow(() => train(l, null as never, base), DomainError, "train: argument 'data' must be an object { X, words | targets | H }; got null");
      expectThrow(() => train(l, data, null as never), DomainError, "train: argument 'opts' must be an options object { steps, batchSize, lr, … }; got null");
      expectThrow(() => train({} as Learner, data, base), DomainError, "train: argument 'learner' must be a Learner from createLearner; got an object (Object)");
    });

    it('rejects data that does not fit the learner', () => {
      expectThrow(() => train(l, { X: matrix(5, 4), words: new Int32Array(5) }, base), ShapeError, "train: argument 'data.X' must be a matrix with 6 columns (learner.featureDim); got a 5×4 matrix");
      expectThrow(() => train(l, { X: corpus.X }, base), DomainError, "train: argument 'data' must be exactly one of words, targets or H; got none of them");
      expectThrow(() => train(l, { X: corpus.X, words: corpus.words, H: corpus.H }, base), DomainError, "train: argument 'data' must be exactly one of words, targets or H; got 2 of them");
      expectThrow(() => train(l, { X: corpus.X, words: new Int32Array(201) }, base), ShapeError, "train: argument 'data.words' must be a non-empty multiple of X.rows = 200 words (k per context); got length 201");
      expectThrow(() => train(l, { X: corpus.X, words: new Int32Array(200).fill(64) }, base), DomainError, "train: argument 'data.words' must be word indices in [0, 64); got 64 at position 0");
      expectThrow(() => train(l, dataOf('H'), base), DomainError, "train: argument 'opts.world' must be a World when data.H gives full-distribution targets; got undefined");
      expectThrow(() => train(l, { X: corpus.X, H: matrix(200, 3) }, { ...base, world }), ShapeError, "train: argument 'data.H' must be a 200×8 matrix (X.rows × world.d); got a 200×3 matrix");
      const bad = targets.data.slice();
      bad[0] += 0.1;
      expectThrow(() => train(l, { X: corpus.X, targets: matrix(200, 64, bad) }, base), DomainError, "train: argument 'data.targets' must be rows summing to 1 (within 1.000e-6 = 1e-6 + n·u); got row 0 sums to");
      const other = generateWorld({ preset: 'tiny', n: 50 });
      expectThrow(() => train(l, dataOf('H'), { ...base, world: other }), ShapeError, "train: argument 'opts.world' must be a world over n = 64 words (learner.n); got n = 50");
      const Xnan = corpus.X.data.slice();
      Xnan[7] = NaN;
      expectThrow(() => train(l, { X: matrix(200, 6, Xnan), words: corpus.words }, base), DomainError, "train: argument 'data.X' must be finite everywhere; got NaN at (1, 1)");
    });

    it('rejects checkpoints that cannot continue this run exactly', () => {
      const ck = train(newLearner(), data, { ...base, stopAtStep: 2 }).checkpoint();
      expectThrow(() => train(newLearner(), data, { ...base, seed: 9, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.seed' must be equal to this run's seed (9) for an exact continuation; got \"0\"");
      expectThrow(() => train(newLearner(), data, { ...base, batchSize: 20, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.batchSize' must be equal to this run's batchSize (20) for an exact continuation; got 10");
      expectThrow(() => train(newLearner(), data, { ...base, optimizer: 'adamw', resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.optimizer'");
      const linear = createLearner({ world });
      expectThrow(() => train(linear, data, { ...base, resumeFrom: ck }), ShapeError, "train: argument 'opts.resumeFrom.config.architecture' must be the learner's architecture");
      expectThrow(() => train(newLearner(), data, { ...base, resumeFrom: { ...ck, format: 'x' } as never }), FormatError, "train: argument 'opts.resumeFrom' must be a 'lmtransfer/train-checkpoint' version 1 or 2 checkpoint; got format \"x\", version 2");
      expectThrow(() => train(newLearner(), data, { ...base, resumeFrom: { ...ck, version: 3 } as never }), FormatError, 'train: argument \'opts.resumeFrom\' must be a \'lmtransfer/train-checkpoint\' version 1 or 2 checkpoint; got format "lmtransfer/train-checkpoint", version 3');
      // Other training data: one word changed, or X changed in one entry, or another kind of target.
      expect(ck.version).toBe(2);
      expect(ck.config.data).toMatch(/^sha256:[0-9a-f]{64}$/);
      const words2 = (data.words as Int32Array).slice();
      words2[3] = (words2[3] + 1) % 64;
      expectThrow(() => train(newLearner(), { ...data, words: words2 }, { ...base, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.data' must be the fingerprint of this run's data (sha256:");
      const X2 = data.X.data.slice();
      X2[0] += 1e-12;
      expectThrow(() => train(newLearner(), { ...data, X: matrix(data.X.rows, data.X.cols, X2) }, { ...base, resumeFrom: ck }), DomainError, `train: argument 'opts.resumeFrom.config.data' must be the fingerprint of this run's data (sha256:`);
      expect(() => train(newLearner(), { ...data, X: matrix(data.X.rows, data.X.cols, X2) }, { ...base, resumeFrom: ck })).toThrow(/\): the checkpoint was made on other training data; got "sha256:[0-9a-f]{64}"$/);
      // The same data in fresh arrays (as after reloading from disk) resumes.
      expect(() => train(newLearner(), { X: matrix(data.X.rows, data.X.cols, data.X.data.slice()), words: (data.words as Int32Array).slice() }, { ...base, resumeFrom: JSON.parse(JSON.stringify(ck)) as TrainCheckpoint })).not.toThrow();
      // Teacher targets: the same contexts under another world's V* are other data.
      const ckH = train(newLearner(), dataOf('H'), { ...base, world, stopAtStep: 2 }).checkpoint();
      const world2 = generateWorld({ preset: 'tiny', seed: 5 });
      expectThrow(() => train(newLearner(), dataOf('H'), { ...base, world: world2, resumeFrom: ckH }), DomainError, "train: argument 'opts.resumeFrom.config.data' must be the fingerprint");
      expect(() => train(newLearner(), dataOf('H'), { ...base, world, resumeFrom: ckH })).not.toThrow();
      // A version-1 checkpoint (no fingerprint) still resumes, without the data check.
      const { data: _fp, ...cfg1 } = ck.config;
      expect(() => train(newLearner(), { ...data, words: words2 }, { ...base, resumeFrom: { ...ck, version: 1, config: cfg1 } })).not.toThrow();
      expectThrow(() => train(newLearner(), data, { ...base, resumeFrom: { ...ck, params: 'AAAA' } }), FormatError, "train: argument 'opts.resumeFrom.params' must decode to");
      expectThrow(() => train(newLearner(), data, { ...base, resumeFrom: { ...ck, optimizerState: [] } }), FormatError, "train: argument 'opts.resumeFrom.optimizerState' must be an array of 2 encoded buffers; got an array of length 0");
      // The schedule is part of the configuration: another length, rate or shape would change the
      // rates of the remaining steps.
      expectThrow(() => train(newLearner(), data, { ...base, steps: 6, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.steps' must be equal to this run's steps (6) for an exact continuation; got 5");
      expectThrow(() => train(newLearner(), data, { ...base, lr: 0.02, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.lr' must be equal to this run's lr (0.02) for an exact continuation; got 0.01");
      expectThrow(() => train(newLearner(), data, { ...base, schedule: 'cosine', resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.schedule' must be equal to this run's schedule (cosine) for an exact continuation; got \"constant\"");
      expectThrow(() => train(newLearner(), data, { ...base, warmupSteps: 1, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.warmupSteps' must be equal to this run's warmupSteps (1) for an exact continuation; got 0");
      expectThrow(() => train(newLearner(), data, { ...base, beta2: 0.99, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.beta2' must be equal to this run's beta2 (0.99) for an exact continuation; got 0.999");
      expectThrow(() => train(newLearner(), data, { ...base, weightDecay: 0.1, resumeFrom: ck }), DomainError, "train: argument 'opts.resumeFrom.config.weightDecay' must be equal to this run's weightDecay (0.1) for an exact continuation; got 0");
      expectThrow(() => train(newLearner(), data, { ...base, resumeFrom: { ...ck, step: 7 } }), FormatError, "train: argument 'opts.resumeFrom.step' must be at most its config.steps = 5; got 7");
      expectThrow(() => train(newLearner(), data, { ...base, resumeFrom: { ...ck, step: 1.5 } }), FormatError, "train: argument 'opts.resumeFrom.step' must be a non-negative integer; got 1.5");
      // A rejected checkpoint leaves the learner as it was.
      const fresh = newLearner(5);
      const before = fresh.params.slice();
      expectThrow(() => train(fresh, data, { ...base, resumeFrom: { ...ck, step: 7 } }), FormatError, "train: argument 'opts.resumeFrom.step'");
      expectThrow(() => train(fresh, data, { ...base, resumeFrom: { ...ck, optimizerState: [ck.optimizerState[0], 'AAAA'] } }), FormatError, "train: argument 'opts.resumeFrom.optimizerState[1]' must decode to");
      expect(sameBits(fresh.params, before)).toBe(true);
    });
  });
});
