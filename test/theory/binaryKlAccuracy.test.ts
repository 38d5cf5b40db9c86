/**
 * The binary KL and its inversion against a high-precision reference computed here (BigInt fixed
 * point with 1700 fractional bits, `bigFixed.ts`): accuracy of `binaryKl` / `binaryKlFromLogProb`
 * over a grid with `p, q` within 1e-300 of 0 and 1, and soundness of `ψ` (the returned distance
 * reaches the exact root) with teeth (a slightly smaller distance does not).
 *
 * Tolerances: `u = 2⁻⁵³`. Normal-range inputs: 16u relative (each of the two non-negative terms is
 * formed with at most ~8 roundings and a cancellation factor ≤ 3; measured maxima are printed).
 * Every input: the stated allowance `η = 2⁻⁴⁰` (docs/theory.md#soundness-under-rounding).
 */
import { binaryKl, binaryKlFromLogProb, binaryKlLogRatioBound, binaryKlLogRatioBoundFromLogProb } from '../../src/theory/index.js';
import { binaryKlLogRatioKernel, KL_RELATIVE_ALLOWANCE } from '../../src/theory/binaryKlKernel.js';
import { DomainError } from '../../src/core/errors.js';
import { ONE, binaryKlRef, binaryKlRefFromLogs, fromDouble, fromSigned, ln, relErr, toDouble } from './bigFixed.js';

const U = 2 ** -53;
const GRID = [1e-300, 1e-15, 1e-7, 0.5, 1 - 1e-7, 1 - 1e-15];
const EXTRA = [4.3e-45, 1e-100, 0.1, 0.3, 0.9, 1 - 2 ** -53];
const KAPPAS = [1e-12, 1e-9, 1e-6, 1e-3, 0.1, 1, 10, 50];

function nextUp(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) + 1n);
  return v.getFloat64(0);
}

