/**
 * Fused softmax cross-entropy over a batch of logits, in place: each row of logits is replaced by
 * its gradient `α (softmax(z) − q)` and the row's loss `LSE(z) − ⟨q, z⟩` is accumulated in float64
 * (docs/theory.md#2-pre-training-loss-and-its-gradient). Three kinds of target `q`: one word per row (one-hot), a row of a target
 * distribution matrix, or the softmax of teacher logits (the world's `p*(·|s)`), for which the row's
 * `KL(p*‖p̂)` comes out of the same pass.
 *
 * These reuse the softmax row kernels (`src/softmax/softmaxKernel.ts`) rather than the public
 * `crossEntropy`, so that the training loop neither allocates an `m × n` gradient per step nor
 * re-validates its own buffers.
 *
 * A row whose logits are not finite yields a NaN or infinite loss, which the caller detects.
 *
 * @internal
 */
import type { FloatArray } from '../matrix/matrix.js';
import { rowSoftmax } from '../softmax/softmaxKernel.js';
import { tryAcceleratedSoftmaxCrossEntropy } from '../backend/accelerate.js';

/**
 * One-hot targets `words[i]` for row `i`. Returns `Σ_i loss_i`. The accelerated backend's fused row
 * pass (WebAssembly SIMD, threads) gets the first chance, with `lossRows` (length ≥ `B`) receiving
 * the per-row losses; the TypeScript loop below is the fallback.
 */
export function crossEntropyWordsKernel(z: Float64Array, B: number, n: number, words: Int32Array, alpha: number, lossRows?: Float64Array): number {
  if (lossRows !== undefined) {
    const done = tryAcceleratedSoftmaxCrossEntropy({
      z,
      zOff: 0,
      ldz: n,
      rows: B,
      n,
      targets: words,
      tOff: 0,
      lse: null,
      loss: lossRows,
      grad: z,
      gOff: 0,
      ldg: n,
      scale: alpha,
    });
    if (done) {
      let sum = 0;
      for (let i = 0; i < B; i++) sum += lossRows[i];
      return sum;
    }
  }
  let total = 0;
  for (let i = 0; i < B; i++) {
    const o = i * n;
    const t = words[i];
    const zt = z[o + t];
    const lse = rowSoftmax(z, o, n, z, o);
    total += lse - zt;
    z[o + t] -= 1;
    for (let j = 0; j < n; j++) z[o + j] *= alpha;
  }
  return total;
}

/** Distribution targets: row `rows[i]` of `Q` (`· × n`, rows summing to 1) for batch row `i`. Returns `Σ_i loss_i`. */
export function crossEntropyDistributionKernel(
  z: Float64Array,
  B: number,
  n: number,
  Q: FloatArray,
  rows: Int32Array,
  alpha: number,
): number {
  let total = 0;
  for (let i = 0; i < B; i++) {
    const o = i * n;
    const qo = rows[i] * n;
    let qz = 0;
    for (let j = 0; j < n; j++) {
      const q = Q[qo + j];
      if (q !== 0) qz += q * z[o + j];
    }
    const lse = rowSoftmax(z, o, n, z, o);
    total += lse - qz;
    for (let j = 0; j < n; j++) z[o + j] = alpha * (z[o + j] - Q[qo + j]);
  }
  return total;
}

/**
 * Teacher targets `q = softmax(T_i)` with teacher logits `T` (`B × n`). Returns `Σ_i loss_i` and
 * writes `Σ_i KL(q_i ‖ softmax(z_i))` into `klOut[0]`. `q` goes to the scratch row `qRow` (length
 * `n`); `T` and the logits are each exponentiated once per entry. With `lq = T − LSE(T)` (exact, no
 * log of a probability): `CE = LSE(z)·Σq − ⟨q, z⟩` and `KL = ⟨q, lq⟩ − ⟨q, z⟩ + LSE(z)·Σq`; a
 * teacher probability that underflows contributes exactly 0.
 */
export function crossEntropyTeacherKernel(
  z: Float64Array,
  B: number,
  n: number,
  T: Float64Array,
  qRow: Float64Array,
  alpha: number,
  klOut: Float64Array,
): number {
  let total = 0;
  let kl = 0;
  for (let i = 0; i < B; i++) {
    const o = i * n;
    const lseT = rowSoftmax(T, o, n, qRow, 0);
    let qz = 0;
    let qlq = 0;
    let qs = 0;
    for (let j = 0; j < n; j++) {
      const q = qRow[j];
      if (q !== 0) {
        qz += q * z[o + j];
        qlq += q * (T[o + j] - lseT);
        qs += q;
      }
    }
    const lse = rowSoftmax(z, o, n, z, o);
    total += lse * qs - qz;
    const klRow = qlq - qz + lse * qs;
    // The exact KL is ≥ 0; only rounding (when p̂ ≈ p*) can push the sum below 0.
    kl += klRow > 0 ? klRow : 0;
    for (let j = 0; j < n; j++) z[o + j] = alpha * (z[o + j] - qRow[j]);
  }
  klOut[0] = kl;
  return total;
}
