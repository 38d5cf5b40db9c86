/** Softmax cross-entropy of logits against index or distribution targets, with its gradient. */
import type { Matrix } from '../core/matrix.js';
import { allocFloat, dtypeOf } from '../core/matrix.js';
import {
  checkFiniteMatrix,
  checkMatrix,
  checkNonEmptyMatrix,
  checkOneOf,
  checkOptions,
  checkWordIndices,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../core/check.js';
import { rowCrossEntropyDist, rowCrossEntropyIndex } from '../kernels/crossEntropyKernel.js';
import { tryAcceleratedSoftmaxCrossEntropy } from '../backend/accelerate.js';

/** How per-row losses are combined. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /** `'mean'` (default) averages the row losses, `'sum'` adds them, `'none'` adds them and is meant for reading `perRow`. */
  reduction?: Reduction;
  /** Also return the gradient with respect to the logits. @defaultValue false */
  grad?: boolean;
  /**
   * For `Int32Array` targets only: rows whose target equals this value are ignored (PyTorch's
   * `ignore_index`, used for padding): they contribute neither loss nor gradient (`perRow[i] = 0`,
   * a zero gradient row), `'mean'` divides by the number of rows that are not ignored, and when every
   * row is ignored the loss is 0 with a zero gradient for every reduction (PyTorch returns NaN for
   * `'mean'`; a batch of padding is a no-op here, never a NaN that poisons a training run). Any
   * integer: a value in `[0, n)` ignores that class. @defaultValue undefined (no row is ignored)
   */
  ignoreIndex?: number;
}

/** Result of `crossEntropy`. */
export interface CrossEntropyResult {
  /** The reduced loss: mean of `perRow` for `'mean'` (over the rows not ignored), sum for `'sum'` and `'none'`. */
  loss: number;
  /** The loss of each row (always returned: it costs `m` numbers). */
  perRow: Float64Array;
  /** `∂ loss / ∂ logits` (for `'none'`: row `i` is `∂ perRow[i] / ∂ logits[i]`), in the logits' precision. */
  gradLogits?: Matrix;
}

/**
 * Extra tolerance on the row sums of a distribution target, on top of `n·u` (see below). It
 * accepts distributions written with about 7 significant digits (for example read from a text file).
 */
const ROW_SUM_SLACK = 1e-6;

/**
 * Cross-entropy of softmax(logits) against targets (docs/theory.md#2-pre-training-loss-and-its-gradient): row `i` loses
 * `−Σ_j q_ij log softmax(z_i)_j`, with `q_i` one-hot at `targets[i]` for an `Int32Array`, or the row
 * `targets[i]` of a distribution `Matrix`. Log-probabilities come from the max-shifted log-sum-exp,
 * so any finite logits give a finite loss; target entries equal to 0 contribute exactly 0.
 *
 * The gradient is `softmax(z_i)·Σ_j q_ij − q_i` (= `softmax(z_i) − q_i` for a distribution), scaled
 * by `1/m` for `'mean'`, computed in the same fused row pass as the loss (one `exp` per logit) and
 * stored in the logits' precision (float32 logits give a float32 gradient; losses are float64).
 * The `Σq` factor makes it the exact derivative of the reported loss even when a target row sums to
 * `1 ± 1e-6`: the loss is invariant to adding a constant to a row of logits, so its gradient rows
 * sum to 0, which `softmax − q` does not. `train` and `Learner.lossAndGradient` run this same row.
 *
 * With `ignoreIndex` (index targets only), rows whose target equals it are left out: see
 * `CrossEntropyOptions.ignoreIndex`.
 *
 * A distribution target must be finite, non-negative and have rows summing to 1 within
 * `1e-6 + n·u`, where `u` is the unit roundoff of the target's storage (`2^-53` or `2^-24`): `n·u`
 * bounds the rounding of a row normalised by summation in that precision (Higham, "Accuracy and
 * Stability of Numerical Algorithms", §4.2), and `1e-6` admits values printed with 7 digits.
 *
 * @param logits - `m × n` finite logits, `m, n ≥ 1`.
 * @param targets - an `Int32Array` of `m` class indices in `[0, n)`, or an `m × n` Matrix of row distributions.
 * @param opts - `{ reduction = 'mean', grad = false, ignoreIndex }`.
 * @returns `{ loss, perRow, gradLogits? }`. Inputs are not modified.
 * @throws ShapeError when `logits` is empty, or `targets` has the wrong length or shape.
 * @throws DomainError when `logits` holds a non-finite value, a target index is outside `[0, n)`,
 *   a target row is not a distribution, `targets` is neither an `Int32Array` nor a Matrix, an
 *   option is invalid, or `ignoreIndex` is given with distribution targets.
 * @example
 * ```ts
 * const { loss, gradLogits } = crossEntropy(fromRows([[0, 0, 0]]), Int32Array.of(2), { grad: true });
 * // loss = Math.log(3); gradLogits = [[1/3, 1/3, -2/3]]
 * const padded = crossEntropy(fromRows([[0, 0], [5, 0]]), Int32Array.of(1, -100), { ignoreIndex: -100 });
 * // padded.loss = Math.log(2): the mean over the one row that is not padding
 * ```
 */
