/**
 * The shared engine of Theorem 1: from an instance already validated by `checkTransferInstance`,
 * computes every per-context term of parts 1, 2, 3 and 5 with its rounding allowance, plus the
 * weighted summaries that part 4 needs. Unchecked.
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import { NumericalError } from '../core/errors.js';
import { composeDirection } from '../tasks/taskDirection.js';
import type { Anchor } from '../tasks/taskAnchor.js';
import type { CheckedTransfer } from './checkTransferInstance.js';
import { ALLOWANCE_FACTOR, U, contextStatsKernel, gammaDot } from './contextStatsKernel.js';
import { binaryKlLogRatioKernel } from './binaryKlKernel.js';

// Math functions bound once at module scope: hot loops then call a local binding instead of looking
// up the global `Math` each time, which costs ~0.5 µs per lookup inside jest's vm context (measured:
// Math.exp in a loop 528 ns/call under jest against 37 ns through a module-level binding).
const { abs: mAbs, exp: mExp, log: mLog, log1p: mLog1p, max: mMax, min: mMin } = Math;


/** Every per-context term of Theorem 1 (arrays of length `m`). */
export interface TransferTerms {
  /** The task `y(s) = ⟨u*, h*(s)⟩`. */
  readonly y: Float64Array;
  /** The transfer probe `ŷ(s) = ⟨û, ĥ(s)⟩ + A(c* − ĉ)`. */
  readonly yHat: Float64Array;
  /** `ŷ(s) − y(s)`, computed directly from the embeddings. */
  readonly error: Float64Array;
  /** Part 1, first term: `Σ_w a_w (ℓ̂_w(s) − ℓ*_w(s))`, computed from log-probabilities. */
  readonly wordPart: Float64Array;
  /** Part 1, second term: `A (ê(s) − e*(s))`. */
  readonly anchorPart: Float64Array;
  /** `e*(s)`, the residual of the truth's anchor. */
  readonly residualStar: Float64Array;
  /** `ê(s)`, the residual of the learned model's anchor. */
  readonly residualHat: Float64Array;
  /** `D(s) = max_w |ℓ̂_w(s) − ℓ*_w(s)|`. */
  readonly D: Float64Array;
  /** `κ(s) = KL(p*(·|s) ‖ p̂(·|s))`. */
  readonly kl: Float64Array;
  /** `t(s) = TV(p*(·|s), p̂(·|s))`. */
  readonly tv: Float64Array;
  /** `min_{X ∈ T ∪ {B}} log p*(X|s)`: the log of the context's best probability floor. */
  readonly logFloorStar: Float64Array;
  /** `logFloorStar` lowered by the rounding bounds of the log-probabilities: `p*(X|s) ≥ e^{this}` holds exactly. */
  readonly logFloorLowerBound: Float64Array;
  /**
   * `max_{X ∈ T ∪ {B}} max(|log p*(X|s)|, |log p̂(X|s)|)`, raised by the rounding bounds of the
   * log-probabilities: the context's smallest admissible `M`.
   */
  readonly maxAbsLogProb: Float64Array;
  /** A bound on the rounding error of `kl` (`docs/theory.md#soundness-under-rounding`). */
  readonly klRoundingBound: Float64Array;
  /** A bound on the rounding error of `tv`. */
  readonly tvRoundingBound: Float64Array;
  /** A bound on the rounding error of `D`. */
  readonly dRoundingBound: Float64Array;
  /** A bound on the rounding error of `|A| (|ê| + |e*|)`. */
  readonly anchorRoundingBound: Float64Array;
  /** A bound on the rounding error of the computed `error = ŷ − y` (from the embeddings). */
  readonly errorRoundingBound: Float64Array;
  /**
   * Part 2: `‖a‖₁ D(s) + |A| (|ê(s)| + |e*(s)|)` plus its rounding allowance, so that it bounds both the
   * exact and the computed `|ŷ − y|`.
   */
  readonly part2Bound: Float64Array;
  /** The floor `γ` used for part 3 at each context. */
  readonly gammaUsed: Float64Array;
  /**
   * 1 where part 3's hypotheses hold (`p*(X|s) ≥ γ` for `X ∈ T ∪ {B}` and `t(s) < γ`), checked with
   * the rounding allowances of the log-probabilities and of `t` (so a flag is never set by rounding), else 0.
   */
  readonly part3Holds: Uint8Array;
  /** Part 3: `2 φ_γ(t(s))` (with `t` raised by its allowance) plus `D`'s allowance where its hypotheses hold, `+∞` where they fail. */
  readonly part3Bound: Float64Array;
  /**
   * Part 5: `D̄(s) = max_{w∈T} ψ(p*(w|s), κ(s)) + ψ(p*(B|s), κ(s))`, evaluated at `κ` raised by its
   * allowance and `log p*` lowered by theirs (`ψ` increases in `κ` and decreases in `p`); zeros unless requested.
   */
  readonly dBar: Float64Array;
  /** Part 5: `‖a‖₁ D̄(s) + |A| (|ê(s)| + |e*(s)|)` plus the anchor and error allowances (zeros unless requested). */
  readonly certifiedBound: Float64Array;
}

