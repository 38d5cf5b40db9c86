/**
 * `train`, `Learner.lossAndGradient` and `crossEntropy` run ONE cross-entropy row: the training loop's
 * batch kernels (src/train/lossKernel.ts) give bitwise the loss and logit gradient of the public
 * `crossEntropy` on the same logits, for every kind of target, below and above the accelerated
 * backend's size threshold, in float64 and float32.
 */
import { crossEntropy } from '../../src/loss/crossEntropy.js';
import { klDivergenceRows } from '../../src/loss/klDivergenceRows.js';
import { softmaxRows } from '../../src/softmax/softmaxRows.js';
import { crossEntropyDistributionKernel, crossEntropyTeacherKernel, crossEntropyWordsKernel } from '../../src/train/lossKernel.js';
import type { LossScratch } from '../../src/train/lossKernel.js';
import { createLearner } from '../../src/train/createLearner.js';
import { train } from '../../src/train/train.js';
import { DomainError } from '../../src/core/errors.js';
import { generateWorld } from '../../src/model/generateWorld.js';
import { createRng } from '../../src/random/createRng.js';
import type { FloatArray } from '../../src/core/matrix.js';
import { sameBits } from '../model/bits.js';

const scratchFor = (n: number, B: number): LossScratch => ({ scratch: new Float64Array(n), tmp2: new Float64Array(2), lossRows: new Float64Array(B) });

function problem(B: number, n: number, f32: boolean, seed: string): { z: FloatArray; words: Int32Array; Q: Float64Array; T: Float64Array } {
  const rng = createRng(seed);
  const z = (f32 ? new Float32Array(B * n) : new Float64Array(B * n)).map(() => 4 * rng.normal());
  const words = Int32Array.from({ length: B }, () => rng.int(n));
  const T = Float64Array.from({ length: B * n }, () => 3 * rng.normal());
  const Q = softmaxRows({ rows: B, cols: n, data: T }).data as Float64Array;
  return { z, words, Q, T };
}

describe('one cross-entropy row for train, Learner.lossAndGradient and crossEntropy', () => {
  // 3 × 50 stays on the TypeScript row; 64 × 100 = 6400 ≥ 4096 goes to the accelerated pass.
  it.each([
    [3, 50, false],
    [64, 100, false],
    [3, 50, true],
    [64, 100, true],
  ])('B = %d, n = %d, float32 = %p: words, distributions and teacher targets agree bitwise with crossEntropy', (B, n, f32) => {
    const { z, words, Q, T } = problem(B, n, f32, `path ${B} ${n} ${f32}`);
    const logits = { rows: B, cols: n, data: z };
    const alpha = 1 / B;
    const rows = Int32Array.from({ length: B }, (_, i) => i);

    const ref = crossEntropy(logits, words, { grad: true });
    const zw = z.slice();
    const totalW = crossEntropyWordsKernel(zw, B, n, words, alpha, scratchFor(n, B));
    expect(totalW / B).toBe(ref.loss);
    expect(sameBits(zw, ref.gradLogits!.data)).toBe(true);

    const QM = { rows: B, cols: n, data: Q };
    const refD = crossEntropy(logits, QM, { grad: true });
    const zd = z.slice();
    const totalD = crossEntropyDistributionKernel(zd, B, n, Q, rows, alpha, scratchFor(n, B));
    expect(totalD / B).toBe(refD.loss);
    expect(sameBits(zd, refD.gradLogits!.data)).toBe(true);

    // Teacher targets q = softmax(T): the same row as crossEntropy against the matrix softmax(T),
    // and the KL of the same pass agrees with klDivergenceRows to rounding: both are differences of
    // sums of size ≈ |LSE| + max|z| ≤ 60 here, so 1e-13 per row absolute.
    const zt = z.slice();
    const klOut = new Float64Array(1);
    const totalT = crossEntropyTeacherKernel(zt, B, n, T, new Float64Array(n), alpha, klOut, scratchFor(n, B));
    expect(totalT / B).toBe(refD.loss);
    expect(sameBits(zt, refD.gradLogits!.data)).toBe(true);
    const kl = klDivergenceRows({ rows: B, cols: n, data: T }, { rows: B, cols: n, data: Float64Array.from(z) });
    expect(Math.abs(klOut[0] - kl.reduce((a, v) => a + v, 0))).toBeLessThan(1e-13 * B);
  });

  it('Learner.lossAndGradient reports the loss crossEntropy gives on learner.logits, bitwise (words and distributions)', () => {
    const world = generateWorld({ preset: 'tiny', seed: 3 });
    for (const dtype of ['float64', 'float32'] as const) {
      const learner = createLearner({ world, seed: 4, dtype });
      const { X, words } = world.sampleCorpus(80, 1, createRng('lp'));
      const logits = learner.logits(X);
      // learner.logits widens float32 logits exactly, so crossEntropy sees the values the step sees.
      const z = dtype === 'float32' ? { ...logits, data: Float32Array.from(logits.data) } : logits;
      expect(learner.lossAndGradient(X, words).loss).toBe(crossEntropy(z, words).loss);
      const Q = softmaxRows(world.trueLogProbs(world.sampleContexts(80, createRng('lp')).H));
      expect(learner.lossAndGradient(X, Q).loss).toBe(crossEntropy(z, Q).loss);
    }
  });

  it('train, Learner.lossAndGradient and crossEntropy accept the same target rows: within 1e-6 + n·u of the storage', () => {
    const n = 4096;
    const learner = createLearner({ n, d: 4, featureDim: 3, seed: 1 });
    const X = { rows: 1, cols: 3, data: Float64Array.of(0.1, -0.2, 0.3) };
    const row = (sum: number, F: Float32ArrayConstructor | Float64ArrayConstructor) => ({ rows: 1, cols: n, data: new F(n).fill(sum / n) });
    const accepts = (Q: { rows: number; cols: number; data: FloatArray }): boolean[] => {
      const ok = (f: () => unknown): boolean => {
        try {
          f();
          return true;
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          return false;
        }
      };
      return [
        ok(() => crossEntropy(learner.logits(X), Q)),
        ok(() => learner.lossAndGradient(X, Q)),
        ok(() => train(learner.clone(), { X, targets: Q }, { steps: 1, batchSize: 1, lr: 1e-3 })),
      ];
    };
    // float32 storage: n·u = 4096·2⁻²⁴ = 2.4e-4, so a row off by 1e-4 is accepted, one off by 1e-3 is not.
    expect(accepts(row(1 + 1e-4, Float32Array))).toEqual([true, true, true]);
    expect(accepts(row(1 + 1e-3, Float32Array))).toEqual([false, false, false]);
    // float64 storage: n·u = 4.5e-13, so the tolerance is the 1e-6 slack.
    expect(accepts(row(1 + 5e-7, Float64Array))).toEqual([true, true, true]);
    expect(accepts(row(1 + 5e-6, Float64Array))).toEqual([false, false, false]);
  });
});
