/**
 * float32 learners (`createLearner({ dtype: 'float32' })`): float32 parameters, activations, gradient
 * and optimiser state; float64 loss and reductions. Gradient against float64 central differences
 * with a tolerance derived from float32 rounding, determinism for a seed, bit-for-bit resume from a
 * checkpoint, and training that reaches the float64 learner's excess loss.
 */
import fc from 'fast-check';
import { createLearner } from '../../src/train/createLearner.js';
import { train } from '../../src/train/train.js';
import type { TrainOptions } from '../../src/train/train.js';
import type { Learner } from '../../src/train/Learner.js';
import { generateWorld } from '../../src/model/generateWorld.js';
import { createRng } from '../../src/random/createRng.js';
import { matrix } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { sameBits } from '../model/bits.js';
import { expectThrow } from '../model/expectThrow.js';
import { finiteDifferenceGradient } from './referenceLearner.js';

const u32 = 2 ** -24;
const fround = Math.fround;

interface Arch {
  hidden: number;
  activation: 'tanh' | 'relu';
  normalize: number | null;
  trainV: boolean;
  distribution: boolean;
}

const N = 7;
const D = 4;
const K = 3;
const M = 5;
const HIDDEN = 5;

/**
 * A float32 learner on generic parameters, its float64 twin holding the same (widened) values, and
 * float32-representable inputs, so that the twin is the exact function the float32 learner rounds.
 */
function instance(a: Arch, seed: number, size = { N, D, K, M }): { f32: Learner<Float32Array>; f64: Learner<Float64Array>; X: Matrix; targets: Int32Array | Matrix } {
  const { N, D, K, M } = size;
  const rng = createRng(seed);
  const V = matrix(N, D, Float64Array.from({ length: N * D }, () => fround(rng.normal())));
  const base = { n: N, d: D, featureDim: K, hidden: a.hidden, activation: a.activation, normalize: a.normalize, trainV: a.trainV, V, seed };
  const f32 = createLearner({ ...base, dtype: 'float32' });
  for (let i = 0; i < f32.params.length; i++) f32.params[i] += 0.3 * rng.normal();
  const f64 = createLearner(base);
  f64.setParams(Float64Array.from(f32.params));
  const X = matrix(M, K, Float64Array.from({ length: M * K }, () => fround(rng.normal())));
  let targets: Int32Array | Matrix;
  if (a.distribution) {
    const q = new Float64Array(M * N);
    for (let i = 0; i < M; i++) {
      let s = 0;
      for (let w = 0; w < N; w++) s += q[i * N + w] = rng.next();
      for (let w = 0; w < N; w++) q[i * N + w] /= s;
    }
    targets = matrix(M, N, q);
  } else targets = Int32Array.from({ length: M }, () => rng.int(N));
  return { f32, f64, X, targets };
}

/**
 * The tolerance of a float32 gradient entry in block `b`, derived from float32 rounding (first order
 * in u = 2⁻²⁴):
 *
 * - every stored value (features, a1, σ(a1), the pre-normalisation, ĥ, the logits, the logit
 *   gradient, ∂ĥ, ∂pre, ∂σ, the parameter gradient) is rounded once to float32: relative error ≤ u
 *   each, L = 11 stored stages along the longest chain (hidden layer, normalised);
 * - each product sums at most Kmax = max(n, d, k, hidden, m) = 7 terms; in float32 (the WebAssembly
 *   path) that adds ≤ Kmax·u relative to the sum of the terms' absolute values (Higham, "Accuracy
 *   and Stability of Numerical Algorithms", §3.1); the loss and the other reductions are float64
 *   and add nothing at this order.
 *
 * So |δg_i| ≤ L·(Kmax + 1)·u·A_i, with A_i the entry recomputed from the absolute values of the
 * terms it sums. A_i is bounded here by (Kmax + 1)·S_b, S_b the block's largest |g| (each entry sums
 * ≤ Kmax + 1 products of factors bounded on these generic O(1) instances, whose absolute sum is not
 * larger than that many times the block's largest entry; a model of the cancellation, not a worst
 * case). The float64 reference's own error (central difference, h = 1e-5: ≈ 1e-10) adds 1e-9.
 * τ_b = 11·8²·2⁻²⁴·S_b + 1e-9 ≈ 4.2e-5·S_b: a float32 gradient off by 0.1% of S_b in one entry fails.
 * Being worst-case in shape, τ_b is far above the typical error: measured, the worst entry over the
 * 24 architectures reaches 0.5 % of τ_b (about 2u·S_b), and 0.016 % on the larger instance below.
 */
