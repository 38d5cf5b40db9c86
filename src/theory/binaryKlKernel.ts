/**
 * Unchecked kernels for the binary Kullback–Leibler divergence `kl(p‖q)` and its inversion (the
 * tight form of Lemma 2), accurate to a few ulps relative over the whole domain and sound under
 * rounding (`docs/theory.md#soundness-under-rounding`).
 *
 * The divergence is split into two non-negative terms with no cancellation between them:
 *
 *     kl(p‖q) = T(p, q) + T(1 − p, 1 − q),      T(a, b) = a·φ(b/a − 1) = b − a − a·log(b/a) ≥ 0,
 *
 * (`φ(x) = x − log(1 + x)`; the identity holds because `(q − p) + ((1 − q) − (1 − p)) = 0`). Each
 * term is evaluated by one of three forms chosen so that no step loses more than a factor ~3 to
 * cancellation: a positive series in `t = x/(2 + x)` for moderate ratios, `b·(1 − ρ(1 + log(1/ρ)))`
 * with `ρ = a/b` when `b ≫ a`, and `a·(x − log(b/a))` when `b ≪ a`. The caller supplies the two
 * probabilities, their logarithms and `x = b/a − 1` in whatever representation is exact for it
 * (differences of probabilities, or `expm1` of a log-ratio), so a probability near 0 or near 1
 * (`1 − 1e-15`) keeps all its digits, and probabilities that underflow a double are handled from
 * their logarithms.
 *
 * @internal
 */

import { klTerm, phiModerate } from '../kernels/divergenceKernel.js';

// Math functions bound once at module scope: hot loops then call a local binding instead of looking
// up the global `Math` each time, which costs ~0.5 µs per lookup inside jest's vm context (measured:
// Math.exp in a loop 528 ns/call under jest against 37 ns through a module-level binding).
const { abs: mAbs, exp: mExp, expm1: mExpm1, log: mLog, log1p: mLog1p } = Math;

export { klTerm, phiModerate };
const isFiniteNumber = Number.isFinite;

/** Smallest positive normal double, `2⁻¹⁰²²`. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Relative error allowance `η` of {@link binaryKlFromLogs} and {@link binaryKlFromProbs}: `2⁻⁴⁰ ≈ 9.1e-13`.
 * On normal-range inputs the measured error is a few ulps (`test/theory/binaryKlAccuracy.test.ts`); the
 * log-domain branches used when a probability is subnormal or underflows lose up to about
 * `(|log a| + |log φ|)·2⁻⁵³ ≤ 1500·2⁻⁵³` to the rounding of an exponent. `η` covers both with a margin
 * of 8× (`docs/theory.md#soundness-under-rounding`).
 */
export const KL_RELATIVE_ALLOWANCE = 2 ** -40;

/**
 * Absolute error allowance of the kernels for results in the subnormal range (`2⁻¹⁰⁶⁰ ≈ 8e-320`):
 * each term rounds to a subnormal with an absolute error of at most a few `2⁻¹⁰⁷⁴`.
 */
export const KL_ABSOLUTE_ALLOWANCE = 2 ** -1060;

/** `log(1 − e^x)` for `x ≤ 0`, accurate on the whole range (Mächler 2012, "Accurately computing log(1 − exp(−|a|))"). */
export function log1mexp(x: number): number {
  if (x >= 0) return -Infinity;
  return x > -Math.LN2 ? mLog(-mExpm1(x)) : mLog1p(-mExp(x));
}

/**
 * `φ(x) = x − log(1 + x)` for `x > −1` (`+∞` at `x = −1`), a few ulps relative: the series of
 * {@link phiModerate} for `x ∈ (−6/7, 6)`, else the direct formula, whose two terms then differ by a
 * factor ≥ 2.4 (no harmful cancellation).
 */
export function xMinusLog1p(x: number): number {
  if (x > -6 / 7 && x < 6) return phiModerate(x);
  return x - mLog1p(x);
}

/** `log(b/a)` from the ratio when it is a normal double (exact to an ulp), else from the logs. */
function logRatio(a: number, la: number, b: number, lb: number, x: number): number {
  if (mAbs(x) < 0.5) return mLog1p(x);
  const ratio = b / a;
  return ratio >= MIN_NORMAL && ratio < Infinity ? mLog(ratio) : lb - la;
}

/**
 * `kl(p‖q)` from the probabilities, for `p, q ∈ (0, 1)`, `p ≠ q` (callers handle the edges). The
 * differences `q − p` and `p − q` are formed from the inputs (exact when `p` and `q` are within a
 * factor 2 of each other, Sterbenz), and `1 − p`, `1 − q` directly (exact for `p ≥ 1/2`).
 */
