/**
 * One pass over the contexts computing, per context, everything the theorems need from the two
 * models' logits: both log-partitions, both bulk log-partitions, the KL divergence and the total
 * variation between the next-word distributions, the logits and log-probabilities of the task words
 * and of the bulk, and a bound on the rounding error of each (so that every bound built on them can
 * be made sound under rounding: `docs/theory.md#soundness-under-rounding`).
 *
 * Logits are formed in row blocks (never an `m × n` temporary), and always in float64, even for
 * float32 storage: these are internal temporaries of a reduction, and a bound check should not be
 * polluted by float32 rounding of the logits.
 *
 * **Tiny probabilities.** Every log-partition is kept as `c + log1p(t)` (max-shift `c`, `t` the sum of
 * the other terms, {@link rowLogSumExpParts}), so `log p = (z − c) − log1p(t)` keeps its digits when a
 * context is nearly a point mass. KL and TV are sums of non-negative per-word terms formed from the
 * two log-probabilities of each word, never a difference of two numbers near 1:
 *
 *     κ = Σ_w [p̂_w − p*_w − p*_w (log p̂_w − log p*_w)]  (each term p*_w φ(p̂_w/p*_w − 1) ≥ 0),
 *     t = ½ Σ_w max(p*_w, p̂_w) (1 − e^{−|log p̂_w − log p*_w|}),
 *
 * the first because `Σ p̂ = Σ p* = 1` (an error in a normaliser then enters κ only to second order).
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import { NumericalError } from '../core/errors.js';
import { gemm } from '../linalg/gemm.js';
import { rowLogSumExpParts } from '../kernels/softmaxKernel.js';
import { KL_ABSOLUTE_ALLOWANCE, KL_RELATIVE_ALLOWANCE, klTerm } from './binaryKlKernel.js';

// Math functions bound once at module scope: hot loops then call a local binding instead of looking
// up the global `Math` each time, which costs ~0.5 µs per lookup inside jest's vm context (measured:
// Math.exp in a loop 528 ns/call under jest against 37 ns through a module-level binding).
const { abs: mAbs, exp: mExp, expm1: mExpm1, log1p: mLog1p, max: mMax, min: mMin, sqrt: mSqrt } = Math;

/** Unit roundoff of float64, `2⁻⁵³`. */
export const U = 2 ** -53;

/**
 * Factor applied to every first-order rounding bound: it covers the second-order terms (products of
 * two relative errors of order 1e-13 at most) and the rounding of the bound's own arithmetic.
 */
export const ALLOWANCE_FACTOR = 2;

/** Log-probabilities below this contribute less than `e^{−800}·1600 < 2⁻¹⁰⁷⁴` to κ and t (an underflow). */
const NEGLIGIBLE_LOG_PROB = -800;

/** Per-context statistics of a pair of models. All arrays have one entry per context (row-major `m × |T|` for the word arrays). */
export interface ContextStats {
  readonly logZStar: Float64Array;
  readonly logZHat: Float64Array;
  readonly logZBStar: Float64Array;
  readonly logZBHat: Float64Array;
  /** Bounds on the error of the computed `log Z_B` of each model (logit rounding plus the sum). */
  readonly logZBErrStar: Float64Array;
  readonly logZBErrHat: Float64Array;
  /** `κ(s) = KL(p*(·|s) ‖ p̂(·|s))`, a sum of non-negative terms. */
  readonly kl: Float64Array;
  /** A bound on `|κ_computed − κ|` (`docs/theory.md#soundness-under-rounding`). */
  readonly klRoundingBound: Float64Array;
  /** `t(s) = TV(p*(·|s), p̂(·|s))`. */
  readonly tv: Float64Array;
  /** A bound on `|t_computed − t|`. */
  readonly tvRoundingBound: Float64Array;
  readonly wordLogitsStar: Float64Array;
  readonly wordLogitsHat: Float64Array;
  /** `log p*(w|s)` and `log p̂(w|s)` of the task words, and bounds on their errors. */
  readonly wordLogProbStar: Float64Array;
  readonly wordLogProbHat: Float64Array;
  readonly wordLogProbErrStar: Float64Array;
  readonly wordLogProbErrHat: Float64Array;
  /** `log p*(B|s)`, `log p̂(B|s)` and bounds on their errors. */
  readonly bulkLogProbStar: Float64Array;
  readonly bulkLogProbHat: Float64Array;
  readonly bulkLogProbErrStar: Float64Array;
  readonly bulkLogProbErrHat: Float64Array;
  /** A bound on the rounding error of each computed logit `⟨v_w, h(s)⟩` (`γ_d ‖h(s)‖₂ max_w ‖v_w‖₂`). */
  readonly logitErrStar: Float64Array;
  readonly logitErrHat: Float64Array;
}

