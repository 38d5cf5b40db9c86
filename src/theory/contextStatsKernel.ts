/**
 * One pass over the contexts computing, per context, everything the theorems need from the two
 * models' logits: both log-partitions, both bulk log-partitions, the KL divergence and the total
 * variation between the next-word distributions, and the logits of the task words.
 *
 * Logits are formed in row blocks (never an `m × n` temporary), and always in float64, even for
 * float32 storage: these are internal temporaries of a reduction, and a bound check should not be
 * polluted by float32 rounding of the logits.
 *
 * @internal
 */
import type { Matrix } from '../matrix/matrix.js';
import { NumericalError } from '../errors/errors.js';
import { gemm } from '../linalg/gemm.js';
import { rowLogSumExp } from '../softmax/softmaxKernel.js';

// Math functions bound once at module scope: hot loops then call a local binding instead of looking
// up the global `Math` each time, which costs ~0.5 µs per lookup inside jest's vm context (measured:
// Math.exp in a loop 528 ns/call under jest against 37 ns through a module-level binding).
const { abs: mAbs, exp: mExp, log: mLog, max: mMax, min: mMin } = Math;


/** Per-context statistics of a pair of models. All arrays have one entry per context (row-major `m × |T|` for the word logits). */
export interface ContextStats {
  readonly logZStar: Float64Array;
  readonly logZHat: Float64Array;
  readonly logZBStar: Float64Array;
  readonly logZBHat: Float64Array;
  readonly kl: Float64Array;
  /**
   * A bound on the floating-point error of `kl`: each log-probability `z_w − LSE` carries an error of
   * a few ulps of `|z_w| + |LSE|`, so `|κ_computed − κ| ≤ 8u Σ_w p*_w (|z*_w| + |ẑ_w| + |LSE*| + |LSÊ|)`
   * with `u = 2⁻⁵³` (generously rounded up; plus the summation error `n·u·κ`). The certified bound
   * inflates `κ` by it so that a rounding error cannot make it fail.
   */
  readonly klRoundingBound: Float64Array;
  readonly tv: Float64Array;
  readonly wordLogitsStar: Float64Array;
  readonly wordLogitsHat: Float64Array;
}

/** Unit roundoff of float64, `2⁻⁵³`. */
const U = 2 ** -53;

/** Rows per block: 128 rows of a 50 000-word vocabulary are 51 MB of float64 logits per model. */
const BLOCK_ROWS = 128;

/**
 * `LSE_{w ∈ idx} z[offset + w]`, max-subtracted. The softmax kernels cover whole rows only; the
 * bulk's log-partition needs a gathered subset of a row that is already in memory.
 */
export function subsetLogSumExp(z: Float64Array, offset: number, idx: Int32Array): number {
  let max = -Infinity;
  for (let k = 0; k < idx.length; k++) {
    const v = z[offset + idx[k]];
    if (v > max) max = v;
  }
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let k = 0; k < idx.length; k++) s += mExp(z[offset + idx[k]] - max);
  return max + mLog(s);
}

/**
 * Compute {@link ContextStats} for truth `(Vs, Hs)` and learned model `(Vh, Hh)` on the same `m`
 * contexts. Unchecked: the caller validated shapes (`Vs: n×d`, `Hs: m×d`, `Vh: n×d'`, `Hh: m×d'`)
 * and finiteness; `fn` names the public function in the one error this kernel can still raise.
 *
 * Finite inputs can still give a non-finite logit (`|⟨v, h⟩| > 1.8e308`); the log-partition is then
 * `±∞` or NaN, every log-probability of the row is NaN, and the clamp below would turn a NaN KL into
 * a silent 0. Such a row throws a `NumericalError` instead.
 *
 * KL is `Σ_w p*_w (log p*_w − log p̂_w)` with both log-probabilities from logits (a word whose `p*_w`
 * underflows contributes 0, which is its exact contribution to double precision); a negative result
 * can only be rounding and is clamped to 0.
 */
export function contextStatsKernel(fn: string, Vs: Matrix, Hs: Matrix, Vh: Matrix, Hh: Matrix, words: Int32Array, bulk: Int32Array): ContextStats {
  const m = Hs.rows;
  const n = Vs.rows;
  const k = words.length;
  const out: ContextStats = {
    logZStar: new Float64Array(m),
    logZHat: new Float64Array(m),
    logZBStar: new Float64Array(m),
    logZBHat: new Float64Array(m),
    kl: new Float64Array(m),
    klRoundingBound: new Float64Array(m),
    tv: new Float64Array(m),
    wordLogitsStar: new Float64Array(m * k),
    wordLogitsHat: new Float64Array(m * k),
  };
  const rowsPerBlock = mMax(1, mMin(BLOCK_ROWS, m));
  const zs = new Float64Array(rowsPerBlock * n);
  const zh = new Float64Array(rowsPerBlock * n);
  for (let start = 0; start < m; start += rowsPerBlock) {
    const rows = mMin(rowsPerBlock, m - start);
    // Z = H Vᵀ for the block, for each model.
    gemm(false, true, rows, n, Vs.cols, 1, Hs.data, start * Hs.cols, Hs.cols, Vs.data, 0, Vs.cols, 0, zs, 0, n);
    gemm(false, true, rows, n, Vh.cols, 1, Hh.data, start * Hh.cols, Hh.cols, Vh.data, 0, Vh.cols, 0, zh, 0, n);
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      const off = r * n;
      const lzs = rowLogSumExp(zs, off, n);
      const lzh = rowLogSumExp(zh, off, n);
      // `x - x !== 0` is true exactly for NaN and ±∞.
      if (lzs - lzs !== 0 || lzh - lzh !== 0) {
        throw new NumericalError(
          `${fn}: the logits of context ${i} are not finite (log Z* = ${lzs}, log Ẑ = ${lzh}); some |⟨v_w, h(s)⟩| overflows a double, so rescale V or H`,
        );
      }
      out.logZStar[i] = lzs;
      out.logZHat[i] = lzh;
      out.logZBStar[i] = subsetLogSumExp(zs, off, bulk);
      out.logZBHat[i] = subsetLogSumExp(zh, off, bulk);
      let kl = 0;
      let tv = 0;
      let mag = 0;
      for (let w = 0; w < n; w++) {
        const lps = zs[off + w] - lzs;
        const lph = zh[off + w] - lzh;
        const ps = mExp(lps);
        if (ps > 0) {
          kl += ps * (lps - lph);
          mag += ps * (mAbs(zs[off + w]) + mAbs(zh[off + w]));
        }
        tv += mAbs(ps - mExp(lph));
      }
      out.kl[i] = kl > 0 ? kl : 0;
      out.klRoundingBound[i] = 8 * U * (mag + mAbs(lzs) + mAbs(lzh)) + n * U * mAbs(kl);
      out.tv[i] = mMin(1, 0.5 * tv);
      for (let j = 0; j < k; j++) {
        out.wordLogitsStar[i * k + j] = zs[off + words[j]];
        out.wordLogitsHat[i * k + j] = zh[off + words[j]];
      }
    }
  }
  return out;
}