export function binaryKlFromProbs(p: number, q: number): number {
  const lp = mLog(p);
  const lq = mLog(q);
  const x1 = (q - p) / p;
  const t1 = klTerm(p, lp, q, lq, x1, logRatio(p, lp, q, lq, x1));
  const cp = 1 - p;
  const cq = 1 - q;
  const lcp = mLog1p(-p);
  const lcq = mLog1p(-q);
  const x2 = (p - q) / cp;
  const t2 = klTerm(cp, lcp, cq, lcq, x2, logRatio(cp, lcp, cq, lcq, x2));
  return t1 + t2;
}

/**
 * `q − p` from `log p`, `log q`, `p = e^{lp}`, `q = e^{lq}` and `r = lq − lp`: `q·(1 − e^{−r})` or
 * `−p·(1 − e^{r})`, each a product of accurate factors.
 */
function qMinusP(p: number, q: number, r: number): number {
  return r > 0 ? q * -mExpm1(-r) : p * mExpm1(r);
}

/**
 * `kl(p‖q)` from `lp = log p` and `lq = log q` (both in `[−∞, 0]`), for probabilities that may
 * underflow a double. Exact inputs `lp`, `lq` are the reference: the result is within
 * {@link KL_RELATIVE_ALLOWANCE} (relative) plus {@link KL_ABSOLUTE_ALLOWANCE} of
 * `kl(e^{lp}‖e^{lq})`, and a few ulps on normal-range inputs.
 */
export function binaryKlFromLogs(lp: number, lq: number): number {
  if (lp === lq) return 0;
  if (lp === -Infinity) return -log1mexp(lq);
  if (lp === 0) return -lq;
  if (lq === -Infinity || lq === 0) return Infinity;
  const p = mExp(lp);
  const q = mExp(lq);
  const r = lq - lp;
  const x1 = mExpm1(r);
  const t1 = klTerm(p, lp, q, lq, x1, r);
  const cp = -mExpm1(lp);
  const cq = -mExpm1(lq);
  const lcp = log1mexp(lp);
  const lcq = log1mexp(lq);
  const x2 = -qMinusP(p, q, r) / cp;
  const t2 = klTerm(cp, lcp, cq, lcq, x2, logRatio(cp, lcp, cq, lcq, x2));
  return t1 + t2;
}

/**
 * `kl(p‖q)` from `λ = log p` and the log-ratio `r = log q − log p`; `log q = λ + r` is rounded once
 * (clamped to ≤ 0). Prefer {@link binaryKlFromLogs} when `log q` is at hand.
 */
export function binaryKlFromLog(lambda: number, r: number): number {
  if (r === 0) return 0;
  const lq = lambda + r;
  return binaryKlFromLogs(lambda, lq < 0 ? lq : 0);
}

/** `d kl(p‖q) / d log q = (q − p)/(1 − q)`, for Newton's method (its accuracy does not matter for soundness). */
function klSlope(lp: number, lq: number): number {
  return qMinusP(mExp(lp), mExp(lq), lq - lp) / -mExpm1(lq);
}

/** The result of inverting the binary KL on both sides of `p`. */
export interface LogRatioInterval {
  /** An upper bound on `log p − log q_lo`, where `q_lo < p` solves `kl(p‖q_lo) = κ` (`+∞` if `p = 0`). */
  readonly below: number;
  /** An upper bound on `log q_hi − log p`, where `q_hi > p` solves `kl(p‖q_hi) = κ` (capped at `log(1/p)`). */
  readonly above: number;
}

/** Relative bracket width at which bisection hands over to Newton's method. */
const BISECTION_HANDOVER = 1e-2;

/** `|lq − lp|` rounded up: the exact difference of two doubles is at most `(1 + 2u)` times the rounded one. */
function distanceUp(lp: number, lq: number): number {
  return mAbs(lp - lq) * (1 + 2 ** -50);
}

/**
 * One side of the inversion. `F(lq) = kl(e^{lp}‖e^{lq})` increases as `lq` moves away from `lp`
 * (towards `−∞` when `dir = −1`, towards 0 when `dir = +1`). Returns a point `lq` with computed
 * `F(lq) ≥ target`, as close to the root as the search gets: bracketing by doubling or halving the
 * distance, bisection to a relative width of 1e-2, then Newton's method from the far side (convex in
 * `lq`, so exact Newton iterates never cross the root; a computed iterate that does is rejected).
 * The invariant "computed `F(out) ≥ target`" is what the soundness argument uses; convergence
 * only affects tightness.
 */