const L_STAGES = 11;
const KMAX = 7;
const tolerance = (S: number, kmax = KMAX): number => L_STAGES * (kmax + 1) ** 2 * u32 * S + 1e-9;

/** The largest |error| / τ_b over all entries of all blocks (≤ 1 passes). */
function worstRatio(learner: Learner, g: ArrayLike<number>, ref: Float64Array, kmax = KMAX): number {
  let worst = 0;
  for (const b of learner.blocks) {
    let S = 0;
    for (let i = b.offset; i < b.offset + b.rows * b.cols; i++) S = Math.max(S, Math.abs(ref[i]));
    const tau = tolerance(S, kmax);
    for (let i = b.offset; i < b.offset + b.rows * b.cols; i++) worst = Math.max(worst, Math.abs(g[i] - ref[i]) / tau);
  }
  return worst;
}

const ARCHS: Arch[] = [];
for (const [hidden, activation] of [[0, 'tanh'], [HIDDEN, 'tanh'], [HIDDEN, 'relu']] as const) {
  for (const normalize of [null, 1.7]) for (const trainV of [true, false]) for (const distribution of [false, true]) ARCHS.push({ hidden, activation, normalize, trainV, distribution });
}

describe('float32 learners', () => {
  it('store parameters in float32 (the float32 rounding of the float64 initialisation) and report float64 views', () => {
    const world = generateWorld({ preset: 'tiny', seed: 5 });
    const f64 = createLearner({ world, hidden: 16, seed: 9 });
    const f32 = createLearner({ world, hidden: 16, seed: 9, dtype: 'float32' });
    const p32: Float32Array = f32.params; // typed by the overload, no cast
    expect(p32).toBeInstanceOf(Float32Array);
    expect(f32.dtype).toBe('float32');
    expect(f64.dtype).toBe('float64');
    expect(sameBits(p32, Float32Array.from(f64.params))).toBe(true);
    const { X } = world.sampleContexts(6, createRng(1));
    expect(f32.V().data).toBeInstanceOf(Float64Array);
    expect(f32.represent(X).data).toBeInstanceOf(Float64Array);
    // Same function up to float32 rounding: logits within 1e-5 relative of the float64 learner's.
    const z32 = f32.logits(X).data;
    const z64 = f64.logits(X).data;
    let err = 0;
    let scale = 0;
    for (let i = 0; i < z64.length; i++) {
      err = Math.max(err, Math.abs(z32[i] - z64[i]));
      scale = Math.max(scale, Math.abs(z64[i]));
    }
    expect(err).toBeLessThan(1e-5 * scale);
    expect(err).toBeGreaterThan(0);
    const tied = createLearner({ world, trainV: false, dtype: 'float32' });
    expect(tied.tiedV).toBeInstanceOf(Float32Array);
    expectThrow(() => createLearner({ world, dtype: 'float16' as 'float32' }), DomainError, "createLearner: argument 'opts.dtype' must be one of 'float64', 'float32'; got \"float16\"");
    expectThrow(() => f32.setParams(new Float64Array(f32.paramCount).fill(1e39)), DomainError, "Learner.setParams: argument 'params' must be values representable in float32");
  });

  it('gradient equals float64 central differences within the float32 tolerance τ_b, in 24 architectures (property)', () => {
    ARCHS.forEach((a, idx) => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
          const { f32, f64, X, targets } = instance(a, seed);
          const { loss, grad } = f32.lossAndGradient(X, targets);
          expect(grad).toBeInstanceOf(Float32Array);
          const ref = finiteDifferenceGradient(f64, X, targets);
          const ratio = worstRatio(f32, grad, ref);
          if (!(ratio <= 1)) throw new Error(`float32 gradient off by ${ratio.toFixed(2)} τ (${JSON.stringify(a)}, seed ${seed})`);
          // The loss is float64 from float32 logits: within 2·L·(Kmax+1)·u of the float64 loss (relative).
          const l64 = f64.lossAndGradient(X, targets).loss;
          expect(Math.abs(loss - l64)).toBeLessThan(2 * L_STAGES * (KMAX + 1) * u32 * l64);
        }),
        { seed: 4100 + idx, numRuns: 3 },
      );
    });
  });

  it('has teeth: 0.1% of a block\'s scale added to one gradient entry exceeds τ_b; the float64 gradient meets τ_b·2⁻²⁹', () => {
    const { f32, f64, X, targets } = instance({ hidden: HIDDEN, activation: 'tanh', normalize: 1.7, trainV: true, distribution: false }, 11);
    const { grad } = f32.lossAndGradient(X, targets);
    const ref = finiteDifferenceGradient(f64, X, targets);
    expect(worstRatio(f32, grad, ref)).toBeLessThanOrEqual(1);
    for (const b of f32.blocks) {
      let at = b.offset;
      for (let i = b.offset; i < b.offset + b.rows * b.cols; i++) if (Math.abs(ref[i]) > Math.abs(ref[at])) at = i;
      const wrong = Float64Array.from(grad);
      wrong[at] += 1e-3 * Math.abs(ref[at]);
      expect(worstRatio(f32, wrong, ref)).toBeGreaterThan(1);
    }
    // The float64 learner's gradient is within the same formula at u = 2⁻⁵³ (plus the reference's 1e-9).
    const g64 = f64.lossAndGradient(X, targets).grad;
    let worst = 0;
    for (let i = 0; i < g64.length; i++) worst = Math.max(worst, Math.abs(g64[i] - ref[i]));
    expect(worst).toBeLessThan(1e-9);
  });

  it('on the accelerated float32 products too (n = 64, d = 16, k = 16, m = 32, hidden = 32: products ≥ 4096 multiply-adds)', () => {
    // Same derivation with Kmax = 64: τ_b ≈ 2.8e-3·S_b; 1 % of S_b added to one entry fails it.
    const size = { N: 64, D: 16, K: 16, M: 32 };
    const base = createLearner({ n: 64, d: 16, featureDim: 16, hidden: 32, dtype: 'float32' });
    expect(base.paramCount).toBe(32 * 16 + 32 + 16 * 32 + 16 + 64 * 16);
    const { f32, f64, X, targets } = instance({ hidden: 32, activation: 'tanh', normalize: 4, trainV: true, distribution: false }, 21, size);
    const { grad } = f32.lossAndGradient(X, targets);
    const ref = finiteDifferenceGradient(f64, X, targets);
    expect(worstRatio(f32, grad, ref, 64)).toBeLessThanOrEqual(1);
    for (const b of f32.blocks) {
      let at = b.offset;
      for (let i = b.offset; i < b.offset + b.rows * b.cols; i++) if (Math.abs(ref[i]) > Math.abs(ref[at])) at = i;
      const wrong = Float64Array.from(grad);
      wrong[at] += 1e-2 * Math.abs(ref[at]);
      expect(worstRatio(f32, wrong, ref, 64)).toBeGreaterThan(1);
    }
  });

  describe('training', () => {
    const world = generateWorld({ preset: 'tiny', seed: 2 });
    const ctx = world.sampleContexts(256, createRng('f32 train'));
    const corpus = world.sampleCorpus(256, 2, createRng('f32 words'));
    const opts: TrainOptions & { world: typeof world } = { world, steps: 40, batchSize: 32, lr: 0.05, schedule: 'cosine', seed: 'f32' };

    it('is deterministic for a seed (bitwise), and another seed gives other parameters', () => {
      const run = (seed: string): Float32Array => {
        const l = createLearner({ world, seed: 1, dtype: 'float32' });
        train(l, ctx, { ...opts, seed });
        return l.params;
      };
      const a = run('f32');
      expect(sameBits(a, run('f32'))).toBe(true);
      expect(sameBits(a, run('other'))).toBe(false);
    });

    it('resumes from a JSON checkpoint bit for bit (Adam with teacher targets, SGD with momentum on words)', () => {
      for (const [data, o] of [
        [ctx, { ...opts, optimizer: 'adam' }],
        [{ X: corpus.X, words: corpus.words }, { ...opts, optimizer: 'sgd', momentum: 0.9, weightDecay: 1e-3, lr: 0.2 }],
      ] as const) {
        const full = createLearner({ world, hidden: 8, seed: 3, dtype: 'float32' });
        const rFull = train(full, data, o);
        const half = createLearner({ world, hidden: 8, seed: 3, dtype: 'float32' });
        const ck = JSON.parse(JSON.stringify(train(half, data, { ...o, stopAtStep: 17 }).checkpoint()));
        // float32 bytes: 4 per parameter.
        expect(Buffer.from(ck.params, 'base64').length).toBe(4 * half.paramCount);
        // The optimiser state is float32 too (momentum for SGD; Adam's two moments).
        expect(ck.optimizerState.length).toBe(o.optimizer === 'adam' ? 2 : 1);
        for (const st of ck.optimizerState) expect(Buffer.from(st, 'base64').length).toBe(4 * half.paramCount);
        const resumed = createLearner({ world, hidden: 8, seed: 99, dtype: 'float32' });
        const rRes = train(resumed, data, { ...o, resumeFrom: ck });
        expect(sameBits(resumed.params, full.params)).toBe(true);
        expect(rRes.checkpoint()).toEqual(rFull.checkpoint());
        expect(Array.from(rRes.losses)).toEqual(Array.from(rFull.losses.subarray(17)));
      }
    });

    it('rejects a float64 checkpoint for a float32 learner, and the reverse (the dtype is part of the architecture)', () => {
      const a64 = createLearner({ world, seed: 3 });
      const ck64 = train(a64, ctx, { ...opts, stopAtStep: 2 }).checkpoint();
      const b32 = createLearner({ world, seed: 3, dtype: 'float32' });
      const keep = b32.params.slice();
      expect(() => train(b32, ctx, { ...opts, resumeFrom: ck64 })).toThrow(ShapeError);
      expect(() => train(b32, ctx, { ...opts, resumeFrom: ck64 })).toThrow(/config\.architecture' must be the learner's architecture \(.*,dtype=float32\)/);
      expect(sameBits(b32.params, keep)).toBe(true);
      const ck32 = train(b32, ctx, { ...opts, stopAtStep: 2 }).checkpoint();
      expect(() => train(createLearner({ world, seed: 3 }), ctx, { ...opts, resumeFrom: ck32 })).toThrow(ShapeError);
    });

    it('reaches the float64 learner\'s excess loss (same seed, same batches): within 2% after 40 steps', () => {
      const r32 = train(createLearner({ world, seed: 4, dtype: 'float32' }), ctx, opts);
      const r64 = train(createLearner({ world, seed: 4 }), ctx, opts);
      // Typed number (data has H and a world is given): no `!` needed.
      const fell32: number = r32.initialExcessLoss / r32.excessLoss;
      expect(fell32).toBeGreaterThan(5);
      expect(Math.abs(r32.excessLoss - r64.excessLoss)).toBeLessThan(0.02 * r64.excessLoss);
      expect(Math.abs(r32.initialExcessLoss - r64.initialExcessLoss)).toBeLessThan(1e-5 * r64.initialExcessLoss);
    });
  });
});
