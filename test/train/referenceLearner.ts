/**
 * An independent plain-loop implementation of a learner's loss, and a finite-difference check of a
 * gradient against it (shared by gradient.test.ts and float32.test.ts).
 */
import type { Learner } from '../../src/train/Learner.js';
import type { Matrix } from '../../src/core/matrix.js';

/**
 * Logits of the learner computed from its parameters with plain loops, independently of the
 * library's forward kernel: `a = W1 x + b1`, then `ĥ = W2 σ(a) + b2` (hidden layer) or `ĥ = a`,
 * then `ĥ ← r ĥ/√(‖ĥ‖² + 10⁻¹²)` when normalised (the formula documented on `Learner`), logits `V̂ ĥ`.
 */
export function referenceLogits(learner: Learner, X: Matrix): Float64Array {
  const p = learner.params;
  const block = (name: string) => learner.blocks.find((b) => b.name === name);
  const W1 = block('W1')!;
  const b1 = block('b1');
  const W2 = block('W2');
  const b2 = block('b2');
  const V = learner.V().data;
  const { n, d, featureDim: k } = learner;
  const out = new Float64Array(X.rows * n);
  for (let i = 0; i < X.rows; i++) {
    const a: number[] = [];
    for (let r = 0; r < W1.rows; r++) {
      let s = b1 ? p[b1.offset + r] : 0;
      for (let j = 0; j < k; j++) s += p[W1.offset + r * k + j] * X.data[i * k + j];
      a.push(s);
    }
    let h = a;
    if (W2) {
      const z = a.map((v) => (learner.activation === 'tanh' ? Math.tanh(v) : Math.max(v, 0)));
      h = [];
      for (let r = 0; r < d; r++) {
        let s = b2 ? p[b2.offset + r] : 0;
        for (let j = 0; j < z.length; j++) s += p[W2.offset + r * z.length + j] * z[j];
        h.push(s);
      }
    }
    if (learner.hNorm !== null) {
      const norm = Math.sqrt(h.reduce((acc, v) => acc + v * v, 0) + 1e-12);
      h = h.map((v) => ((learner.hNorm as number) * v) / norm);
    }
    for (let w = 0; w < n; w++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += V[w * d + j] * h[j];
      out[i * n + w] = s;
    }
  }
  return out;
}

/** Mean cross-entropy from the reference logits (plain loops, stable LSE). */
export function referenceLoss(learner: Learner, X: Matrix, targets: Int32Array | Matrix): number {
  const Z = referenceLogits(learner, X);
  const n = learner.n;
  let total = 0;
  for (let i = 0; i < X.rows; i++) {
    let max = -Infinity;
    for (let w = 0; w < n; w++) max = Math.max(max, Z[i * n + w]);
    let s = 0;
    for (let w = 0; w < n; w++) s += Math.exp(Z[i * n + w] - max);
    const lse = max + Math.log(s);
    if (targets instanceof Int32Array) total += lse - Z[i * n + targets[i]];
    else for (let w = 0; w < n; w++) total += targets.data[i * n + w] * (lse - Z[i * n + w]);
  }
  return total / X.rows;
}

/**
 * The first parameter whose gradient entry disagrees with the central finite difference, or null.
 * Central differences with h = 1e-5: truncation O(h²·|f'''|) ≈ 1e-10 and cancellation
 * ≈ 1e-16·|f|/h ≈ 1e-11 for losses of order 1, so 1e-7 absolute plus 1e-6 relative has a wide margin
 * while an error of a part in a thousand in any entry of size ≥ 1e-3 fails (see the teeth test).
 */
export function firstMismatch(learner: Learner, X: Matrix, targets: Int32Array | Matrix, grad: ArrayLike<number>): { i: number; analytic: number; fd: number } | null {
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
    if (Math.abs(grad[i] - fd) > 1e-7 + 1e-6 * Math.abs(fd)) return { i, analytic: grad[i], fd };
  }
  return null;
}


/** Central finite-difference gradient (h = 1e-5, float64) of `referenceLoss` at the learner's parameters, which must be float64. */
export function finiteDifferenceGradient(learner: Learner, X: Matrix, targets: Int32Array | Matrix): Float64Array {
  const h = 1e-5;
  const p = learner.params;
  if (!(p instanceof Float64Array)) throw new Error('finiteDifferenceGradient needs a float64 learner');
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + h;
    const up = referenceLoss(learner, X, targets);
    p[i] = keep - h;
    const down = referenceLoss(learner, X, targets);
    p[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