function searchSide(lp: number, target: number, dir: -1 | 1): number {
  const F = (lq: number) => binaryKlFromLogs(lp, lq);
  // Distances x > 0; candidate lq = lp + dir·x. Above p, lq ≤ 0 caps x at −lp.
  const xMax = dir > 0 ? -lp : Infinity;
  const at = (x: number) => (dir > 0 && x >= xMax ? 0 : lp + dir * x);
  let xIn = 0;
  let xOut = dir > 0 ? mAbs(lp) : 1;
  if (dir > 0 && xOut > 1) xOut = 1;
  if (F(at(xOut)) >= target) {
    // Halve towards lp while still outside; stop when lq can no longer move (ulp of lp).
    for (;;) {
      const x = 0.5 * xOut;
      const lq = at(x);
      if (lq === lp || x === 0) break;
      if (F(lq) >= target) xOut = x;
      else {
        xIn = x;
        break;
      }
    }
  } else {
    xIn = xOut;
    for (;;) {
      const x = 2 * xOut;
      if (x >= xMax) {
        if (F(at(xMax)) >= target) {
          xOut = xMax;
          break;
        }
        return 0; // F(0) = kl(p‖1) = ∞ ≥ any target for p < 1, so unreachable; q = 1 is the cap.
      }
      // ψ beyond the largest double: +∞ is the upward rounding of the exact (finite) root distance.
      if (x === Infinity) return dir * Infinity;
      if (F(at(x)) >= target) {
        xOut = x;
        break;
      }
      xIn = x;
      xOut = x;
    }
  }
  // Bisection in x: invariant F(at(xIn)) < target ≤ F(at(xOut)). Above p the scale that matters
  // near q = 1 is |log q| (F is infinite at log q = 0), so the width is measured against it too.
  const scale = (x: number) => (dir > 0 ? Math.min(x, -at(x)) : x);
  while (xOut - xIn > BISECTION_HANDOVER * scale(xOut)) {
    const mid = 0.5 * (xIn + xOut);
    if (mid <= xIn || mid >= xOut) break;
    if (F(at(mid)) >= target) xOut = mid;
    else xIn = mid;
  }
  // Newton from the far side in lq, aimed at a target 1e-12 (relative) above the acceptance target:
  // where F is nearly linear in lq, Newton lands on its root, and the computed F there must still
  // clear `target` despite rounding (a rejected iterate would leave the bracket's end, 1e-2 away).
  const aim = target * (1 + 1e-12);
  let lq = at(xOut);
  for (let it = 0; it < 60; it++) {
    const f = F(lq) - aim;
    const step = f / klSlope(lp, lq);
    if (!isFiniteNumber(step) || !(step !== 0)) break;
    const next = lq - step;
    if (dir > 0 ? !(next > lp && next <= 0) : !(next < lp)) break;
    if (!(F(next) >= target)) {
      // The iterate crossed the root by rounding (log q is an ulp grid, coarse when the root is
      // close to log p): bisect between the last accepted point and it.
      let inner = next;
      for (let b = 0; b < 64; b++) {
        const mid = 0.5 * (lq + inner);
        if (mid === lq || mid === inner) break;
        if (F(mid) >= target) lq = mid;
        else inner = mid;
      }
      break;
    }
    const moved = mAbs(next - lq);
    lq = next;
    if (!(moved > 1e-15 * mAbs(lq - lp))) break;
  }
  return lq;
}

/**
 * Invert `q ↦ kl(p‖q)` on each side of `p = e^{lp}`, **sound under rounding**: the returned
 * distances are upper bounds on the exact `|log q − log p|` at the exact roots of `kl(p‖q) = κ`
 * (`docs/theory.md#soundness-under-rounding`). The search target is `κ(1 + 2η) + τ`
 * ({@link KL_RELATIVE_ALLOWANCE}, {@link KL_ABSOLUTE_ALLOWANCE}); every returned end point has a
 * computed `kl` at least that target, hence an exact `kl ≥ κ`, hence lies at or beyond the exact
 * root; the distance to it is rounded up. Tightness: within about a relative 1e-13 of `ψ` plus one
 * ulp of `lp`.
 */
export function binaryKlLogRatioKernel(lp: number, kappa: number): LogRatioInterval {
  // NaN in, NaN out (never a hang: every search below assumes lp ≤ 0 and κ ≥ 0 are numbers).
  if (!(lp <= 0) || !(kappa >= 0)) return { below: NaN, above: NaN };
  if (kappa === 0) return { below: 0, above: 0 };
  if (lp === -Infinity) return { below: Infinity, above: Infinity };
  // p = 1: kl(1‖q) = −log q exactly, so the root below is log q = −κ and there is no side above.
  if (lp === 0) return { below: kappa, above: 0 };
  const target = kappa * (1 + 2 * KL_RELATIVE_ALLOWANCE) + KL_ABSOLUTE_ALLOWANCE;
  const lqBelow = searchSide(lp, target, -1);
  const below = lqBelow === -Infinity ? Infinity : distanceUp(lp, lqBelow);
  const lqAbove = searchSide(lp, target, 1);
  const above = Math.min(distanceUp(lp, lqAbove), -lp * (1 + 2 ** -50));
  return { below, above };
}
