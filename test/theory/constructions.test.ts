/**
 * Theorems 2 and 3: the constructions on quadrature grids, their exact ε and their error floors;
 * and the quadrature rules they are built on.
 */
import fc from 'fast-check';
import { rareWordConstruction, invisibleDirectionConstruction, gaussLegendre, gaussHermite, bestPredictorError, transferErrorDecomposition } from '../../src/theory/index.js';
import { fitRidgeProbe } from '../../src/tasks/fitRidgeProbe.js';
import { DomainError } from '../../src/core/errors.js';
import { fromRows } from '../../src/core/matrix.js';

describe('Gauss quadrature rules', () => {
  it('Gauss–Legendre integrates polynomials of degree ≤ 2k − 1 exactly (uniform on [a, b])', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.1, max: 4, noNaN: true }), (k, a, width) => {
        const b = a + width;
        const { nodes, weights } = gaussLegendre(k, a, b);
        const deg = 2 * k - 1;
        // E X^deg for X ~ U[a, b] = (b^{deg+1} − a^{deg+1}) / ((deg+1)(b − a)).
        const exact = (b ** (deg + 1) - a ** (deg + 1)) / ((deg + 1) * (b - a));
        let q = 0;
        for (let i = 0; i < k; i++) q += weights[i] * nodes[i] ** deg;
        // Relative 1e-11 against the largest term: the eigen-solve leaves nodes accurate to ~1e-15
        // relative, amplified by the degree.
        const scale = Math.max(Math.abs(a), Math.abs(b)) ** deg;
        expect(Math.abs(q - exact)).toBeLessThanOrEqual(1e-11 * scale * deg);
      }),
      { seed: 701, numRuns: 200 },
    );
  });

  it('Gauss–Hermite reproduces the normal moments E ξ² = σ², E ξ⁴ = 3σ⁴', () => {
    for (const k of [2, 3, 8, 20]) {
      const { nodes, weights } = gaussHermite(k, 2);
      let m2 = 0;
      let m4 = 0;
      for (let i = 0; i < k; i++) {
        m2 += weights[i] * nodes[i] ** 2;
        m4 += weights[i] * nodes[i] ** 4;
      }
      expect(m2).toBeCloseTo(4, 12);
      if (k >= 3) expect(m4).toBeCloseTo(48, 10);
    }
    expect(() => gaussHermite(0)).toThrow("gaussHermite: argument 'k' must be an integer ≥ 1; got 0");
    expect(() => gaussLegendre(3, 1, 1)).toThrow("gaussLegendre: argument 'b' must be greater than a = 1; got 1");
  });

  it('bestPredictorError is the conditional-mean error', () => {
    expect(bestPredictorError(fromRows([[0], [0], [1]]), Float64Array.of(1, 3, 5))).toBeCloseTo(2 / 3, 15);
    expect(() => bestPredictorError(fromRows([[0]]), Float64Array.of(1, 2))).toThrow(
      "bestPredictorError: argument 'y' must be of length 1 (one target per row of H); got length 2",
    );
  });
});