/** Rows per block: 128 rows of a 50 000-word vocabulary are 51 MB of float64 logits per model. */
const BLOCK_ROWS = 128;

/**
 * `‖x‖₂` of `data[off .. off + d)`, rounded up, without overflow or underflow: the entries are scaled
 * by the largest `|x_k|` first (a plain sum of squares overflows for entries above ~1e154, which
 * made every rounding bound `+∞`). Scaling by a power of two is exact; the scaled sum of `d` squares
 * in `[0, 1]` carries `d u` and the square root one more `u`.
 */
function scaledNorm(data: ArrayLike<number>, off: number, d: number): number {
  let big = 0;
  for (let k = 0; k < d; k++) big = mMax(big, mAbs(data[off + k]));
  if (big === 0) return 0;
  // A power of two ≤ `big` (exact scaling, and 2^1024 would overflow); scaled entries lie in [0, 2).
  const scale = 2 ** Math.min(1023, Math.floor(Math.log2(big)));
  let s = 0;
  for (let k = 0; k < d; k++) {
    const x = data[off + k] / scale;
    s += x * x;
  }
  return mSqrt(s) * (1 + (2 * d + 2) * U) * scale;
}

/** `max_w ‖v_w‖₂` over the rows of `V`, rounded up. */
function maxRowNorm(V: Matrix): number {
  let best = 0;
  for (let w = 0; w < V.rows; w++) best = mMax(best, scaledNorm(V.data, w * V.cols, V.cols));
  return best;
}

/** `‖h(s)‖₂` of row `i`, rounded up. */
function rowNorm(H: Matrix, i: number): number {
  return scaledNorm(H.data, i * H.cols, H.cols);
}

/**
 * Largest logit rounding bound `δz` for which the rounding allowances are valid: they are first-order
 * in the errors of the log-probabilities (a relative change `e^{e_w} − 1 ≈ e_w` of `p_w`), and
 * `ALLOWANCE_FACTOR = 2` covers the neglected `e_w²/2` terms only while `e_w` is small. At `δz ≤
 * 2⁻²⁰` they are below `1e-6` relative to the first-order terms. Beyond it (logits of magnitude
 * ~`2⁻²⁰/γ_d`, about 1e9 at d = 8) the rounding of the logits alone moves the probabilities by a
 * visible factor, and no bound built from them would be certified: the kernel throws instead.
 */
export const LOGIT_ERROR_LIMIT = 2 ** -20;

/** `γ_d = d u/(1 − d u)`, the relative error factor of a float64 dot product of length `d` (any order, with or without FMA). */
export function gammaDot(d: number): number {
  return (d * U) / (1 - d * U);
}

/**
 * `log1p(t)` error bound: `t` is a float64 sum of at most `n` exponentials, each within 3 ulps
 * (`fastExp`), so its relative error is at most `(n + 3)u`; `log1p` adds one rounding.
 */
function normaliserErr(n: number, t: number, L: number): number {
  return ((n + 3) * U * t) / (1 + t) + U * L;
}

/**
 * Compute {@link ContextStats} for truth `(Vs, Hs)` and learned model `(Vh, Hh)` on the same `m`
 * contexts. Unchecked: the caller validated shapes (`Vs: n×d`, `Hs: m×d`, `Vh: n×d'`, `Hh: m×d'`)
 * and finiteness; `fn` names the public function in the one error this kernel can still raise.
 *
 * Finite inputs can still give a non-finite logit (`|⟨v, h⟩| > 1.8e308`); such a row throws a
 * `NumericalError` instead of producing NaN statistics.
 */
