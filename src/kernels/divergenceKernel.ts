/**
 * Unchecked row kernels of `klDivergenceRows` and `totalVariationRows`, and the per-term form of the
 * KL divergence they share with the theorems (`src/theory/`). Both work from log-probabilities
 * `log p_j = (z_j − c) − log1p(t)` (max-shift `c`, `t` the sum of the other shifted exponentials,
 * {@link rowLogSumExpParts}), so no log is taken of an underflowed probability and a context that
 * is nearly a point mass keeps its digits; both are sums of non-negative terms (never a difference of
 * two numbers near 1), accurate when probabilities are tiny:
 *
 *     KL(p‖q) = Σ_j [q_j − p_j − p_j log(q_j/p_j)] = Σ_j p_j φ(q_j/p_j − 1),   φ(x) = x − log(1 + x) ≥ 0,
 *     TV(p, q) = ½ Σ_j max(p_j, q_j) (1 − e^{−|log p_j − log q_j|}),
 *
 * the first because `Σ q = Σ p = 1`. Sums are float64.
 *
 * Preconditions (the caller checks): finite logits, `n ≥ 1`.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { rowLogSumExpParts } from './softmaxKernel.js';

// Math functions are bound once at module scope: under jest every lookup of the global `Math` in a
// hot loop goes through the test sandbox's global object and costs ~0.4 µs (measured: 1e6 calls of
// Math.exp took 480 ms in a test against 16 ms through a module-scope alias); in plain Node the
// alias costs nothing.
const { abs: mAbs, exp: mExp, expm1: mExpm1, log: mLog, log1p: mLog1p } = Math;

/** Smallest positive normal double, `2⁻¹⁰²²`: below it a product loses relative precision. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** Log-probabilities below this contribute less than `e^{−800}·1600 < 2⁻¹⁰⁷⁴` to KL and TV (an underflow). */
const NEGLIGIBLE_LOG_PROB = -800;

/**
 * `φ(x) = x − log(1 + x)` for `x ∈ (−6/7, 6)`, i.e. `|t| < 3/4` with `t = x/(2 + x)`. From
 * `log(1 + x) = 2 atanh t` and `x = 2t/(1 − t)`:
 *
 *     φ(x) = 2t² (1/(1 − t) − t·Σ_{k≥1} t^{2k−2}/(2k + 1)),
 *
 * where the subtracted sum is at most `0.53/(1 − t)`·`t` of the first term for `|t| < 3/4` (no
 * harmful cancellation) and its terms shrink by `t² ≤ 0.5625`. Relative error a few ulps.
 */
export function phiModerate(x: number): number {
  if (mAbs(x) < 1e-2) {
    // Taylor series Σ_{k≥2} (−x)^k/k: the first omitted term, x¹¹/11, is below 2e-19 of x²/2 here.
    return x * x * (1 / 2 - x * (1 / 3 - x * (1 / 4 - x * (1 / 5 - x * (1 / 6 - x * (1 / 7 - x * (1 / 8 - x * (1 / 9 - x / 10))))))));
  }
  const t = x / (2 + x);
  const t2 = t * t;
  let power = 1;
  let s = 0;
  for (let k = 1; k < 80; k++) {
    const term = power / (2 * k + 1);
    s += term;
    if (term <= 1e-17 * s) break;
    power *= t2;
  }
  return 2 * t2 * (1 / (1 - t) - t * s);
}

/**
 * `T(a, b) = a·φ(x) = b − a − a·log(b/a) ≥ 0` for `a, b ≥ 0`, from `a`, `la = log a`, `b`,
 * `lb = log b`, `x = b/a − 1` and `r = log(b/a)`, each supplied accurately by the caller (`a` or `b`
 * may have underflowed to 0 with a finite logarithm). `a = 0` exactly (`la = −∞`) gives `b` (the
 * limit, `0·log 0 = 0`); `b = 0 < a` gives `+∞`.
 */
