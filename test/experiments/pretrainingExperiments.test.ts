import { DomainError } from '../../src/core/errors.js';
import { runAnchorSweep } from '../../src/experiments/runAnchorSweep.js';
import { checkpointSteps, runTransferCurve } from '../../src/experiments/runTransferCurve.js';
import { assessResults } from '../../src/experiments/assessResults.js';
import { TINY_E1, TINY_E2, withoutTime } from './fixtures.js';

describe('runAnchorSweep (E1)', () => {
  const r = runAnchorSweep(TINY_E1);

  it('sweeps k on the ground truth, the learner at initialisation and after pre-training', () => {
    expect(r.kind).toBe('anchorSweep');
    expect(r.models.map((m) => m.model)).toEqual(['ground truth M*', 'learner at initialisation', 'learner after pre-training']);
    expect(r.models[0].excessLoss).toBe(0);
    // Pre-training must reduce ε: 100 Adam steps on the tiny world take it down by well over 10×.
    expect(r.models[2].excessLoss).toBeLessThan(r.models[1].excessLoss / 10);
    for (const m of r.models) {
      expect(m.rows.map((row) => row.k)).toEqual([0, 4, 16]);
      for (const row of m.rows) {
        expect(row.bulkSize).toBe(64 - row.k);
        // In sample the anchor can only beat the constant: the constant is the anchor with v₀ = 0.
        // 1e-12 relative for rounding in the two least-squares solves.
        expect(row.inSample.anchorMse).toBeLessThanOrEqual(row.inSample.baselineMse * (1 + 1e-12));
        expect(row.inSample.ratio).toBeCloseTo(row.inSample.anchorMse / row.inSample.baselineMse, 12);
        expect(row.heldOut.r2).toBeCloseTo(1 - row.heldOut.ratio, 12);
        expect(row.heldOut.maxAbsResidual ** 2).toBeGreaterThanOrEqual(row.heldOut.anchorMse * (1 - 1e-12));
      }
    }
    // On the ground truth the bulk's log-partition is far from constant and close to linear in h*.
    expect(Math.max(...r.models[0].rows.map((row) => row.heldOut.ratio))).toBeLessThan(0.6);
  });

  it('is deterministic for a seed and JSON-ready', () => {
    expect(withoutTime(runAnchorSweep(TINY_E1))).toEqual(withoutTime(r));
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it.each([
    [{ ks: [64] }, "runAnchorSweep: argument 'opts.ks[0]' must be an integer in [0, 63]; got 64"],
    [{ ks: [] }, "runAnchorSweep: argument 'opts.ks' must be a non-empty array of integers; got an array of length 0"],
    [{ batchSize: 1000 }, "runAnchorSweep: argument 'opts.batchSize' must be at most opts.trainContexts (256); got 1000"],
    [{ lr: 0 }, "runAnchorSweep: argument 'opts.lr' must be a finite number > 0; got 0"],
    [{ evalContexts: 9 }, "runAnchorSweep: argument 'opts.evalContexts' must be large enough for 10 fitting and 2 held-out contexts at holdout 0.3; got 9"],
    [{ seed: null }, "runAnchorSweep: argument 'opts.seed' must be a non-empty string or a finite number; got null"],
    // Regression (issue 13, API fuzz): a seed createRng refuses was reported against createRng.
    [{ seed: Infinity }, "runAnchorSweep: argument 'opts.seed' must be a non-empty string or a finite number; got Infinity"],
    [{ seed: '' }, "runAnchorSweep: argument 'opts.seed' must be a non-empty string or a finite number; got an empty string"],
    // Sizes that no typed array can hold: a DomainError naming the option, before any allocation.
    [{ trainContexts: 1e12, batchSize: 64 }, "runAnchorSweep: argument 'opts.trainContexts' must be small enough for one buffer"],
    [{ evalContexts: 2 ** 40 }, "runAnchorSweep: argument 'opts.evalContexts' must be small enough for one buffer"],
  ])('rejects %p', (bad, message) => {
    const call = (): unknown => runAnchorSweep({ ...TINY_E1, ...(bad as object) });
    expect(call).toThrow(DomainError);
    expect(call).toThrow(message);
  });
});

describe('runTransferCurve (E2)', () => {
  const progress: number[] = [];
  const r = runTransferCurve({ ...TINY_E2, onProgress: (p) => progress.push(p.done) });

  it('records ε and the three tasks at log-spaced checkpoints, ε falling', () => {
    expect(r.kind).toBe('transferCurve');
    expect(r.checkpoints.map((c) => c.step)).toEqual(checkpointSteps(100, 6));
    expect(r.tasks.map((t) => t.id)).toEqual(['frequent', 'contrast', 'rare']);
    expect(r.tasks[1].weightSum).toBe(0);
    const eps = r.checkpoints.map((c) => c.excessLoss);
    expect(eps[eps.length - 1]).toBeLessThan(eps[0] / 10);
    // The rare word is rare: its smallest probability is far below the frequent words'.
    expect(r.tasks[2].minWordProb).toBeLessThan(1e-3 * r.tasks[0].minWordProb);
    expect(progress[progress.length - 1]).toBe(100 + r.checkpoints.length);
  });

  it("respects Theorem 1(5)'s certified bound at every checkpoint, for every task", () => {
    for (const c of r.checkpoints) {
      for (const p of Object.values(c.tasks)) {
        expect(p.certifiedBound).not.toBeNull();
        // 1e-12 relative: both sides are float64 sums over the same contexts.
        expect(p.transferProbeMse).toBeLessThanOrEqual((p.certifiedBound as number) * (1 + 1e-12));
        expect(p.boundRatio).toBeCloseTo(p.transferProbeMse / (p.certifiedBound as number), 12);
      }
    }
  });

  it('the frequent-word and contrast errors fall with ε, the rare-word ridge error does not reach 0', () => {
    const first = r.checkpoints[0].tasks;
    const last = r.checkpoints[r.checkpoints.length - 1].tasks;
    expect(last.frequent.transferProbeMse).toBeLessThan(first.frequent.transferProbeMse / 10);
    expect(last.contrast.transferProbeMse).toBeLessThan(first.contrast.transferProbeMse / 10);
    // The rare signal moves almost no probability, so ĥ does not learn it: a tenth of Var(y) remains.
    expect(last.rare.ridgeProbeMse).toBeGreaterThan(0.1 * r.tasks[2].labelVariance);
  });

  it('is deterministic for a seed', () => {
    expect(withoutTime(runTransferCurve(TINY_E2))).toEqual(withoutTime(r));
  });

  it('with a float32 learner reaches the same conclusions (every E2 verdict, the same ε to 3%)', () => {
    const r32 = runTransferCurve({ ...TINY_E2, dtype: 'float32' });
    const verdicts = (x: typeof r) => assessResults({ transferCurve: x }).map((v) => [v.claim, v.status]);
    expect(verdicts(r32)).toEqual(verdicts(r));
    // And not by accident: the run is the float32 one, close to but not equal to the float64 run.
    const eps = (x: typeof r) => x.checkpoints.map((c) => c.excessLoss);
    expect(eps(r32)).not.toEqual(eps(r));
    eps(r32).forEach((e, i) => expect(Math.abs(e - eps(r)[i])).toBeLessThan(0.03 * eps(r)[i]));
    for (const c of r32.checkpoints) {
      for (const p of Object.values(c.tasks)) expect(p.transferProbeMse).toBeLessThanOrEqual((p.certifiedBound as number) * (1 + 1e-12));
    }
    expect(() => runTransferCurve({ ...TINY_E2, dtype: 'float16' as 'float32' })).toThrow("runTransferCurve: argument 'opts.dtype' must be one of 'float64', 'float32'; got \"float16\"");
  });

  it('checkpointSteps gives distinct, sorted steps from 0 to the end', () => {
    for (const [steps, count] of [[400, 12], [5, 12], [100, 3], [1, 2], [1000, 16], [800, 16], [150, 10], [60, 6], [7, 5]] as const) {
      const s = checkpointSteps(steps, count);
      expect(s[0]).toBe(0);
      expect(s[s.length - 1]).toBe(steps);
      expect(s.length).toBe(Math.min(count, steps + 1));
      for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    }
    // Log-spaced: for a long run, half of the checkpoints fall in the first tenth of the steps.
    const long = checkpointSteps(800, 16);
    expect(long.filter((v) => v <= 80).length).toBeGreaterThanOrEqual(8);
    expect(checkpointSteps(400, 6)).toEqual([0, 3, 11, 36, 121, 400]);
  });

  it.each([
    [{ checkpoints: 1 }, "runTransferCurve: argument 'opts.checkpoints' must be an integer ≥ 2; got 1"],
    [{ ridge: -1 }, "runTransferCurve: argument 'opts.ridge' must be a finite number ≥ 0; got -1"],
    [{ ridgeLambda: 1e-3 }, "runTransferCurve: argument 'opts.ridgeLambda' must be absent: it is now 'opts.ridge' (same meaning and scale); got 0.001"],
    [{ world: { preset: 'tiny' } }, "runTransferCurve: argument 'opts.world' must be a world with at least 5 frequent words; got 4"],
  ])('rejects %p', (bad, message) => {
    const call = (): unknown => runTransferCurve({ ...TINY_E2, ...(bad as object) });
    expect(call).toThrow(DomainError);
    expect(call).toThrow(message);
  });
});
