/**
 * Training on the `default` world (n = 2000, d = 64): the excess loss falls by more than 100×, and
 * full-distribution targets beat one sampled word per context at equal steps. Sizes are chosen to
 * fit the suite's budget on a shared 2-core machine (a few seconds each when the machine is idle).
 */
import { generateWorld } from '../../src/model/generateWorld.js';
import { createLearner } from '../../src/train/createLearner.js';
import { train } from '../../src/train/train.js';
import type { TrainCheckpoint, TrainOptions, TrainResultWithExcessLoss } from '../../src/train/train.js';
import { excessLoss } from '../../src/train/excessLoss.js';
import { createRng } from '../../src/random/createRng.js';
import { sameBits } from '../model/bits.js';

describe('train on the default world', () => {
  const world = generateWorld({ preset: 'default', seed: 1 });
  // Held-out contexts for the exact ε; the training contexts are a different draw.
  const heldOut = world.sampleContexts(256, createRng('held-out'));
  const corpus = world.sampleCorpus(2048, 1, createRng('train'));
  // Adam, 80 steps of 64 contexts with a short warm-up and a cosine decay: measured ε falls from
  // 2.29 to 2.9e-3 (≈ 800×) with seed 2, so the 100× requirement has a margin of 8.
  // `satisfies` keeps the literal type, so train's result is typed with number excess losses (no `!`).
  const opts = { world, lr: 0.02, steps: 80, batchSize: 64, warmupSteps: 5, schedule: 'cosine', evalContexts: heldOut } satisfies TrainOptions;

  // One full-distribution run shared by the first two tests (it is the expensive part of the file).
  const learner = createLearner({ world, seed: 2 });
  const Xc = corpus.X.data.slice();
  const Hc = corpus.H.data.slice();
  let eps0: number;
  let full: TrainResultWithExcessLoss;
  beforeAll(() => {
    eps0 = excessLoss(world, learner, heldOut);
    full = train(learner, { X: corpus.X, H: corpus.H }, opts);
  });

  it('reduces the exact excess loss by at least 100× from initialisation (full-distribution targets)', () => {
    const result = full;
    expect(result.initialExcessLoss).toBe(eps0);
    // At initialisation p̂ is nearly uniform, so ε ≈ log n − E H(p*) ≈ 7.6 − 5.3 (measured 2.29).
    expect(eps0).toBeGreaterThan(1.5);
    const eps = excessLoss(world, learner, heldOut);
    expect(result.excessLoss).toBe(eps);
    expect(eps0 / eps).toBeGreaterThanOrEqual(100);
    expect(result.step).toBe(80);
    expect(result.losses.length).toBe(80);
    expect(sameBits(corpus.X.data, Xc)).toBe(true);
    expect(sameBits(corpus.H.data, Hc)).toBe(true);
  });

  it('reaches a lower ε with full-distribution targets than with one sampled word per context at equal steps', () => {
    const sampled = train(createLearner({ world, seed: 2 }), { X: corpus.X, words: corpus.words }, opts);
    // One sampled word is an unbiased but very noisy estimate of p*(·|s); measured: 2.9e-3 against
    // 1.50 at 80 steps, so a factor of 10 is a safe floor for the gap.
    expect(full.excessLoss).toBeLessThan(sampled.excessLoss / 10);
    // Sampled-word training does learn (it is not a broken path): ε falls from its start.
    expect(sampled.excessLoss).toBeLessThan(sampled.initialExcessLoss);
  });

  it('gives bit-identical parameters for the same seed after N steps, different ones for another batch seed, and resumes bit for bit', () => {
    // Adam with warm-up and a cosine decay, so that the resumed half depends on Adam's moments, its
    // bias-correction step count and the scheduled rates, all of which the checkpoint must carry.
    const short: TrainOptions = { lr: 0.02, steps: 6, batchSize: 64, seed: 'order', optimizer: 'adam', schedule: 'cosine', warmupSteps: 2 };
    const words = { X: corpus.X, words: corpus.words };
    const a = createLearner({ world, seed: 3 });
    const b = createLearner({ world, seed: 3 });
    const c = createLearner({ world, seed: 3 });
    train(a, words, short);
    train(b, words, short);
    train(c, words, { ...short, seed: 'other order' });
    expect(sameBits(a.params, b.params)).toBe(true);
    expect(sameBits(a.params, c.params)).toBe(false);
    const half = train(createLearner({ world, seed: 3 }), words, { ...short, stopAtStep: 3 });
    const resumed = createLearner({ world, seed: 99 });
    train(resumed, words, { ...short, resumeFrom: JSON.parse(JSON.stringify(half.checkpoint())) as TrainCheckpoint });
    expect(sameBits(resumed.params, a.params)).toBe(true);
  });
});