export function crossEntropy(logits: Matrix, targets: Int32Array | Matrix, opts?: CrossEntropyOptions): CrossEntropyResult {
  const fn = 'crossEntropy';
  checkNonEmptyMatrix(fn, 'logits', logits);
  checkOptions(fn, 'opts', opts);
  const reduction = opts?.reduction ?? 'mean';
  checkOneOf(fn, 'opts.reduction', reduction, ['mean', 'sum', 'none'] as const);
  const wantGrad = opts?.grad ?? false;
  if (typeof wantGrad !== 'boolean') throw domainError(fn, 'opts.grad', 'a boolean or undefined', describeValue(wantGrad));
  const { rows: m, cols: n } = logits;
  const ignoreIndex = opts?.ignoreIndex;
  const isIndex = targets instanceof Int32Array;
  if (ignoreIndex !== undefined) {
    if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) throw domainError(fn, 'opts.ignoreIndex', 'an integer or undefined', describeValue(ignoreIndex));
    if (!isIndex) throw domainError(fn, 'opts.ignoreIndex', 'undefined with distribution targets (it applies to Int32Array targets)', String(ignoreIndex));
  }
  // Index targets with ignored rows: the kernels see class 0 in their place (their result is then
  // discarded), so the fused and accelerated passes run unchanged over contiguous rows.
  let kept = m;
  let ignored: Uint8Array | null = null;
  let t: Int32Array | null = null;
  if (isIndex) {
    if (targets.length !== m) throw shapeError(fn, 'targets', `an Int32Array of length ${m} (logits.rows)`, `length ${targets.length}`);
    if (ignoreIndex !== undefined && targets.includes(ignoreIndex)) {
      ignored = new Uint8Array(m);
      t = new Int32Array(m);
      for (let i = 0; i < m; i++) {
        if (targets[i] === ignoreIndex) {
          ignored[i] = 1;
          kept--;
        } else t[i] = targets[i];
      }
      checkWordIndices(fn, 'targets', t, n);
    } else {
      checkWordIndices(fn, 'targets', targets, n);
      t = targets;
    }
  } else {
    if (targets === null || typeof targets !== 'object' || ArrayBuffer.isView(targets) || !('data' in targets)) {
      throw domainError(fn, 'targets', 'an Int32Array of class indices or a Matrix of row distributions', describeValue(targets));
    }
    checkMatrix(fn, 'targets', targets);
    if (targets.rows !== m || targets.cols !== n) throw shapeError(fn, 'targets', `a ${m}×${n} matrix (the shape of logits)`, shapeOf(targets));
    checkDistributionRows(fn, 'targets', targets);
  }
  checkFiniteMatrix(fn, 'logits', logits);

  // All rows ignored: the documented result (loss 0, zero gradient), not 0/0.
  const scale = reduction === 'mean' ? (kept > 0 ? 1 / kept : 0) : 1;
  const grad = wantGrad ? allocFloat(dtypeOf(logits), m * n) : null;
  const scratch = new Float64Array(n);
  const tmp2 = new Float64Array(2);
  const perRow = new Float64Array(m);
  const z = logits.data;
  // Index targets: the accelerated backend (WebAssembly SIMD, threads) runs the same fused row pass
  // when it is active and the batch is large enough; it fills perRow and grad exactly as below.
  if (t !== null) {
    if (!tryAcceleratedSoftmaxCrossEntropy({ z, zOff: 0, ldz: n, rows: m, n, targets: t, tOff: 0, lse: null, loss: perRow, grad, gOff: 0, ldg: n, scale })) {
      for (let i = 0; i < m; i++) perRow[i] = rowCrossEntropyIndex(z, i * n, n, t[i], scratch, tmp2, grad, i * n, scale);
    }
  } else {
    const q = (targets as Matrix).data;
    for (let i = 0; i < m; i++) perRow[i] = rowCrossEntropyDist(z, i * n, n, q, i * n, scratch, tmp2, grad, i * n, scale);
  }
  if (ignored !== null) {
    for (let i = 0; i < m; i++) {
      if (ignored[i] === 1) {
        perRow[i] = 0;
        if (grad) grad.fill(0, i * n, (i + 1) * n);
      }
    }
  }
  let total = 0;
  for (let i = 0; i < m; i++) total += perRow[i];
  const result: CrossEntropyResult = { loss: reduction === 'mean' ? (kept > 0 ? total / kept : 0) : total, perRow };
  if (grad) result.gradLogits = { rows: m, cols: n, data: grad };
  return result;
}

/** Check that every row of `q` is a probability distribution within the documented tolerance. */
function checkDistributionRows(fn: string, name: string, q: Matrix): void {
  const { rows, cols, data } = q;
  const u = data instanceof Float32Array ? 2 ** -24 : 2 ** -53;
  const tol = ROW_SUM_SLACK + cols * u;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      if (!(v >= 0 && v - v === 0)) {
        throw domainError(fn, name, 'a matrix of probability distributions (finite, non-negative entries)', `${describeValue(v)} at (${i}, ${j})`);
      }
      s += v;
    }
    if (Math.abs(s - 1) > tol) {
      throw domainError(fn, name, `a matrix whose rows sum to 1 (within ${tol.toExponential(3)} = 1e-6 + n·u)`, `row ${i} summing to ${s}`);
    }
  }
}