function fmt(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

describe('binaryKl against a 1700-bit reference', () => {
  it('is within 16 ulps relative on every pair of the grid (p, q ∈ {1e-300, 1e-15, 1e-7, 0.5, 1−1e-7, 1−1e-15, …})', () => {
    const ps = [...GRID, ...EXTRA];
    const rows: string[] = [];
    let worst = 0;
    for (const p of ps) {
      let rowWorst = 0;
      const qs = [...ps, nextUp(p), p * (1 - 2 ** -50), p * 1.5, p / 3];
      for (const q of qs) {
        if (q === p || !(q > 0 && q < 1)) continue;
        const ref = binaryKlRef(fromDouble(p), fromDouble(q));
        const got = binaryKl(p, q);
        if (toDouble(ref) < 2 ** -1022) {
          // A (near-)subnormal result: absolute error of a few 2⁻¹⁰⁷⁴ (KL_ABSOLUTE_ALLOWANCE = 2⁻¹⁰⁶⁰).
          expect(Math.abs(got - toDouble(ref))).toBeLessThanOrEqual(2 ** -1060);
          continue;
        }
        const err = relErr(got, ref);
        rowWorst = Math.max(rowWorst, err);
        if (!(err <= 16 * U)) throw new Error(`binaryKl(${p}, ${q}): relative error ${err}`);
      }
      rows.push(`p=${p}: max rel err ${fmt(rowWorst)} (${(rowWorst / U).toFixed(2)} u)`);
      worst = Math.max(worst, rowWorst);
    }
    // The table: relative error in ulps on the 6 × 6 grid (rows p, columns q; '·' where p = q).
    const label = ['1e-300', '1e-15', '1e-7', '0.5', '1-1e-7', '1-1e-15'];
    const grid = GRID.map((p, i) => `${label[i].padEnd(12)}${GRID.map((q) => (q === p ? '·' : (relErr(binaryKl(p, q), binaryKlRef(fromDouble(p), fromDouble(q))) / U).toFixed(2)).padStart(8)).join('')}`);
    console.log(
      `binaryKl max relative error over the (p, q) grid: ${fmt(worst)} = ${(worst / U).toFixed(2)} u\n${rows.join('\n')}\n` +
        `ulps, p \\ q${label.map((l) => l.padStart(8)).join('')}\n${grid.join('\n')}`,
    );
  });

  it('regressions from the issue: finite and exact near 1 − 1e-15, equal tiny probabilities', () => {
    const a = binaryKl(1e-7, 1 - 1e-15);
    expect(relErr(a, binaryKlRef(fromDouble(1e-7), fromDouble(1 - 1e-15)))).toBeLessThanOrEqual(4 * U);
    expect(a).toBeCloseTo(34.5396, 4);
    expect(binaryKl(1e-6, 1 - 1e-15)).toBeCloseTo(34.5395, 4);
    expect(binaryKl(4.3e-45, 4.3e-45)).toBe(0);
    const q = nextUp(4.3e-45);
    const k = binaryKl(4.3e-45, q);
    expect(relErr(k, binaryKlRef(fromDouble(4.3e-45), fromDouble(q)))).toBeLessThanOrEqual(8 * U);
    expect(k).toBeLessThan(1e-75); // ~ (q − p)²/(2p): 1e-76, not the 4e-73 of a log-difference
  });

  it('binaryKlFromLogProb: 16 ulps on normal-range probabilities, η = 2⁻⁴⁰ when they underflow', () => {
    const lps = [-1000, -800, -745, -700, -300, ...[...GRID, ...EXTRA].map(Math.log), -1e-16, -1e-300];
    let worstNormal = 0;
    let worstAll = 0;
    for (const lp of lps) {
      for (const lq0 of [...lps, lp * (1 + 1e-12), lp - 1, lp + 1e-3 * lp]) {
        const lq = Math.min(lq0, 0);
        if (lq === lp) continue;
        const ref = binaryKlRefFromLogs(fromSigned(lp), fromSigned(lq));
        if (ref <= 0n) continue;
        const got = binaryKlFromLogProb(lp, lq);
        const refD = toDouble(ref);
        if (refD < 1e-290) continue; // the result itself is (near) subnormal: absolute allowance only
        const err = relErr(got, ref);
        worstAll = Math.max(worstAll, err);
        if (lp > -700 && lq > -700) worstNormal = Math.max(worstNormal, err);
        if (!(err <= (lp > -700 && lq > -700 ? 16 * U : KL_RELATIVE_ALLOWANCE))) throw new Error(`binaryKlFromLogProb(${lp}, ${lq}) = ${got}, reference ${refD}: relative error ${err}`);
      }
    }
    console.log(`binaryKlFromLogProb max relative error: normal range ${fmt(worstNormal)} (${(worstNormal / U).toFixed(2)} u), all ${fmt(worstAll)} (${(worstAll / U).toFixed(1)} u)`);
  });

  it('is +∞ exactly when q = 0 < p or q = 1 > p (the documented value), finite at every other edge (issue 13)', () => {
    const edges = [-Infinity, -Number.MAX_VALUE, -1e200, -745, -1, -1e-12, -1e-300, -5e-324, -0, 0];
    for (const lp of edges) {
      for (const lq of edges) {
        const got = binaryKlFromLogProb(lp, lq);
        const infinite = (lq === -Infinity && lp > -Infinity) || (lq === 0 && lp < 0);
        expect([lp, lq, got]).toEqual([lp, lq, infinite ? Infinity : expect.any(Number)]);
        if (!infinite) expect(Number.isFinite(got) && got >= 0).toBe(true);
      }
    }
    expect(binaryKlFromLogProb(-1, 0)).toBe(Infinity); // the fuzz case: q = 1 > p
    expect(binaryKlFromLogProb(0, 0)).toBe(0);
  });

  it('rejects positive or NaN log-probabilities with a DomainError', () => {
    expect(() => binaryKlFromLogProb(0.1, -1)).toThrow(DomainError);
    expect(() => binaryKlFromLogProb(-1, Number.NaN)).toThrow(/binaryKlFromLogProb: argument 'logQ'/);
  });
});

/**
 * Soundness of ψ: with `ψ_below` returned, the exact `kl(p ‖ p·e^{−ψ_below})` (reference, at the
 * exact point `log p − ψ_below`) must be ≥ κ, so the exact root is within ψ. Teeth: at `ψ(1 − 1e-9)`
 * the exact kl is < κ (the bound is not loose by more than 1e-9), except where the root is within
 * an ulp of `log p` or q reached 1.
 */
function checkSide(lpFixed: bigint, dist: number, dir: -1 | 1, kappa: number, label: string): { sound: boolean; tight: boolean } {
  const kF = fromDouble(kappa);
  const at = (d: number) => {
    const lq = lpFixed + BigInt(dir) * fromDouble(d);
    if (lq >= 0n) return null; // q = 1: cap
    return binaryKlRefFromLogs(lpFixed, lq);
  };
  const k = at(dist);
  const sound = k === null || k >= kF;
  const kTight = at(dist * (1 - 1e-9));
  const tight = kTight === null || kTight < kF;
  if (!sound) throw new Error(`${label}: exact kl at the returned distance ${dist} is ${toDouble(k)} < κ = ${kappa}`);
  return { sound, tight };
}

describe('ψ (binaryKlLogRatioBound) is sound under rounding, against the 1700-bit reference', () => {
  it('for p in the grid and κ from 1e-12 to 50: the exact root lies within the returned distance, which is tight to 1e-9', () => {
    let tightCount = 0;
    let total = 0;
    const loose: string[] = [];
    const table: string[] = [];
    for (const p of [...GRID, ...EXTRA]) {
      const lpExact = ln(fromDouble(p));
      let worstKl = 0;
      let measured = 0;
      const cells: string[] = [];
      for (const kappa of KAPPAS) {
        const psi = binaryKlLogRatioBound(p, kappa);
        const sides = binaryKlLogRatioKernel(Math.log(p) - (Math.abs(Math.log(p)) * 2 ** -51 + Number.MIN_VALUE), kappa);
        expect(psi).toBe(Math.max(sides.below, sides.above));
        for (const [dist, dir] of [[sides.below, -1], [sides.above, 1]] as const) {
          if (!Number.isFinite(dist)) continue;
          const r = checkSide(lpExact, dist, dir, kappa, `ψ(${p}, ${kappa}) side ${dir}`);
          total++;
          if (r.tight) tightCount++;
          else loose.push(`p=${p} κ=${kappa} dir=${dir} dist=${dist}`);
        }
        // Accuracy of the binary KL at the root below (this is where the inversion evaluates it).
        const lp = Math.log(p);
        const lq = lp - sides.below;
        if (Number.isFinite(lq) && lq > -700) {
          measured++;
          const e = relErr(binaryKlFromLogProb(lp, lq), binaryKlRefFromLogs(fromSigned(lp), fromSigned(lq)));
          worstKl = Math.max(worstKl, e);
          cells.push((e / U).toFixed(2).padStart(7));
        } else cells.push('—'.padStart(7));
      }
      table.push(`p=${p}: max rel err of kl at the ${measured} roots below p with q > e^-700, κ ∈ [1e-12, 50]: ${fmt(worstKl)} (${(worstKl / U).toFixed(2)} u)`);
      table.push(`   ulps by κ = ${KAPPAS.join(', ')}: ${cells.join('')}`);
      expect(worstKl).toBeLessThanOrEqual(16 * U);
    }
    console.log(`binaryKl at the inversion roots:\n${table.join('\n')}\nψ tight to 1e-9 on ${tightCount}/${total} sides; not: ${loose.join('; ')}`);
    expect(tightCount).toBe(total);
  });

  it('log-probability form: sound for p within 1e-15 of 1, subnormal p and log p = −800', () => {
    const lps = [-1e-15, -1e-16, -2e-16, -5e-16, -744, -740, -800, -1e-300, Math.log(1 - 1e-15)];
    for (const lp of lps) {
      const lpF = fromSigned(lp);
      for (const kappa of [...KAPPAS, 1e-20, 1e-300]) {
        const sides = binaryKlLogRatioKernel(lp, kappa);
        expect(binaryKlLogRatioBoundFromLogProb(lp, kappa)).toBe(Math.max(sides.below, sides.above));
        for (const [dist, dir] of [[sides.below, -1], [sides.above, 1]] as const) {
          if (!Number.isFinite(dist) || dist > 1e6) continue;
          checkSide(lpF, dist, dir, kappa, `ψ_log(${lp}, ${kappa}) side ${dir}`);
        }
      }
    }
  });

  it('regression: ψ(1, 2.23e-22) ≥ κ (it returned 0), and ψ(1, κ) = κ', () => {
    expect(binaryKlLogRatioBound(1, 2.23e-22)).toBeGreaterThanOrEqual(2.23e-22);
    expect(binaryKlLogRatioBound(1, 0.3)).toBe(0.3);
    expect(binaryKlLogRatioBoundFromLogProb(-1e-17, 2.23e-22)).toBeGreaterThanOrEqual(2.23e-22);
    // log p = −800, κ = 1e-300: finite (2.7e47), although e^{−800} underflows.
    const psi = binaryKlLogRatioBoundFromLogProb(-800, 1e-300);
    expect(psi).toBeGreaterThan(2.7e47);
    expect(psi).toBeLessThan(2.8e47);
    expect(ONE > 0n).toBe(true);
  });

  it('the kernel never hangs: NaN in gives NaN out, κ = ∞ gives ψ = ∞ below and q = 1 above', () => {
    expect(binaryKlLogRatioKernel(Number.NaN, 1).below).toBeNaN();
    expect(binaryKlLogRatioKernel(-1, Number.NaN).above).toBeNaN();
    expect(binaryKlLogRatioKernel(Infinity, 1).below).toBeNaN();
    const inf = binaryKlLogRatioKernel(-1, Infinity);
    expect(inf.below).toBe(Infinity);
    expect(inf.above).toBeGreaterThanOrEqual(1);
  });
});