describe('Theorem 2 (rare word)', () => {
  it('chi2Bound: the vacuous +∞ exactly at L = 0 and where (e−1)²/L² leaves the double range; finite and accurate above (issue 13)', () => {
    const limit = 1.2815531348877264e-154; // the smallest L whose bound is a finite double
    for (const L of [0, 5e-324, 1e-300, 1.2815531348877263e-154]) {
      const c = rareWordConstruction(L, { nodes: 4 });
      expect(c.chi2Bound).toBe(Infinity);
      // Everything measured stays finite; E χ² ≤ (e − 1)²/4, which is why the bound is vacuous there.
      for (const v of [c.epsilon, c.expectedChi2, c.floor, c.maxRareProbability, c.varianceZ]) expect(Number.isFinite(v)).toBe(true);
      expect(c.expectedChi2).toBeLessThanOrEqual((Math.E - 1) ** 2 / 4);
      expect(Array.from(c.kl).concat(Array.from(c.chi2)).every(Number.isFinite)).toBe(true);
    }
    for (const L of [limit, 1e-150, 1e-20, 1e-8]) {
      const b = rareWordConstruction(L, { nodes: 4 }).chi2Bound;
      expect(Number.isFinite(b)).toBe(true);
      // (e−1)² e^{−L}/(1−e^{−L})² = (e−1)²/L² · (1 − L²/12 + …); both sides have ≤ 5 roundings, so
      // 8 ulps (1.8e-15) relative plus L²/12, below 1e-14 for these L.
      const ref = (Math.E - 1) ** 2 / L / L;
      expect(Math.abs(b - ref) / ref).toBeLessThanOrEqual(1e-14);
    }
  });

  it('for a list of L: ε ≤ E χ² ≤ the closed-form χ² bound, and the floor stays at Var(z) = 1/3', () => {
    for (const L of [0.5, 1, 2, 4, 8, 12, 16, 24, 32]) {
      const c = rareWordConstruction(L);
      expect(c.epsilon).toBeGreaterThan(0);
      expect(c.epsilon).toBeLessThanOrEqual(c.expectedChi2);
      expect(c.expectedChi2).toBeLessThanOrEqual(c.chi2Bound);
      // Stated quadrature tolerance 1e-12 on Var(z) (Gauss–Legendre with ≥ 2 nodes integrates z² exactly).
      expect(c.floor).toBeGreaterThanOrEqual(1 / 3 - c.quadratureTolerance);
      expect(Math.abs(c.varianceZ - 1 / 3)).toBeLessThanOrEqual(c.quadratureTolerance);
      // The closed-form κ (exact: p̂ and p* are proportional off r) agrees with the generic KL from
      // logits (contextStatsKernel, as transferErrorDecomposition computes it) to the latter's
      // accuracy: relative 1e-9 plus absolute 1e-15 (a few ulps of log Z, where κ ~ e^{−L} ends).
      const generic = transferErrorDecomposition({
        truth: { V: c.Vstar, H: c.Hstar },
        learned: { V: c.Vhat, H: c.Hhat },
        words: Int32Array.of(c.rareWord),
        coefficients: Float64Array.of(1),
        bulk: Int32Array.from({ length: c.rareWord }, (_, j) => j),
        // Any anchor will do: only κ is compared here.
        anchorStar: { anchor: new Float64Array(2), intercept: 0 },
        anchorHat: { anchor: new Float64Array(2), intercept: 0 },
        weights: c.contextWeights,
      });
      let worst = 0;
      for (let i = 0; i < c.kl.length; i++) worst = Math.max(worst, Math.abs(c.kl[i] - generic.kl[i]) / (1e-9 * c.kl[i] + 1e-15));
      expect(worst).toBeLessThanOrEqual(1);
      // The hypotheses of Theorem 1 fail where they must: the rare word has no probability floor.
      // In general p*(r|s) ≤ e^{1−L}; with the default top words (Σ_j e^{α_j x} ≥ 5.4 > e) even e^{−L}.
      expect(c.maxRareProbability).toBeLessThanOrEqual(Math.exp(-L));
      // The stated quadrature tolerance (relative, for ε): 24 and 40 nodes per axis agree to it. The
      // integrands are analytic on the grid's box, so Gauss–Legendre converges geometrically
      // (measured: relative differences below 3e-14 for L ≤ 40).
      const fine = rareWordConstruction(L, { nodes: 40 });
      expect(Math.abs(fine.epsilon - c.epsilon)).toBeLessThanOrEqual(c.quadratureTolerance * c.epsilon);
      expect(Math.abs(fine.expectedChi2 - c.expectedChi2)).toBeLessThanOrEqual(c.quadratureTolerance * c.expectedChi2);
    }
  });

  it('the smallest L with ε ≤ 1e-6 still leaves the floor at 1/3, also for a fitted probe', () => {
    let lo = 0;
    let hi = 40;
    // ε(L) decreases in L on this range (checked on the way); bisection to 1e-3 in L.
    while (hi - lo > 1e-3) {
      const mid = 0.5 * (lo + hi);
      if (rareWordConstruction(mid, { nodes: 16 }).epsilon <= 1e-6) hi = mid;
      else lo = mid;
    }
    const c = rareWordConstruction(hi);
    expect(c.epsilon).toBeLessThanOrEqual(1e-6);
    expect(rareWordConstruction(hi - 0.01).epsilon).toBeGreaterThan(1e-6);
    console.log(`Theorem 2: L = ${hi.toFixed(3)} gives ε = ${c.epsilon.toExponential(3)} (χ² bound ${c.chi2Bound.toExponential(3)}), floor ${c.floor}`);
    expect(c.floor).toBeGreaterThanOrEqual(1 / 3 - c.quadratureTolerance);
    // A fitted ridge probe on ĥ (any λ) cannot beat the floor either.
    const probe = fitRidgeProbe(c.Hhat, c.y, { ridge: 1e-9, weights: c.contextWeights });
    expect(probe.mse(c.Hhat, c.y, c.contextWeights)).toBeGreaterThanOrEqual(1 / 3 - c.quadratureTolerance);
    // The bisection ran on a 16-node grid; the 24-node answer must agree (relative 1e-12, as above).
    expect(Math.abs(rareWordConstruction(hi, { nodes: 16 }).epsilon - c.epsilon)).toBeLessThanOrEqual(c.quadratureTolerance * c.epsilon);
  });

  it('validates its arguments', () => {
    expect(() => rareWordConstruction(-1)).toThrow(DomainError);
    expect(() => rareWordConstruction(-1)).toThrow("rareWordConstruction: argument 'L' must be a finite number ≥ 0; got -1");
    expect(() => rareWordConstruction(1, { topAlphas: [-1, -2] })).toThrow(
      "rareWordConstruction: argument 'opts.topAlphas' must be values with max α ≥ 0 (so that p̂(r|s) ≤ e^{−L}); got max -1",
    );
  });
});

