import { DomainError } from '../../src/errors/errors.js';
import { rareWordInstanceKernel } from '../../src/experiments/rareWordKernel.js';
import { runRareWordSweep } from '../../src/experiments/runRareWordSweep.js';
import { klDivergenceRows } from '../../src/loss/index.js';
import { matrix } from '../../src/matrix/matrix.js';
import { withoutTime } from './fixtures.js';

describe('runRareWordSweep (E3)', () => {
  const r = runRareWordSweep({ seed: 3, L: [0, 2, 4, 8, 12, 16], gridX: 12, gridZ: 12 });

  it('ε stays below the χ² bound and falls with L, while the best predictor keeps the floor', () => {
    expect(r.kind).toBe('rareWordSweep');
    expect(r.sizes.contexts).toBe(144);
    for (let i = 0; i < r.rows.length; i++) {
      const row = r.rows[i];
      expect(row.excessLoss).toBeGreaterThan(0);
      expect(row.excessLoss).toBeLessThanOrEqual(row.chiSquareBound);
      // p̂(r|s) ≤ e^{−L} because max α ≥ 0 makes Z(s) ≥ 1 and x ≥ 1 (THEORY.md §5).
      expect(row.rareWordProb).toBeLessThanOrEqual(Math.exp(-row.L));
      if (i > 0) expect(row.excessLoss).toBeLessThan(r.rows[i - 1].excessLoss);
      // The midpoint grid's variance of z is exactly (1 − 1/gridZ²)/3; 1e-12 for rounding of the sums.
      expect(row.bestPredictorMse).toBeCloseTo((1 - 1 / 144) / 3, 12);
    }
    expect(r.rows[r.rows.length - 1].excessLoss).toBeLessThan(1e-8);
  });

  it('finds the smallest L with ε ≤ the target by bisection', () => {
    expect(r.target.epsilonTarget).toBe(1e-6);
    expect(r.target.excessLoss).toBeLessThanOrEqual(1e-6);
    // Just below the found L the target is missed (the bisection stops at a 1e-6 bracket): evaluate
    // the same seeded instance there through the public function.
    const below = runRareWordSweep({ seed: 3, L: [r.target.L - 1e-3], gridX: 12, gridZ: 12 });
    expect(below.rows[0].excessLoss).toBeGreaterThan(1e-6);
  });

  it('the closed-form KL equals a direct stable log-softmax computation (relative 1e-9)', () => {
    const grid = gridOf(4, 4);
    for (const L of [0, 1.5, 6]) {
      const m = grid.x.length;
      const k = grid.alpha.length + 1;
      const zs = matrix(m, k);
      const zh = matrix(m, k);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < k - 1; j++) zs.data[i * k + j] = zh.data[i * k + j] = grid.alpha[j] * grid.x[i];
        zs.data[i * k + k - 1] = -L * grid.x[i] + grid.z[i];
        zh.data[i * k + k - 1] = -L * grid.x[i];
      }
      const kl = klDivergenceRows(zs, zh);
      const direct = kl.reduce((a, v) => a + v, 0) / m;
      // 1e-9: the direct sum cancels log-partitions of size O(1), the closed form does not.
      expect(rareWordInstanceKernel(grid, L).excessLoss).toBeCloseTo(direct, 9);
    }
  });

  it('is deterministic for a seed and reports progress once per L plus the bisection', () => {
    const seen: number[] = [];
    const a = runRareWordSweep({ seed: 3, L: [0, 2, 4, 8, 12, 16], gridX: 12, gridZ: 12, onProgress: (p) => seen.push(p.done) });
    expect(withoutTime(a)).toEqual(withoutTime(r));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const other = runRareWordSweep({ seed: 4, L: [0, 2, 4, 8, 12, 16], gridX: 12, gridZ: 12 });
    expect(other.rows[0].excessLoss).not.toBe(r.rows[0].excessLoss);
  });

  it.each([
    [{ L: [] }, "runRareWordSweep: argument 'opts.L' must be a non-empty array of numbers ≥ 0; got an array of length 0"],
    [{ L: [1, -1] }, "runRareWordSweep: argument 'opts.L[1]' must be a finite number in [0, 700]; got -1"],
    [{ gridX: 1 }, "runRareWordSweep: argument 'opts.gridX' must be an integer ≥ 2; got 1"],
    [{ holdout: 1 }, "runRareWordSweep: argument 'opts.holdout' must be a finite number in (0, 1); got 1"],
    [{ epsilonTarget: 0 }, "runRareWordSweep: argument 'opts.epsilonTarget' must be a finite number in (0, 1); got 0"],
    [{ onProgress: 3 }, "runRareWordSweep: argument 'opts.onProgress' must be a function; got 3"],
  ])('rejects %p', (opts, message) => {
    const call = (): unknown => runRareWordSweep(opts as never);
    expect(call).toThrow(DomainError);
    expect(call).toThrow(message);
  });

  it('does not mutate its options', () => {
    const L = [0, 1, 2];
    const opts = { seed: 1, L, gridX: 4, gridZ: 4 };
    const before = JSON.stringify(opts);
    runRareWordSweep(opts);
    expect(JSON.stringify(opts)).toBe(before);
  });
});

