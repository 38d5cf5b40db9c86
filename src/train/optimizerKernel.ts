/**
 * Unchecked parameter updates of `train`: SGD with (heavy-ball) momentum, Adam with an L2 penalty,
 * and AdamW with decoupled weight decay, over one flat array of parameters. Weight decay applies to
 * the blocks marked `decay` (weight matrices and `V̂`), never to biases.
 *
 * Precision: the parameters, the gradient and the state buffers share the learner's dtype. Each
 * update is computed in float64 from the stored values and rounded once when stored, so a float32
 * learner's optimiser state is float32, as in PyTorch. Why not float64 state: storing `m`, `v` or
 * the momentum in float32 perturbs each by at most 2⁻²⁴ relative, which moves the update by the same
 * relative amount, far below the rounding of the float32 parameter it is added to (half an ulp of
 * `θ`, i.e. up to 2⁻²⁴|θ| per step, which no state precision can avoid); float64 state would double
 * the optimiser's memory (two buffers the size of the model for Adam) for no visible effect.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import type { ParameterBlock } from './Learner.js';

/** Optimiser names accepted by `train`. */
export type OptimizerName = 'sgd' | 'adam' | 'adamw';

/** Hyper-parameters of one update. */
export interface OptimizerHyper {
  readonly name: OptimizerName;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** Number of state buffers (each `paramCount` long) an optimiser keeps. */
export function optimizerBufferCount(h: OptimizerHyper): number {
  if (h.name === 'sgd') return h.momentum > 0 ? 1 : 0;
  return 2;
}

/**
 * Apply update number `t` (1-based; Adam's bias corrections use it) with learning rate `lr`.
 *
 * SGD: `g ← ∇ + λθ` (decayed blocks), `b ← μ b + g`, `θ ← θ − lr·b` (with `μ = 0`: `θ ← θ − lr·g`).
 * Adam (Kingma & Ba, ICLR 2015, Algorithm 1): `g ← ∇ + λθ`, `m ← β₁m + (1−β₁)g`,
 * `v ← β₂v + (1−β₂)g²`, `θ ← θ − lr·m̂/(√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
 * AdamW (Loshchilov & Hutter, ICLR 2019; the order of PyTorch's `AdamW`): `θ ← θ(1 − lr·λ)` on
 * decayed blocks, then the Adam step on the undecayed gradient.
 */
export function optimizerStep(
  h: OptimizerHyper,
  blocks: readonly ParameterBlock[],
  theta: FloatArray,
  grad: FloatArray,
  buffers: FloatArray[],
  t: number,
  lr: number,
): void {
  const wd = h.weightDecay;
  for (const blk of blocks) {
    const start = blk.offset;
    const end = start + blk.rows * blk.cols;
    const lam = blk.decay ? wd : 0;
    if (h.name === 'sgd') {
      if (h.momentum > 0) {
        const b = buffers[0];
        const mu = h.momentum;
        for (let i = start; i < end; i++) {
          const g = grad[i] + lam * theta[i];
          const bi = mu * b[i] + g;
          b[i] = bi;
          theta[i] -= lr * bi;
        }
      } else {
        for (let i = start; i < end; i++) theta[i] -= lr * (grad[i] + lam * theta[i]);
      }
    } else {
      const m = buffers[0];
      const v = buffers[1];
      const b1 = h.beta1;
      const b2 = h.beta2;
      const bc1 = oneMinusPower(b1, t);
      const bc2 = oneMinusPower(b2, t);
      const eps = h.eps;
      const l2 = h.name === 'adam' ? lam : 0;
      const shrink = h.name === 'adamw' ? 1 - lr * lam : 1;
      for (let i = start; i < end; i++) {
        const g = grad[i] + l2 * theta[i];
        const mi = b1 * m[i] + (1 - b1) * g;
        const vi = b2 * v[i] + (1 - b2) * g * g;
        m[i] = mi;
        v[i] = vi;
        theta[i] = theta[i] * shrink - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
      }
    }
  }
}

/** Dekker's splitter for doubles, `2^27 + 1`. */
const SPLIT = 134217729;
const dd = new Float64Array(2);

/** `dd = a·b` exactly as a sum `dd[0] + dd[1]` (Dekker's product; |a|, |b| ≤ 1, no overflow). */
function twoProduct(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  dd[0] = p;
  dd[1] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** `(xh + xl)(yh + yl)` in double-double arithmetic, left in `dd` (relative error about 2⁻¹⁰⁴). */
function ddMul(xh: number, xl: number, yh: number, yl: number): void {
  twoProduct(xh, yh);
  const lo = dd[1] + (xh * yl + xl * yh);
  const hi = dd[0] + lo;
  dd[1] = lo - (hi - dd[0]);
  dd[0] = hi;
}

/**
 * `1 − βᵗ` for `0 ≤ β < 1` and an integer `t ≥ 1` (Adam's bias corrections), within about one ulp.
 * Not `1 − Math.pow(β, t)`: `Math.pow` is not correctly rounded and its last bits differ between
 * JavaScript engines (Node 20 and Chromium 150 disagree on 11 % of random arguments), so Adam's
 * steps would differ between Node and a browser; and near `βᵗ ≈ 1` its half-ulp error is magnified
 * by the cancellation (for β = 0.999, t = 2 to about 3e-14 relative). Here `βᵗ` is raised by
 * repeated squaring in double-double arithmetic (only `+`, `−`, `×`: the same bits in every engine),
 * and `1 − hi` is exact whenever `hi ≥ ½` (Sterbenz), so the result is rounded once more at most.
 *
 * @example
 * ```ts
 * oneMinusPower(0.9, 1);   // 0.09999999999999998 (= 1 − 0.9 in doubles, exactly)
 * oneMinusPower(0.999, 0); // 0
 * ```
 */
export function oneMinusPower(beta: number, t: number): number {
  let rh = 1;
  let rl = 0;
  let bh = beta;
  let bl = 0;
  // t < 2^53; halve it with Math.floor (exact) rather than `>>`, which would wrap above 2^31.
  for (let e = t; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      ddMul(rh, rl, bh, bl);
      rh = dd[0];
      rl = dd[1];
    }
    if (e > 1) {
      ddMul(bh, bl, bh, bl);
      bh = dd[0];
      bl = dd[1];
    }
  }
  return 1 - rh - rl;
}