describe('Theorem 3 (invisible direction)', () => {
  it('ε = 0 to 1e-12 and every predictor from ĥ has MSE ≥ Var(z) = 1/3 (τ = −z + ξ)', () => {
    for (const sigma of [0.5, 1, 3]) {
      const c = invisibleDirectionConstruction({ sigma });
      // V* u = c·1.
      for (let w = 0; w < c.Vstar.rows; w++) expect(c.Vstar.data[2 * w] * c.direction[0] + c.Vstar.data[2 * w + 1] * c.direction[1]).toBe(c.c);
      expect(c.epsilon).toBeLessThanOrEqual(1e-12);
      expect(c.floorKind).toBe('any predictor');
      expect(c.floor).toBeGreaterThanOrEqual(1 / 3 - c.quadratureTolerance);
      const probe = fitRidgeProbe(c.Hhat, c.y, { weights: c.contextWeights });
      expect(probe.mse(c.Hhat, c.y, c.contextWeights)).toBeGreaterThanOrEqual(1 / 3 - c.quadratureTolerance);
    }
  });

  it('τ = ξ ~ N(0, σ²): ε = 0 and the fitted linear probe attains Var(z)σ²/(Var(z) + σ²)', () => {
    let previous = 0;
    for (const sigma of [0.25, 0.5, 1, 2, 4]) {
      const c = invisibleDirectionConstruction({ variant: 'additive', sigma });
      expect(c.epsilon).toBeLessThanOrEqual(1e-12);
      const formula = ((1 / 3) * sigma * sigma) / (1 / 3 + sigma * sigma);
      expect(Math.abs(c.floor - formula)).toBeLessThanOrEqual(1e-12);
      // The least-squares fit on the grid is the population best linear predictor (moments up to
      // order 2 are exact on the grid): agreement to 1e-10 (rounding of a 1728-point weighted solve).
      const probe = fitRidgeProbe(c.Hhat, c.y, { weights: c.contextWeights });
      expect(Math.abs(probe.mse(c.Hhat, c.y, c.contextWeights) - formula)).toBeLessThanOrEqual(1e-10);
      expect(c.floor).toBeGreaterThan(previous);
      previous = c.floor;
    }
    expect(previous).toBeGreaterThan(0.3); // tends to Var(z) = 1/3 as σ grows
  });
});