export function contextStatsKernel(fn: string, Vs: Matrix, Hs: Matrix, Vh: Matrix, Hh: Matrix, words: Int32Array, bulk: Int32Array): ContextStats {
  const m = Hs.rows;
  const n = Vs.rows;
  const k = words.length;
  const f64 = (len: number) => new Float64Array(len);
  const out: ContextStats = {
    logZStar: f64(m),
    logZHat: f64(m),
    logZBStar: f64(m),
    logZBHat: f64(m),
    logZBErrStar: f64(m),
    logZBErrHat: f64(m),
    kl: f64(m),
    klRoundingBound: f64(m),
    tv: f64(m),
    tvRoundingBound: f64(m),
    wordLogitsStar: f64(m * k),
    wordLogitsHat: f64(m * k),
    wordLogProbStar: f64(m * k),
    wordLogProbHat: f64(m * k),
    wordLogProbErrStar: f64(m * k),
    wordLogProbErrHat: f64(m * k),
    bulkLogProbStar: f64(m),
    bulkLogProbHat: f64(m),
    bulkLogProbErrStar: f64(m),
    bulkLogProbErrHat: f64(m),
    logitErrStar: f64(m),
    logitErrHat: f64(m),
  };
  const vNormStar = maxRowNorm(Vs);
  const vNormHat = maxRowNorm(Vh);
  const gStar = gammaDot(Vs.cols);
  const gHat = gammaDot(Vh.cols);
  const rowsPerBlock = mMax(1, mMin(BLOCK_ROWS, m));
  const zs = new Float64Array(rowsPerBlock * n);
  const zh = new Float64Array(rowsPerBlock * n);
  const parts = new Float64Array(2);
  for (let start = 0; start < m; start += rowsPerBlock) {
    const rows = mMin(rowsPerBlock, m - start);
    // Z = H Vᵀ for the block, for each model.
    gemm(false, true, rows, n, Vs.cols, 1, Hs.data, start * Hs.cols, Hs.cols, Vs.data, 0, Vs.cols, 0, zs, 0, n);
    gemm(false, true, rows, n, Vh.cols, 1, Hh.data, start * Hh.cols, Hh.cols, Vh.data, 0, Vh.cols, 0, zh, 0, n);
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      const off = r * n;
      rowLogSumExpParts(zs, off, n, null, parts);
      const cS = parts[0];
      const tS = parts[1];
      rowLogSumExpParts(zh, off, n, null, parts);
      const cH = parts[0];
      const tH = parts[1];
      const LS = mLog1p(tS);
      const LH = mLog1p(tH);
      const lzs = cS + LS;
      const lzh = cH + LH;
      // `x - x !== 0` is true exactly for NaN and ±∞.
      if (lzs - lzs !== 0 || lzh - lzh !== 0) {
        throw new NumericalError(
          `${fn}: the logits of context ${i} are not finite (log Z* = ${lzs}, log Ẑ = ${lzh}); some |⟨v_w, h(s)⟩| overflows a double, so rescale V or H`,
        );
      }
      out.logZStar[i] = lzs;
      out.logZHat[i] = lzh;
      // Error bounds: δz on every logit (the GEMM), εS/εH on log1p(t) (shared by every word).
      const dzS = gStar * rowNorm(Hs, i) * vNormStar;
      const dzH = gHat * rowNorm(Hh, i) * vNormHat;
      const epsS = normaliserErr(n, tS, LS);
      const epsH = normaliserErr(n, tH, LH);
      if (!(dzS <= LOGIT_ERROR_LIMIT && dzH <= LOGIT_ERROR_LIMIT)) {
        const [which, dz, hv] = dzS > dzH || !(dzH === dzH) ? ['truth', dzS, rowNorm(Hs, i) * vNormStar] : ['learned', dzH, rowNorm(Hh, i) * vNormHat];
        throw new NumericalError(
          `${fn}: the logits of context ${i} are too large to certify: ‖h(s)‖·max‖v_w‖ = ${hv.toPrecision(3)} for instance.${which}, so a computed logit may be off by ${dz.toPrecision(3)} (more than 2^-20) and the log-probabilities, κ and t are not determined to double precision; rescale instance.${which}.V or instance.${which}.H`,
        );
      }
      out.logitErrStar[i] = dzS;
      out.logitErrHat[i] = dzH;
      // Bulk log-partitions, from the same split.
      rowLogSumExpParts(zs, off, 0, bulk, parts);
      const cBS = parts[0];
      const tBS = parts[1];
      rowLogSumExpParts(zh, off, 0, bulk, parts);
      const cBH = parts[0];
      const tBH = parts[1];
      const LBS = mLog1p(tBS);
      const LBH = mLog1p(tBH);
      out.logZBStar[i] = cBS + LBS;
      out.logZBHat[i] = cBH + LBH;
      const epsBS = normaliserErr(bulk.length, tBS, LBS);
      const epsBH = normaliserErr(bulk.length, tBH, LBH);
      out.logZBErrStar[i] = ALLOWANCE_FACTOR * (dzS + epsBS + U * (mAbs(cBS) + mAbs(out.logZBStar[i])));
      out.logZBErrHat[i] = ALLOWANCE_FACTOR * (dzH + epsBH + U * (mAbs(cBH) + mAbs(out.logZBHat[i])));
      // log p(B) = (c_B − c) + (log1p(t_B) − log1p(t)): both brackets small when B holds the mode.
      const lpBS = cBS - cS + (LBS - LS);
      const lpBH = cBH - cH + (LBH - LH);
      out.bulkLogProbStar[i] = mMin(0, lpBS);
      out.bulkLogProbHat[i] = mMin(0, lpBH);
      out.bulkLogProbErrStar[i] = ALLOWANCE_FACTOR * (2 * dzS + epsS + epsBS + U * (mAbs(cBS - cS) + 2 * mAbs(lpBS)));
      out.bulkLogProbErrHat[i] = ALLOWANCE_FACTOR * (2 * dzH + epsH + epsBH + U * (mAbs(cBH - cH) + 2 * mAbs(lpBH)));
      // Per-word terms of κ and t, and the first-order sensitivities of both to the errors of the
      // log-probabilities (docs/theory.md#soundness-under-rounding).
      let kl = 0;
      let tv = 0;
      let klSensS = 0;
      let klSensKappa = 0;
      let klSensH = 0;
      let klSecond = 0;
      let tvSens = 0;
      let wordDevS = 0;
      let wordDevH = 0;
      for (let w = 0; w < n; w++) {
        const xs = zs[off + w] - cS;
        const xh = zh[off + w] - cH;
        const lps = xs - LS;
        const lph = xh - LH;
        if (lps < NEGLIGIBLE_LOG_PROB && lph < NEGLIGIBLE_LOG_PROB) continue;
        const ps = mExp(lps);
        const ph = mExp(lph);
        const rr = lph - lps;
        kl += klTerm(ps, lps, ph, lph, mExpm1(rr), rr);
        const big = ps > ph ? ps : ph;
        const dtv = big * -mExpm1(-mAbs(rr));
        tv += dtv;
        // Errors of log p(w) not shared by all words: the logit (δz) and the shift (u|x|), plus the
        // final subtraction (u|log p|). Their effect on p is relative.
        const eS = dzS + U * (mAbs(xs) + mAbs(lps));
        const eH = dzH + U * (mAbs(xh) + mAbs(lph));
        // ∂κ/∂z*_w = p*_w (log p*_w − log p̂_w − κ) (renormalised logits) and ∂κ/∂log p*_w = −p*_w r_w:
        // both at most p*_w (|r_w| + κ); κ's factor is applied after the loop.
        klSensS += ps * mAbs(rr) * eS;
        klSensKappa += ps * eS;
        klSensH += dtv * 2 * eH;
        // Second order: κ is stationary (gradient 0) where p̂ = p*, so there the logit errors move
        // it by ½ Var_p(δ* − δ̂), which no first-order term covers (found by the adversarial test in
        // test/theory/allowances.test.ts: κ = 0, offsets of 400). Centred at the mode m,
        // Var_p(X) ≤ Σ_{w≠m} p_w (X_w − X_m)² ≤ 2 Σ_{w≠m} p_w E_w² + 2(1 − p_m) E_m² with E_w = e*_w + ê_w:
        // the mode (x = 0 in both models) enters with 1 − p = t/(1 + t), so a nearly point-mass
        // context is not charged E_m².
        const modeShare = xs === 0 && xh === 0 ? mMax(tS / (1 + tS), tH / (1 + tH)) : big;
        klSecond += modeShare * (eS + eH) * (eS + eH);
        // For t: Σ p_w(1 − p_w) e_w bounds the first-order change of a normalised distribution; 1 − p
        // is t/(1 + t) for the maximal word (x = 0) and at most 1 otherwise.
        wordDevS += ps * (xs === 0 ? tS / (1 + tS) : 1) * eS;
        wordDevH += ph * (xh === 0 ? tH / (1 + tH) : 1) * eH;
        tvSens += 0.5 * (ps * U * mAbs(lps) + ph * U * mAbs(lph));
      }
      out.kl[i] = kl;
      out.klRoundingBound[i] =
        ALLOWANCE_FACTOR *
        (klSensS + kl * klSensKappa + klSensH + 2 * klSecond + kl * (epsS + epsH) + epsS * epsS + epsH * epsH + (KL_RELATIVE_ALLOWANCE + n * U) * kl + n * KL_ABSOLUTE_ALLOWANCE);
      tv *= 0.5;
      out.tv[i] = mMin(1, tv);
      out.tvRoundingBound[i] = ALLOWANCE_FACTOR * (2 * (wordDevS + wordDevH) + epsS + epsH + tvSens + (n + 4) * U * tv);
      for (let j = 0; j < k; j++) {
        const w = words[j];
        const xs = zs[off + w] - cS;
        const xh = zh[off + w] - cH;
        const lps = xs - LS;
        const lph = xh - LH;
        out.wordLogitsStar[i * k + j] = zs[off + w];
        out.wordLogitsHat[i * k + j] = zh[off + w];
        out.wordLogProbStar[i * k + j] = lps;
        out.wordLogProbHat[i * k + j] = lph;
        out.wordLogProbErrStar[i * k + j] = ALLOWANCE_FACTOR * (2 * dzS + epsS + U * (mAbs(xs) + mAbs(lps)));
        out.wordLogProbErrHat[i * k + j] = ALLOWANCE_FACTOR * (2 * dzH + epsH + U * (mAbs(xh) + mAbs(lph)));
      }
    }
  }
  return out;
}
