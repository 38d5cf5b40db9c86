import fc from 'fast-check';
import { createLearner } from '../../src/train/createLearner.js';
import type { Learner } from '../../src/train/Learner.js';
import { matrix } from '../../src/matrix/matrix.js';
import type { Matrix } from '../../src/matrix/matrix.js';
import { createRng } from '../../src/random/createRng.js';

/** Mean cross-entropy computed independently of the library's kernels (plain loops, stable LSE). */
function referenceLoss(learner: Learner, X: Matrix, targets: Int32Array | Matrix): number {
  const Z = learner.logits(X);
  const n = learner.n;
  let total = 0;
  for (let i = 0; i < X.rows; i++) {
    let max = -Infinity;
    for (let w = 0; w < n; w++) max = Math.max(max, Z.data[i * n + w]);
    let s = 0;
    for (let w = 0; w < n; w++) s += Math.exp(Z.data[i * n + w] - max);
    const lse = max + Math.log(s);
    if (targets instanceof Int32Array) total += lse - Z.data[i * n + targets[i]];
    else for (let w = 0; w < n; w++) total += targets.data[i * n + w] * (lse - Z.data[i * n + w]);
  }
  return total / X.rows;
}

const arch = fc.record({
  hidden: fc.constantFrom(0, 5),
  activation: fc.constantFrom('tanh' as const, 'relu' as const),
  normalize: fc.constantFrom(null, 1.7),
  trainV: fc.boolean(),
  bias: fc.boolean(),
  distribution: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('Learner gradient', () => {
  it('equals central finite differences for every parameter (both layers, biases, V̂), with and without normalisation (property)', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const n = 7;
        const d = 4;
        const k = 3;
        const m = 5;
        const rng = createRng(a.seed);
        const Vfix = matrix(n, d, Float64Array.from({ length: n * d }, () => rng.normal()));
        const learner = createLearner({
          n,
          d,
          featureDim: k,
          hidden: a.hidden,
          activation: a.activation,
          normalize: a.normalize,
          trainV: a.trainV,
          bias: a.bias,
          V: Vfix,
          seed: a.seed,
        });
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
        const { loss, grad } = learner.lossAndGradient(X, targets);
        // The fused kernel's loss equals a plain-loop reference to rounding (1e-12).
        expect(Math.abs(loss - referenceLoss(learner, X, targets))).toBeLessThan(1e-12);
        const h = 1e-5;
        const p = learner.params;
        for (let i = 0; i < p.length; i++) {
          const keep = p[i];
          p[i] = keep + h;
          const up = referenceLoss(learner, X, targets);
          p[i] = keep - h;
          const down = referenceLoss(learner, X, targets);
          p[i] = keep;
          const fd = (up - down) / (2 * h);
          // Central differences: truncation O(h²·|f'''|) ≈ 1e-10 and cancellation ≈ 1e-16·|f|/h ≈ 1e-11
          // for losses of order 1, so 1e-7 absolute plus 1e-6 relative has a wide margin while any
          // wrong term (errors of order 1e-2 and up) fails.
          if (Math.abs(grad[i] - fd) > 1e-7 + 1e-6 * Math.abs(fd)) {
            throw new Error(`parameter ${i} of ${p.length}: analytic ${grad[i]}, finite difference ${fd} (${JSON.stringify(a)})`);
          }
        }
        expect(grad.length).toBe(learner.paramCount);
        if (a.trainV) expect(learner.blocks.some((b) => b.name === 'V')).toBe(true);
      }),
      { seed: 2024, numRuns: 40 },
    );
  });

  it('differs from finite differences when a layer is wrong (the check has teeth)', () => {
    const learner = createLearner({ n: 5, d: 3, featureDim: 2, hidden: 4, seed: 1, normalize: 2 });
    const rng = createRng(5);
    const X = matrix(3, 2, Float64Array.from({ length: 6 }, () => rng.normal()));
    const t = Int32Array.of(0, 3, 4);
    const { grad } = learner.lossAndGradient(X, t);
    // Perturb W2 and recompute: the gradient must change, so a test comparing against a stale or
    // zero gradient would fail.
    const w2 = learner.blocks.find((b) => b.name === 'W2')!;
    learner.params[w2.offset] += 0.5;
    const again = learner.lossAndGradient(X, t).grad;
    let diff = 0;
    for (let i = 0; i < grad.length; i++) diff = Math.max(diff, Math.abs(grad[i] - again[i]));
    expect(diff).toBeGreaterThan(1e-3);
    for (const b of learner.blocks) {
      let norm = 0;
      for (let i = b.offset; i < b.offset + b.rows * b.cols; i++) norm += grad[i] * grad[i];
      expect(norm).toBeGreaterThan(0);
    }
  });
});
