import { AnchorAccumulator, NumericalError, fitAnchorFromLogPartition, fitRidgeProbe, fromRows, solveLeastSquares } from '../../src/index.js';
import { expectThrow } from '../model/expectThrow.js';

/** The design of one fit at scale `s`: X = s·X₀, y = t·y₀. */
function fitAt(s: number, t: number, opts = { intercept: true }) {
  const X = fromRows([[1 * s, 1 * s], [2 * s, 3 * s], [3 * s, 2 * s], [4 * s, 7 * s], [5 * s, 1 * s]]);
  return solveLeastSquares(X, Float64Array.of(1 * t, 3 * t, 2 * t, 5 * t, 4 * t), opts);
}

describe('huge and tiny finite inputs give finite results or a NumericalError saying what to rescale (issue 13 item 3)', () => {
  it('solveLeastSquares is scale-equivariant from 1e-300 to 1e300: coefficients scale, κ and (relative) RSS do not', () => {
    const ref = fitAt(1, 1);
    for (const [s, t] of [[1e200, 1e100], [1e-200, 1e-200], [1e300, 1], [1e-300, 1e-150], [1e150, 1e150], [5e-320, 1e-310]]) {
      const f = fitAt(s, t);
      // Power-of-two scaling is exact, so only the final conversion by s/t rounds: a few ulps.
      for (let j = 0; j < 2; j++) expect(f.coefficients[j] / ((ref.coefficients[j] * t) / s)).toBeCloseTo(1, 12);
      expect(f.intercept / (ref.intercept * t)).toBeCloseTo(1, 12);
      expect(Number.isFinite(f.conditionEstimate)).toBe(true);
      expect(f.conditionEstimate / ref.conditionEstimate).toBeCloseTo(1, 12);
      if (t * t > 1e-300 && t * t < 1e300) expect(f.residualSumOfSquares / (ref.residualSumOfSquares * t * t)).toBeCloseTo(1, 12);
      expect(Number.isFinite(f.residualSumOfSquares)).toBe(true);
    }
  });

  it('a residual sum of squares beyond float64 (y ~ 1e200) is a NumericalError, not Infinity', () => {
    expectThrow(() => fitAt(1, 1e200), NumericalError, 'solveLeastSquares: the residual sum of squares overflows float64');
  });

  it('fitAnchorFromLogPartition and AnchorAccumulator.fit name the overflowing statistic and what to rescale', () => {
    const H = fromRows([[1], [2], [3], [4]]);
    const zeta = Float64Array.of(1e200, -1e200, 3e200, 1e199);
    expectThrow(() => fitAnchorFromLogPartition(H, zeta), NumericalError, "fitAnchorFromLogPartition: the result's 'mse' is not finite in float64 (got Infinity); the log-partitions ζ(s) (or their residuals) are too large to square in float64; rescale V or H (or ζ)");
    const acc = new AnchorAccumulator(1);
    acc.addLogPartition(H, zeta);
    expectThrow(() => acc.fit(), NumericalError, "AnchorAccumulator.fit: the result's '");
    // 1e150 still squares: finite metrics, R² in (0, 1).
    const ok = fitAnchorFromLogPartition(H, zeta.map((z) => z * 1e-50));
    expect(Number.isFinite(ok.mse) && ok.r2 > 0 && ok.r2 < 1).toBe(true);
  });

  it('RidgeProbe.mse is computed scaled: residuals of 1e152 give their finite mean square; 1e160 throws', () => {
    const H = fromRows([[1], [2], [3], [4]]);
    const probe = fitRidgeProbe(H, Float64Array.of(1, 2, 3, 4), { ridge: 0 });
    const mse = probe.mse(H, Float64Array.of(1e152, 2, 3, 4));
    expect(mse / (1e152 ** 2 / 4)).toBeCloseTo(1, 12); // (1e152 − 1)²/4 to 1e-12
    expectThrow(() => probe.mse(H, Float64Array.of(1e160, 2, 3, 4)), NumericalError, 'RidgeProbe.mse: the mean squared error overflows float64');
  });
});
