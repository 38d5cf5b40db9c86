/**
 * The library's one softmax cross-entropy row, with its gradient: unchecked fused row kernels used
 * by the public `crossEntropy`, by `train` and by `Learner.lossAndGradient` (through
 * `src/train/lossKernel.ts`), and run in worker threads by the `'js'` backend. One pass per row
 * computes the maximum, the log-sum-exp, the loss and (optionally) the gradient
 * `scale · (softmax(z)·Σq − q)`.
 *
 * Preconditions (the caller checks): finite logits, `n ≥ 1`, an index target in `[0, n)` or a
 * target row that is finite and non-negative, `scratch.length ≥ n` (float64), and `grad` (when not
 * null) at least `gOff + n` long.
 *
 * Why `softmax(z)·Σq − q` rather than `softmax(z) − q`: the loss `−Σ q_j log softmax(z)_j` has
 * exactly this gradient for any non-negative `q`; for a distribution (`Σq = 1` up to rounding) it is
 * the textbook `p − q` (docs/theory.md#2-pre-training-loss-and-its-gradient), and using the exact form keeps the gradient the derivative of
 * the reported loss, so finite differences agree with it to rounding.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { fastExp } from './fastExp.js';

// Math functions are bound once at module scope: under jest every lookup of the global `Math` in a
// hot loop goes through the test sandbox's global object and costs ~0.4 µs (measured: 1e6 calls of
// Math.exp took 480 ms in a test against 16 ms through a module-scope alias); in plain Node the
// alias costs nothing.
const { log } = Math;
// Tang's table-driven exp with magic-number rounding, within 2 ulps of Math.exp and about 3× faster
// in V8 (src/kernels/fastExp.ts).
const exp = fastExp;

// Both precisions run through these functions, on the calling thread and in the `'js'` backend's
// workers. A program that alternates them gets each loop recompiled once with a check of the array
// kind on every element access (`node --trace-deopt` shows a "wrong map" de-optimisation of
// `shiftedExp` and `rowCrossEntropyIndex`). Two ways to keep one compilation per precision were
// tried: per-precision closures from one factory do not help (V8 shares the feedback and the
// compiled code of all closures made at one site), and widening a float32 row into float64 scratch
// before one float64-only kernel added a pass over the row that cost more than the check saves
// (commit "Experiment (reverted next)" on this file). bench/precisionAlternation.bench.ts measures
// what alternating costs.

/**
 * Fill `scratch[0..n)` with `exp(z_j − c)`, `c` the row maximum, and write the row's log-sum-exp
 * `c + log s` to `out2[0]` and `1/s` to `out2[1]` (`s = Σ scratch`). Each exponential is computed
 * once and reused by the gradient.
 */
function shiftedExp(z: FloatArray, off: number, n: number, scratch: Float64Array, out2: Float64Array): void {
  let c = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = z[off + j];
    if (v > c) c = v;
  }
  let s = 0;
  for (let j = 0; j < n; j++) {
    const e = exp(z[off + j] - c);
    scratch[j] = e;
    s += e;
  }
  out2[0] = c + log(s);
  out2[1] = 1 / s;
}

/**
 * Loss `LSE(z) − z_t` of one row with index target `t`; when `grad` is given, writes
 * `scale · (softmax(z) − e_t)` into `grad[gOff ..]` (`grad` may be `z` with `gOff = off`: in place).
 *
 * @example
 * ```ts
 * const g = new Float64Array(3);
 * rowCrossEntropyIndex(Float64Array.of(0, 0, 0), 0, 3, 2, new Float64Array(3), new Float64Array(2), g, 0, 1);
 * // returns Math.log(3); g = [1/3, 1/3, -2/3]
 * ```
 */
export function rowCrossEntropyIndex(
  z: FloatArray,
  off: number,
  n: number,
  t: number,
  scratch: Float64Array,
  tmp2: Float64Array,
  grad: FloatArray | null,
  gOff: number,
  scale: number,
): number {
  shiftedExp(z, off, n, scratch, tmp2);
  const lse = tmp2[0];
  // Read z_t before the gradient is written: `grad` may be `z` itself (the training step and the
  // threaded row pass overwrite the logits with their gradient).
  const zt = z[off + t];
  if (grad) {
    const k = tmp2[1] * scale;
    for (let j = 0; j < n; j++) grad[gOff + j] = scratch[j] * k;
    // Subtract in float64 from the float64 probability, then store once (one rounding in float32).
    grad[gOff + t] = scratch[t] * k - scale;
  }
  // lse ≥ max z ≥ z_t in floating point too (c + log s with s ≥ 1), so the loss is never negative.
  return lse - zt;
}

/**
 * Loss `Σ_{q_j > 0} q_j (LSE(z) − z_j)` of one row with target row `q` (terms with `q_j = 0` are
 * skipped, so a word with `q_j = 0` contributes 0 even when its probability underflows); when `grad`
 * is given, writes `scale · (softmax(z)·Σq − q)` into `grad[gOff ..]`.
 *
 * @example
 * ```ts
 * rowCrossEntropyDist(Float64Array.of(0, 0), 0, 2, Float64Array.of(0.5, 0.5), 0, new Float64Array(2), new Float64Array(2), null, 0, 1);
 * // returns Math.log(2)
 * ```
 */
export function rowCrossEntropyDist(
  z: FloatArray,
  off: number,
  n: number,
  q: FloatArray,
  qOff: number,
  scratch: Float64Array,
  tmp2: Float64Array,
  grad: FloatArray | null,
  gOff: number,
  scale: number,
): number {
  shiftedExp(z, off, n, scratch, tmp2);
  const lse = tmp2[0];
  let loss = 0;
  let sq = 0;
  for (let j = 0; j < n; j++) {
    const qj = q[qOff + j];
    if (qj > 0) {
      loss += qj * (lse - z[off + j]);
      sq += qj;
    }
  }
  if (grad) {
    const k = tmp2[1] * sq * scale;
    for (let j = 0; j < n; j++) grad[gOff + j] = scratch[j] * k - q[qOff + j] * scale;
  }
  return loss;
}
