/**
 * The training loop's softmax cross-entropy over a batch of logits, in place: each row of logits is
 * replaced by its gradient and the row's loss is accumulated in float64 (docs/theory.md#2-pre-training-loss-and-its-gradient).
 * Three kinds of target `q`: one word per row (one-hot), a row of a target distribution matrix, or
 * the softmax of teacher logits (the world's `p*(·|s)`), for which the row's `KL(p*‖p̂)` comes out
 * of the same pass.
 *
 * Every row goes through the ONE cross-entropy row of the library (`rowCrossEntropyIndex`,
 * `rowCrossEntropyDist` in `src/kernels/crossEntropyKernel.ts`, also used by the public
 * `crossEntropy`), so `train`, `Learner.lossAndGradient` and `crossEntropy` compute the same loss
 * and the same gradient `α (softmax(z)·Σq − q)` (the exact derivative of the reported loss), and
 * the accelerated backend gets the first chance at index targets in all three. Float32 logits get a
 * float32 gradient; the loss and every sum are float64.
 *
 * Scratch comes from the caller (`Workspace`), so that a training step allocates nothing. A row whose
 * logits are not finite yields a NaN or infinite loss, which the caller detects.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { rowSoftmax } from '../kernels/softmaxKernel.js';
import { tryAcceleratedSoftmaxCrossEntropy } from '../backend/accelerate.js';
import { rowCrossEntropyDist, rowCrossEntropyIndex } from '../kernels/crossEntropyKernel.js';

/** Scratch of the row kernels: `scratch` (≥ n), `tmp2` (≥ 2) and `lossRows` (≥ B), all float64. */
export interface LossScratch {
  readonly scratch: Float64Array;
  readonly tmp2: Float64Array;
  readonly lossRows: Float64Array;
}

/**
 * One-hot targets `words[i]` for row `i`. Returns `Σ_i loss_i` (per-row losses left in
 * `s.lossRows`). The accelerated backend's fused row pass (WebAssembly SIMD, threads) gets the first
 * chance; the row kernel below is the fallback.
 */
export function crossEntropyWordsKernel(z: FloatArray, B: number, n: number, words: Int32Array, alpha: number, s: LossScratch): number {
  const lossRows = s.lossRows;
  const done = tryAcceleratedSoftmaxCrossEntropy({ z, zOff: 0, ldz: n, rows: B, n, targets: words, tOff: 0, lse: null, loss: lossRows, grad: z, gOff: 0, ldg: n, scale: alpha });
  if (!done) {
    for (let i = 0; i < B; i++) lossRows[i] = rowCrossEntropyIndex(z, i * n, n, words[i], s.scratch, s.tmp2, z, i * n, alpha);
  }
  let total = 0;
  for (let i = 0; i < B; i++) total += lossRows[i];
  return total;
}

/** Distribution targets: row `rows[i]` of `Q` (`· × n`, rows summing to 1) for batch row `i`. Returns `Σ_i loss_i`. */
export function crossEntropyDistributionKernel(z: FloatArray, B: number, n: number, Q: FloatArray, rows: Int32Array, alpha: number, s: LossScratch): number {
  let total = 0;
  for (let i = 0; i < B; i++) total += rowCrossEntropyDist(z, i * n, n, Q, rows[i] * n, s.scratch, s.tmp2, z, i * n, alpha);
  return total;
}

/**
 * Teacher targets `q = softmax(T_i)` with teacher logits `T` (`B × n`, float64). Returns
 * `Σ_i loss_i` and writes `Σ_i KL(q_i ‖ softmax(z_i))` into `klOut[0]`. `q` goes to the scratch row
 * `qRow` (length `n`). With `lq = T − LSE(T)` (exact, no log of a probability) the row's
 * `KL = Σ_{q_j>0} q_j (lq_j − z_j) + LSE(z)·Σq`: the first sum is taken before the row kernel
 * overwrites `z` with the gradient, `LSE(z)` is the one the row kernel computed (left in `tmp2[0]`),
 * so the logits are exponentiated once. A teacher probability that underflows contributes exactly 0.
 */
export function crossEntropyTeacherKernel(z: FloatArray, B: number, n: number, T: Float64Array, qRow: Float64Array, alpha: number, klOut: Float64Array, s: LossScratch): number {
  let total = 0;
  let kl = 0;
  for (let i = 0; i < B; i++) {
    const o = i * n;
    const lseT = rowSoftmax(T, o, n, qRow, 0);
    let a = 0;
    let qs = 0;
    for (let j = 0; j < n; j++) {
      const q = qRow[j];
      if (q > 0) {
        a += q * (T[o + j] - lseT - z[o + j]);
        qs += q;
      }
    }
    total += rowCrossEntropyDist(z, o, n, qRow, 0, s.scratch, s.tmp2, z, o, alpha);
    const klRow = a + s.tmp2[0] * qs;
    // The exact KL is ≥ 0; only rounding (when p̂ ≈ p*) can push it below 0.
    kl += klRow > 0 ? klRow : 0;
  }
  klOut[0] = kl;
  return total;
}