/** `⟨h(s), u⟩` for row `i` of `H`. */
function dotRow(H: Matrix, i: number, u: ArrayLike<number>): number {
  let s = 0;
  const off = i * H.cols;
  for (let k = 0; k < H.cols; k++) s += H.data[off + k] * u[k];
  return s;
}

/** `Σ_k |h_k(s)| |u_k|` for row `i` of `H`: the scale of the rounding error of `⟨h(s), u⟩`. */
function absDotRow(H: Matrix, i: number, u: ArrayLike<number>): number {
  let s = 0;
  const off = i * H.cols;
  for (let k = 0; k < H.cols; k++) s += mAbs(H.data[off + k] * u[k]);
  return s;
}

/** `|u|` with every entry's composition error scale: `Σ_j |a_j| |V_{w_j k}| + |A| |v_0k|`. */
function composeAbs(V: Matrix, words: Int32Array, a: ArrayLike<number>, anchor: Anchor | null, sum: number): Float64Array {
  const d = V.cols;
  const u = new Float64Array(d);
  for (let j = 0; j < words.length; j++) {
    const off = words[j] * d;
    for (let k = 0; k < d; k++) u[k] += mAbs(a[j] * V.data[off + k]);
  }
  if (anchor !== null) for (let k = 0; k < d; k++) u[k] += mAbs(sum * anchor.anchor[k]);
  return u;
}

/**
 * Throw a `NumericalError` in the name of the public function when a per-context quantity that the
 * caller reports (or builds a bound from) overflowed a double: only huge finite inputs (task
 * coefficients, anchors or representations of magnitude ~1e300) get there, and the exact value is
 * then finite but not representable, so no silent `±∞`/NaN is returned
 * (`docs/theory.md#soundness-under-rounding`, "Overflow").
 */
export function checkTerm(fn: string, name: string, i: number, value: number, rescale: string): void {
  // `x - x !== 0` is true exactly for NaN and ±∞.
  if (value - value !== 0) {
    throw new NumericalError(`${fn}: ${name} at context ${i} overflows a double (${value}); rescale ${rescale}`);
  }
}

/**
 * The same for a summary over the contexts (a weighted mean of squares overflows once the
 * per-context values pass ~1e154). `allowInfinite`: `+∞` is the documented value (a vacuous
 * per-context certificate makes its mean square `+∞`).
 */
export function checkSummary(fn: string, name: string, value: number, rescale: string, allowInfinite = false): number {
  if (value - value !== 0 && !(allowInfinite && value === Infinity)) {
    throw new NumericalError(`${fn}: ${name} overflows a double (${value}); rescale ${rescale}`);
  }
  return value;
}

export const RESCALE_TASK = 'instance.coefficients, the anchors (anchor vectors and intercepts) or the representations H';

/** Round a non-negative bound up by `8u` relative (the few operations that formed it). */
function up(x: number): number {
  return x * (1 + 8 * U);
}