export function klTerm(a: number, la: number, b: number, lb: number, x: number, r: number): number {
  if (la === -Infinity) return b;
  if (lb === -Infinity) return Infinity;
  if (x >= 6) {
    // b ≥ 7a: T = b·(1 − ρ(1 + r)) with ρ = a/b = e^{−r} ≤ 1/7, so ρ(1 + r) ≤ 0.42: no cancellation.
    const g = -mExpm1(-r) - r * mExp(-r);
    return b >= MIN_NORMAL ? b * g : mExp(lb + mLog(g));
  }
  if (x <= -6 / 7) {
    // b ≤ a/7: T = a·(x − r) with r ≤ −1.94 and x ∈ [−1, −0.857]: both terms of x − r add up.
    const g = x - r;
    return a >= MIN_NORMAL ? a * g : mExp(la + mLog(g));
  }
  const phi = phiModerate(x);
  // A subnormal or underflowed a times φ ≤ 6: scale through the logarithm.
  return a >= MIN_NORMAL ? a * phi : mExp(la + mLog(phi));
}

// Scratch of rowNormalisers (one per module: kernels run to completion on one thread, and every
// worker has its own module instance), so a row costs no allocation.
const PARTS = new Float64Array(2);
const NORM = new Float64Array(4);

/**
 * The log-normalisers of two logit rows, each as its maximum `c` and `log1p(rest)` kept apart (so
 * that `z − c − l` loses nothing to a large `c`): `NORM = [cP, lP, cQ, lQ]`.
 */
function rowNormalisers(zp: FloatArray, pOff: number, zq: FloatArray, qOff: number, n: number): void {
  rowLogSumExpParts(zp, pOff, n, null, PARTS);
  NORM[0] = PARTS[0];
  NORM[1] = mLog1p(PARTS[1]);
  rowLogSumExpParts(zq, qOff, n, null, PARTS);
  NORM[2] = PARTS[0];
  NORM[3] = mLog1p(PARTS[1]);
}

/**
 * `KL(p‖q)` for one row from logits, as the sum of the non-negative terms `p_j φ(q_j/p_j − 1)`
 * ({@link klTerm}). Each term is accurate to a few ulps given the two log-probabilities; an error in
 * a normaliser enters only to second order (the unnormalised form is exact for any scale of `q`
 * to first order). The result is ≥ 0 by construction (no clamp).
 *
 * @example
 * ```ts
 * rowKlDivergence(Float64Array.of(0, 0), 0, Float64Array.of(0, Math.log(3)), 0, 2); // ≈ 0.1438
 * ```
 */
export function rowKlDivergence(zp: FloatArray, pOff: number, zq: FloatArray, qOff: number, n: number): number {
  rowNormalisers(zp, pOff, zq, qOff, n);
  const cP = NORM[0];
  const lP = NORM[1];
  const cQ = NORM[2];
  const lQ = NORM[3];
  let kl = 0;
  for (let j = 0; j < n; j++) {
    const lp = zp[pOff + j] - cP - lP;
    const lq = zq[qOff + j] - cQ - lQ;
    if (lp < NEGLIGIBLE_LOG_PROB && lq < NEGLIGIBLE_LOG_PROB) continue;
    const r = lq - lp;
    kl += klTerm(mExp(lp), lp, mExp(lq), lq, mExpm1(r), r);
  }
  return kl;
}

/**
 * `TV(p, q) = ½ Σ_j |p_j − q_j|` for one row, each `|p_j − q_j| = max(p_j, q_j)(1 − e^{−|log p_j − log q_j|})`
 * formed from the two log-probabilities (exact to a few ulps even when `p_j` and `q_j` are both near
 * 1 or both tiny). Clamped to 1 against rounding when the supports are disjoint.
 *
 * @example
 * ```ts
 * rowTotalVariation(Float64Array.of(0, 0), 0, Float64Array.of(0, Math.log(3)), 0, 2); // 0.25
 * ```
 */
export function rowTotalVariation(zp: FloatArray, pOff: number, zq: FloatArray, qOff: number, n: number): number {
  rowNormalisers(zp, pOff, zq, qOff, n);
  const cP = NORM[0];
  const lP = NORM[1];
  const cQ = NORM[2];
  const lQ = NORM[3];
  let s = 0;
  for (let j = 0; j < n; j++) {
    const lp = zp[pOff + j] - cP - lP;
    const lq = zq[qOff + j] - cQ - lQ;
    if (lp < NEGLIGIBLE_LOG_PROB && lq < NEGLIGIBLE_LOG_PROB) continue;
    s += mExp(lp > lq ? lp : lq) * -mExpm1(-mAbs(lp - lq));
  }
  const tv = 0.5 * s;
  return tv < 1 ? tv : 1;
}
