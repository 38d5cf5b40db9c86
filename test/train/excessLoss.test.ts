import { generateWorld } from '../../src/model/generateWorld.js';
import { createLearner } from '../../src/train/createLearner.js';
import type { Learner } from '../../src/train/Learner.js';
import { excessLoss } from '../../src/train/excessLoss.js';
import { klDivergenceRows } from '../../src/loss/klDivergenceRows.js';
import { createRng } from '../../src/random/createRng.js';
import { matrix } from '../../src/core/matrix.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { expectThrow } from '../model/expectThrow.js';
import { sameBits } from '../model/bits.js';

/** A learner that reproduces the world exactly: ĥ = W* x, V̂ tied to V*. */
function truthLearner(world: ReturnType<typeof generateWorld>): Learner {
  const l = createLearner({ world, trainV: false, bias: false });
  l.setParams(Float64Array.from(world.Wstar.data));
  return l;
}

describe('excessLoss', () => {
  const world = generateWorld({ preset: 'tiny', seed: 2 });
  const ctx = world.sampleContexts(300, createRng('eps')); // 300 > 128: more than one block
  const learner = createLearner({ world, hidden: 5, seed: 3 });

  it('equals the mean of klDivergenceRows over the whole logit matrices (blocks change nothing)', () => {
    const kl = klDivergenceRows(world.trueLogits(ctx.H), learner.logits(ctx.X));
    const want = kl.reduce((a, b) => a + b, 0) / kl.length;
    const Xc = ctx.X.data.slice();
    const Hc = ctx.H.data.slice();
    const Pc = learner.params.slice();
    const got = excessLoss(world, learner, ctx);
    // Same per-row values summed in the same order: equal to rounding of the final division (1e-15 relative).
    expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-15 * want);
    expect(got).toBeGreaterThan(0.1);
    // Inputs are never mutated: features, true representations, the learner's parameters.
    expect(sameBits(ctx.X.data, Xc)).toBe(true);
    expect(sameBits(ctx.H.data, Hc)).toBe(true);
    expect(sameBits(learner.params, Pc)).toBe(true);
  });

  it('compares models of different widths (only the vocabulary must match)', () => {
    const narrow = createLearner({ world, d: 3, seed: 4 });
    const kl = klDivergenceRows(world.trueLogits(ctx.H), narrow.logits(ctx.X));
    const got = excessLoss(world, narrow, ctx);
    expect(Math.abs(got - kl.reduce((a, b) => a + b, 0) / kl.length)).toBeLessThanOrEqual(1e-15 * got);
  });

  it('is 0 (to rounding) for the true model, with and without normalisation', () => {
    // log-probabilities of size ≤ ~20 and 64 words: KL rounding ≈ 1e-14.
    expect(excessLoss(world, truthLearner(world), ctx)).toBeLessThan(1e-12);
    const normed = generateWorld({ preset: 'tiny', seed: 2, normalize: true });
    const c2 = normed.sampleContexts(50, createRng(1));
    // ĥ = r z/√(‖z‖² + 1e-12) differs from h* by a relative 1e-12/‖z‖²: still far below 1e-10.
    expect(excessLoss(normed, truthLearner(normed), c2)).toBeLessThan(1e-10);
  });

  it('weights contexts by μ (normalised), so counts and zero weights work', () => {
    const kl = klDivergenceRows(world.trueLogits(ctx.H), learner.logits(ctx.X));
    const w = new Float64Array(300);
    let num = 0;
    let den = 0;
    for (let i = 0; i < 300; i++) {
      w[i] = i % 3 === 0 ? 0 : i % 7;
      num += w[i] * kl[i];
      den += w[i];
    }
    // Relative 1e-13: a 300-term weighted sum in a different association.
    expect(Math.abs(excessLoss(world, learner, { ...ctx, weights: w }) - num / den)).toBeLessThan(1e-13 * (num / den));
    const scaled = w.map((v) => v * 1000);
    expect(Math.abs(excessLoss(world, learner, { ...ctx, weights: scaled }) - num / den)).toBeLessThan(1e-13 * (num / den));
  });

  it('throws typed errors naming the function and argument', () => {
    expectThrow(() => excessLoss(world, {} as Learner, ctx), DomainError, "excessLoss: argument 'learner' must be a Learner from createLearner; got an object (Object)");
    expectThrow(() => excessLoss(null as never, learner, ctx), DomainError, "excessLoss: argument 'world' must be a World (or an object with V*); got null");
    expectThrow(() => excessLoss(world, learner, null as never), DomainError, "excessLoss: argument 'contexts' must be an object { X, H, weights? }; got null");
    expectThrow(() => excessLoss(world, learner, { X: matrix(3, 5), H: matrix(3, 8) }), ShapeError, "excessLoss: argument 'contexts.X' must be a matrix with 6 columns (learner.featureDim); got a 3×5 matrix");
    expectThrow(() => excessLoss(world, learner, { X: ctx.X, H: matrix(300, 7) }), ShapeError, "excessLoss: argument 'contexts.H' must be a matrix with 8 columns (world.V.cols); got a 300×7 matrix");
    expectThrow(() => excessLoss(world, learner, { X: ctx.X, H: matrix(299, 8) }), ShapeError, "excessLoss: argument 'contexts.H' must be a matrix with 300 rows (contexts.X.rows); got a 299×8 matrix");
    expectThrow(() => excessLoss(world, learner, { X: matrix(0, 6), H: matrix(0, 8) }), ShapeError, "excessLoss: argument 'contexts.X' must be a non-empty matrix; got a 0×6 matrix");
    const Xnan = ctx.X.data.slice();
    Xnan[1] = NaN;
    expectThrow(() => excessLoss(world, learner, { X: matrix(300, 6, Xnan), H: ctx.H }), DomainError, "excessLoss: argument 'contexts.X' must be finite everywhere; got NaN at (0, 1)");
    const other = generateWorld({ preset: 'tiny', n: 40 });
    expectThrow(() => excessLoss(other, learner, ctx), ShapeError, "excessLoss: argument 'learner' must be a learner over n = 40 words (world.V.rows); got n = 64");
    expectThrow(() => excessLoss(world, learner, { ...ctx, weights: new Float64Array(300).fill(-1) }), DomainError, "excessLoss: argument 'contexts.weights' must be non-negative; got -1 at [0]");
    expectThrow(() => excessLoss(world, learner, { ...ctx, weights: new Float64Array(300) }), DomainError, "excessLoss: argument 'contexts.weights' must be weights with a positive sum; got a sum of 0");
    expectThrow(() => excessLoss(world, learner, { ...ctx, weights: new Float64Array(3) }), ShapeError, "excessLoss: argument 'contexts.weights' must be of length 300 (one weight per context); got length 3");
    const huge = createLearner({ world, seed: 1 });
    huge.params.fill(1e200);
    expectThrow(() => excessLoss(world, huge, ctx), NumericalError, "excessLoss: the learner's logits must be finite; got Infinity for context 0");
  });
});