/** Compute every term; `gamma` fixes the floor of part 3 (per-context best floor when undefined). */
export function transferTerms(c: CheckedTransfer, gamma: number | undefined, withCertified: boolean): TransferTerms {
  const { Vs, Hs, Vh, Hh, words, a, bulk, anchorStar, anchorHat, l1, sum } = c;
  const m = Hs.rows;
  const k = words.length;
  const stats = contextStatsKernel(c.fn, Vs, Hs, Vh, Hh, words, bulk);
  const uStar = composeDirection(Vs, words, a, anchorStar, sum);
  const uHat = composeDirection(Vh, words, a, anchorHat, sum);
  const uAbsStar = composeAbs(Vs, words, a, anchorStar, sum);
  const uAbsHat = composeAbs(Vh, words, a, anchorHat, sum);
  // y = ⟨u, h⟩ with u composed from k + 1 rows: a sum of k + 1 + d products per coordinate path.
  const gY = gammaDot(k + 2 + mMax(Vs.cols, Vh.cols));
  const gStar = gammaDot(Vs.cols);
  const gHat = gammaDot(Vh.cols);
  const bias = anchorStar !== null && anchorHat !== null ? sum * (anchorStar.intercept - anchorHat.intercept) : 0;
  const f64 = (len: number) => new Float64Array(len);
  const t: TransferTerms = {
    y: f64(m),
    yHat: f64(m),
    error: f64(m),
    wordPart: f64(m),
    anchorPart: f64(m),
    residualStar: f64(m),
    residualHat: f64(m),
    D: f64(m),
    kl: stats.kl,
    tv: stats.tv,
    logFloorStar: f64(m),
    logFloorLowerBound: f64(m),
    maxAbsLogProb: f64(m),
    klRoundingBound: stats.klRoundingBound,
    tvRoundingBound: stats.tvRoundingBound,
    dRoundingBound: f64(m),
    anchorRoundingBound: f64(m),
    errorRoundingBound: f64(m),
    part2Bound: f64(m),
    gammaUsed: f64(m),
    part3Holds: new Uint8Array(m),
    part3Bound: f64(m),
    dBar: f64(m),
    certifiedBound: f64(m),
  };
  const logGamma = gamma === undefined ? 0 : mLog(gamma);
  for (let i = 0; i < m; i++) {
    // The task and the probe, computed directly from the embeddings (part 1 is then a genuine check).
    const y = dotRow(Hs, i, uStar);
    const yHat = dotRow(Hh, i, uHat) + bias;
    t.y[i] = y;
    t.yHat[i] = yHat;
    t.error[i] = yHat - y;
    t.errorRoundingBound[i] =
      ALLOWANCE_FACTOR * (gY * (absDotRow(Hs, i, uAbsStar) + absDotRow(Hh, i, uAbsHat)) + 2 * U * (mAbs(y) + mAbs(yHat) + mAbs(bias)));
    // Residuals of the anchors: e(s) = log Z_B(s) − ⟨v_0, h(s)⟩ − c (0 for a contrast task, which uses none).
    let eStar = 0;
    let eHat = 0;
    let eErr = 0;
    if (anchorStar && anchorHat) {
      const hvStar = dotRow(Hs, i, anchorStar.anchor);
      const hvHat = dotRow(Hh, i, anchorHat.anchor);
      eStar = stats.logZBStar[i] - hvStar - anchorStar.intercept;
      eHat = stats.logZBHat[i] - hvHat - anchorHat.intercept;
      eErr =
        stats.logZBErrStar[i] +
        stats.logZBErrHat[i] +
        ALLOWANCE_FACTOR *
          (gStar * absDotRow(Hs, i, anchorStar.anchor) +
            gHat * absDotRow(Hh, i, anchorHat.anchor) +
            2 * U * (mAbs(stats.logZBStar[i]) + mAbs(hvStar) + mAbs(anchorStar.intercept) + mAbs(stats.logZBHat[i]) + mAbs(hvHat) + mAbs(anchorHat.intercept)));
    }
    t.residualStar[i] = eStar;
    t.residualHat[i] = eHat;
    t.anchorPart[i] = sum * (eHat - eStar);
    const anchorAbs = mAbs(sum) * (mAbs(eHat) + mAbs(eStar));
    t.anchorRoundingBound[i] = up(mAbs(sum) * eErr + 4 * U * anchorAbs);
    checkTerm(c.fn, 'the task y(s) = ⟨u*, h*(s)⟩ or the probe ŷ(s)', i, yHat - y + t.errorRoundingBound[i], RESCALE_TASK);
    checkTerm(c.fn, 'the anchor term |A|(|ê(s)| + |e*(s)|)', i, anchorAbs + t.anchorRoundingBound[i], RESCALE_TASK);
    // Log-odds against the bulk: ℓ_w = log p(w) − log p(B) = z_w − log Z_B.
    const lpBStar = stats.bulkLogProbStar[i];
    const lpBHat = stats.bulkLogProbHat[i];
    let wordPart = 0;
    let D = 0;
    let dErr = 0;
    let logFloor = lpBStar;
    let logFloorLow = lpBStar - stats.bulkLogProbErrStar[i];
    let maxAbs = mMax(-lpBStar + stats.bulkLogProbErrStar[i], -lpBHat + stats.bulkLogProbErrHat[i]);
    for (let j = 0; j < k; j++) {
      const zs = stats.wordLogitsStar[i * k + j];
      const zh = stats.wordLogitsHat[i * k + j];
      const lbs = zs - stats.logZBStar[i];
      const lbh = zh - stats.logZBHat[i];
      const diff = lbh - lbs;
      wordPart += a[j] * diff;
      if (mAbs(diff) > D) D = mAbs(diff);
      // |diff − exact| ≤ logit errors + log Z_B errors + three roundings.
      const e =
        ALLOWANCE_FACTOR * (stats.logitErrStar[i] + stats.logitErrHat[i]) +
        stats.logZBErrStar[i] +
        stats.logZBErrHat[i] +
        2 * U * (mAbs(zs) + mAbs(zh) + mAbs(stats.logZBStar[i]) + mAbs(stats.logZBHat[i]) + mAbs(diff));
      if (e > dErr) dErr = e;
      const lpStar = stats.wordLogProbStar[i * k + j];
      const lpHat = stats.wordLogProbHat[i * k + j];
      if (lpStar < logFloor) logFloor = lpStar;
      const low = lpStar - stats.wordLogProbErrStar[i * k + j];
      if (low < logFloorLow) logFloorLow = low;
      maxAbs = mMax(maxAbs, -lpStar + stats.wordLogProbErrStar[i * k + j], -lpHat + stats.wordLogProbErrHat[i * k + j]);
    }
    t.wordPart[i] = wordPart;
    t.D[i] = D;
    t.dRoundingBound[i] = dErr;
    t.logFloorStar[i] = logFloor;
    t.logFloorLowerBound[i] = logFloorLow;
    t.maxAbsLogProb[i] = up(maxAbs);
    t.part2Bound[i] = up(l1 * (D + dErr) + anchorAbs + t.anchorRoundingBound[i] + t.errorRoundingBound[i]);
    checkTerm(c.fn, 'the part 2 bound ‖a‖₁ D(s) + |A|(|ê| + |e*|)', i, t.part2Bound[i] + wordPart, RESCALE_TASK);
    // Part 3: floor γ on every p*(X|s), X ∈ T ∪ {B}, and t(s) < γ, both checked with allowances.
    // Without a fixed γ the best admissible floor of this context is used: exp of the lowered log
    // floor, rounded down (exp is within an ulp).
    const g = gamma ?? mExp(logFloorLow) * (1 - 4 * U);
    t.gammaUsed[i] = g;
    const floorHolds = gamma === undefined ? g > 0 : logFloorLow >= logGamma + 2 * U * mAbs(logGamma);
    const tvUp = up(stats.tv[i] + stats.tvRoundingBound[i]);
    const holds = floorHolds && tvUp < g;
    t.part3Holds[i] = holds ? 1 : 0;
    t.part3Bound[i] = holds ? up(-2 * mLog1p(-tvUp / g) + dErr) : Infinity;
    if (withCertified) {
      // Part 5: D̄(s) = max_w ψ(p*(w|s), κ) + ψ(p*(B|s), κ), from log-probabilities, with κ raised by
      // its rounding bound and every log p* lowered by its own (ψ increases in κ, decreases in p).
      const kappa = up(stats.kl[i] + stats.klRoundingBound[i]);
      let maxWord = 0;
      for (let j = 0; j < k; j++) {
        const lp = stats.wordLogProbStar[i * k + j] - stats.wordLogProbErrStar[i * k + j];
        const r = binaryKlLogRatioKernel(mMin(0, lp), kappa);
        maxWord = mMax(maxWord, r.below, r.above);
      }
      const rb = binaryKlLogRatioKernel(mMin(0, logFloorLowBulk(lpBStar, stats.bulkLogProbErrStar[i])), kappa);
      const dBar = maxWord + mMax(rb.below, rb.above);
      t.dBar[i] = dBar;
      // l1 = 0 (all weights 0) makes the word term 0 even where ψ is infinite (p* = 0).
      t.certifiedBound[i] = up((l1 === 0 ? 0 : l1 * dBar) + anchorAbs + t.anchorRoundingBound[i] + t.errorRoundingBound[i]);
      // D̄ = +∞ is the upward rounding of a ψ above the largest double (κ(s)/p*(w|s) beyond ~1e308:
      // a word too rare for this κ; documented, the certificate is vacuous there). Any other
      // non-finite certificate is an overflow of ‖a‖₁·D̄ with huge coefficients: typed.
      if (dBar !== Infinity) checkTerm(c.fn, 'the certified bound ‖a‖₁ D̄(s) + |A|(|ê| + |e*|)', i, t.certifiedBound[i], RESCALE_TASK);
    }
  }
  return t;
}

/** `log p*(B|s)` lowered by its error bound. */
function logFloorLowBulk(lpB: number, err: number): number {
  return lpB - err;
}

/** `Σ μ_i x_i`. */
export function weightedMean(mu: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < mu.length; i++) s += mu[i] * x[i];
  return s;
}

/** `Σ μ_i x_i²`. */
export function weightedMeanSquare(mu: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < mu.length; i++) s += mu[i] * x[i] * x[i];
  return s;
}