/** A midpoint grid like runRareWordSweep's, with fixed top-word slopes (max α ≥ 0). */
function gridOf(gx: number, gz: number): { x: Float64Array; z: Float64Array; alpha: Float64Array } {
  const x = new Float64Array(gx * gz);
  const z = new Float64Array(gx * gz);
  for (let i = 0; i < gx; i++) for (let j = 0; j < gz; j++) {
    x[i * gz + j] = 1 + (i + 0.5) / gx;
    z[i * gz + j] = -1 + (2 * (j + 0.5)) / gz;
  }
  return { x, z, alpha: Float64Array.of(0.3, -0.2, 0.5, -1) };
}

describe('E3 against the theory module', () => {
  it("agrees with rareWordConstruction's ε and E χ² on the same instance (independent quadratures)", async () => {
    const { rareWordConstruction } = await import('../../src/theory/rareWordConstruction.js');
    const alphas = [0, 0.5, 1];
    // Midpoint grids for the closed form; Gauss–Legendre (24 nodes, exact to 1e-12) in rareWordConstruction.
    const grid = (g: number): { x: Float64Array; z: Float64Array; alpha: Float64Array } => {
      const x = new Float64Array(g * g);
      const z = new Float64Array(g * g);
      for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) {
        x[i * g + j] = 1 + (i + 0.5) / g;
        z[i * g + j] = -1 + (2 * (j + 0.5)) / g;
      }
      return { x, z, alpha: Float64Array.from(alphas) };
    };
    const g100 = grid(100);
    const g200 = grid(200);
    for (const L of [0, 3, 9]) {
      const theirs = rareWordConstruction(L, { topAlphas: alphas });
      const rel = (g: typeof g100): [number, number] => {
        const mine = rareWordInstanceKernel(g, L);
        return [Math.abs(mine.excessLoss - theirs.epsilon) / theirs.epsilon, Math.abs(mine.chiSquare - theirs.expectedChi2) / theirs.expectedChi2];
      };
      const [e100, c100] = rel(g100);
      const [e200, c200] = rel(g200);
      // The midpoint rule's error is O(1/g²) for these smooth integrands (measured: 1.3e-4 at g = 200
      // for L = 9), so the two agree to 2e-4 at g = 200 and the gap shrinks about 4× per doubling of g,
      // which shows it is quadrature error and not a difference in the formulas.
      expect(e200).toBeLessThan(2e-4);
      expect(c200).toBeLessThan(2e-4);
      expect(e200 / e100).toBeGreaterThan(0.2);
      expect(e200 / e100).toBeLessThan(0.3);
      expect(c200 / c100).toBeLessThan(0.3);
    }
  });
});
