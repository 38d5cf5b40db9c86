import fc from 'fast-check';
import { createLearner } from '../../src/train/createLearner.js';
import type { Learner } from '../../src/train/Learner.js';
import { matrix } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';
import { firstMismatch, referenceLoss } from './referenceLearner.js';

interface Arch {
  hidden: number;
  activation: 'tanh' | 'relu';
  normalize: number | null;
  trainV: boolean;
  bias: boolean;
  distribution: boolean;
}

/** A small random instance: n = 7 words, d = 4, k = 3 features, m = 5 contexts, all parameters generic. */
function instance(a: Arch, seed: number): { learner: Learner; X: Matrix; targets: Int32Array | Matrix } {
  const n = 7;
  const d = 4;
  const k = 3;
  const m = 5;
  const rng = createRng(seed);
  const Vfix = matrix(n, d, Float64Array.from({ length: n * d }, () => rng.normal()));
  const learner = createLearner({ n, d, featureDim: k, ...a, V: Vfix, seed });
  // Biases start at 0; random values make their gradients (and relu's kinks) generic.
  for (let i = 0; i < learner.params.length; i++) learner.params[i] += 0.3 * rng.normal();
  const X = matrix(m, k, Float64Array.from({ length: m * k }, () => rng.normal()));
  let targets: Int32Array | Matrix;
  if (a.distribution) {
    const q = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let w = 0; w < n; w++) s += q[i * n + w] = rng.next();
      for (let w = 0; w < n; w++) q[i * n + w] /= s;
    }
    targets = matrix(m, n, q);
  } else {
    targets = Int32Array.from({ length: m }, () => rng.int(n));
  }
  return { learner, X, targets };
}

/** Every architecture: linear or hidden (tanh, relu), normalised or not, V̂ trained or tied, biases or not, word or distribution targets. */
const ARCHS: Arch[] = [];
for (const [hidden, activation] of [[0, 'tanh'], [5, 'tanh'], [5, 'relu']] as const) {
  for (const normalize of [null, 1.7]) {
    for (const trainV of [true, false]) {
      for (const bias of [true, false]) {
        for (const distribution of [false, true]) ARCHS.push({ hidden, activation, normalize, trainV, bias, distribution });
      }
    }
  }
}

describe('Learner gradient', () => {
  it('equals central finite differences for every parameter, in each of the 48 architectures (W1, b1, W2, b2, V̂; normalised or not)', () => {
    expect(ARCHS.length).toBe(48);
    const blocksSeen = new Set<string>();
    ARCHS.forEach((a, idx) => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
          const { learner, X, targets } = instance(a, seed);
          const Xc = X.data.slice();
          const { loss, grad } = learner.lossAndGradient(X, targets);
          // The fused kernel's loss equals the independent plain-loop forward and loss to rounding (1e-12).
          expect(Math.abs(loss - referenceLoss(learner, X, targets))).toBeLessThan(1e-12);
          expect(grad.length).toBe(learner.paramCount);
          const bad = firstMismatch(learner, X, targets, grad);
          if (bad !== null) throw new Error(`parameter ${bad.i} of ${grad.length}: analytic ${bad.analytic}, finite difference ${bad.fd} (${JSON.stringify(a)})`);
          expect(Array.from(X.data)).toEqual(Array.from(Xc));
          for (const b of learner.blocks) blocksSeen.add(`${b.name}:${a.normalize !== null}`);
          // The layout has the pieces the architecture asks for.
          expect(learner.blocks.some((b) => b.name === 'V')).toBe(a.trainV);
          expect(learner.blocks.some((b) => b.name === 'W2')).toBe(a.hidden > 0);
          expect(learner.blocks.some((b) => b.name === 'b1')).toBe(a.bias);
        }),
        { seed: 2024 + idx, numRuns: 2 },
      );
    });
    // Every block was checked with and without normalisation.
    for (const name of ['W1', 'b1', 'W2', 'b2', 'V']) for (const norm of [true, false]) expect(blocksSeen.has(`${name}:${norm}`)).toBe(true);
  });

  it('has teeth: a gradient off by 0.1% in any single entry of any block is caught', () => {
    const a: Arch = { hidden: 5, activation: 'tanh', normalize: 1.7, trainV: true, bias: true, distribution: false };
    const { learner, X, targets } = instance(a, 7);
    const { grad } = learner.lossAndGradient(X, targets);
    expect(firstMismatch(learner, X, targets, grad)).toBeNull();
    for (const b of learner.blocks) {
      // The entry of the block with the largest gradient, so that 0.1% of it is well above the tolerance.
      let at = b.offset;
      for (let i = b.offset; i < b.offset + b.rows * b.cols; i++) if (Math.abs(grad[i]) > Math.abs(grad[at])) at = i;
      expect(Math.abs(grad[at])).toBeGreaterThan(1e-3);
      const wrong = grad.slice();
      wrong[at] *= 1.001;
      expect(firstMismatch(learner, X, targets, wrong)?.i).toBe(at);
    }
  });
});
