/** Draw next words from a log-linear model, `k` per context. */
import type { Matrix } from '../core/matrix.js';
import { checkAllocatable, checkFiniteMatrix, checkMatrix, checkPositiveInt, describeValue, domainError, shapeError, shapeOf } from '../core/check.js';
import { gemm } from '../linalg/gemm.js';
import type { Rng } from '../random/index.js';
import { LogLinearModel } from './LogLinearModel.js';
import { countOf } from '../core/countOf.js';

/** Contexts per block: the block of logits (`ROW_BLOCK × n` doubles) is the only large temporary. */
const ROW_BLOCK = 64;

/**
 * Draw `samplesPerContext` next words `w ~ p(·|s)` for every context (row of `H`), independently.
 *
 * Logits are computed in blocks of 64 contexts, so memory stays `O(64·n)` whatever `m` is. For each
 * context the max-shifted weights `exp(z_w − max z)` are summed into a running (cumulative) table
 * once, and each draw is an inverse-CDF binary search on one `rng.next()`: `O(n + k log n)` per
 * context instead of `O(k n)` for `k` independent calls to `sampleCategorical`. No probability is
 * logged; a word whose weight underflows (logit ≈745 below the row's max) is never drawn.
 *
 * Deterministic for a given `rng` state: contexts are visited in order and each consumes exactly
 * `samplesPerContext` draws of `rng.next()`.
 *
 * @param model - the model `p(w|s) = softmax(V h(s))`.
 * @param H - `m × d` representations, finite.
 * @param samplesPerContext - `k ≥ 1` words per context.
 * @param rng - a stream from `createRng`.
 * @returns an `Int32Array` of length `m·k`, row-major: the draws for context `i` are at `[i·k, (i+1)·k)`.
 * @throws DomainError when `model` is not a `LogLinearModel`, `k` is not a positive integer, `m·k`
 *   draws do not fit in one `Int32Array` of at most 4 GiB, `H` holds a non-finite value or `rng` is
 *   not an `Rng`.
 * @throws ShapeError when `H.cols ≠ model.d`.
 * @example
 * ```ts
 * const model = new LogLinearModel(fromRows([[1, 0], [0, 1], [0, 0]]));
 * const words = sampleNextWords(model, fromRows([[2, 0], [0, 2]]), 5, createRng(1)); // 10 indices
 * ```
 */
export function sampleNextWords(model: LogLinearModel, H: Matrix, samplesPerContext: number, rng: Rng): Int32Array {
  const fn = 'sampleNextWords';
  if (!(model instanceof LogLinearModel)) throw domainError(fn, 'model', 'a LogLinearModel', describeValue(model));
  checkMatrix(fn, 'H', H);
  if (H.cols !== model.d) throw shapeError(fn, 'H', `a matrix with ${countOf(model.d, 'column')} (model.d)`, shapeOf(H));
  checkFiniteMatrix(fn, 'H', H);
  checkPositiveInt(fn, 'samplesPerContext', samplesPerContext);
  // The output holds m·k Int32 draws: refuse an impossible size before allocating it.
  checkAllocatable(fn, 'samplesPerContext', H.rows * samplesPerContext, 4, `H.rows·samplesPerContext = ${H.rows}·${samplesPerContext}`);
  if (rng === null || typeof rng !== 'object' || typeof (rng as { next?: unknown }).next !== 'function') {
    throw domainError(fn, 'rng', 'an Rng from createRng', describeValue(rng));
  }
  return sampleNextWordsKernel(model.V, H, samplesPerContext, rng);
}

/**
 * Unchecked body of `sampleNextWords`.
 *
 * @internal
 */
export function sampleNextWordsKernel(V: Matrix, H: Matrix, k: number, rng: Rng): Int32Array {
  const m = H.rows;
  const n = V.rows;
  const d = V.cols;
  const out = new Int32Array(m * k);
  const block = Math.min(ROW_BLOCK, Math.max(m, 1));
  const z = new Float64Array(block * n);
  const cum = new Float64Array(n);
  for (let i0 = 0; i0 < m; i0 += block) {
    const b = Math.min(block, m - i0);
    gemm(false, true, b, n, d, 1, H.data, i0 * d, d, V.data, 0, d, 0, z, 0, n);
    for (let r = 0; r < b; r++) {
      const off = r * n;
      let max = -Infinity;
      for (let w = 0; w < n; w++) if (z[off + w] > max) max = z[off + w];
      let acc = 0;
      for (let w = 0; w < n; w++) {
        acc += Math.exp(z[off + w] - max);
        cum[w] = acc;
      }
      // The largest weight is exactly 1, so `acc ∈ [1, n]`: no overflow, no underflow of the total.
      const base = (i0 + r) * k;
      for (let j = 0; j < k; j++) {
        const u = rng.next() * acc;
        // Smallest w with cum[w] > u. A zero-weight word has cum[w] = cum[w−1], so it is never the
        // smallest such index; if u rounds up to acc, the search ends at n and is clamped below.
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cum[mid] > u) hi = mid;
          else lo = mid + 1;
        }
        if (lo >= n) {
          lo = n - 1;
          while (lo > 0 && cum[lo] === cum[lo - 1]) lo--;
        }
        out[base + j] = lo;
      }
    }
  }
  return out;
}
