/**
 * E1's held-out protocol and its record: which contexts ranked the words, fitted the anchors and
 * were scored (the fields of `lmtransfer anchor --json`), the learner's dtype, and a test that the
 * held-out rows change neither E1's ranking nor its fit.
 */
import fc from 'fast-check';
import { anchorSweep } from '../../src/anchor/anchorSweep.js';
import { bulkExcluding } from '../../src/anchor/bulkExcluding.js';
import { holdoutSplit } from '../../src/anchor/fitAnchorKernel.js';
import { meanWordProbabilities } from '../../src/anchor/meanWordProbabilities.js';
import type { Matrix } from '../../src/core/matrix.js';
import { contextRoles } from '../../src/experiments/contextRoles.js';
import { checkPretrainingOptions } from '../../src/experiments/pretrainingSetup.js';
import { runAnchorSweep } from '../../src/experiments/runAnchorSweep.js';
import { sweepModelAnchors } from '../../src/experiments/sweepModelAnchors.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { TINY_E1 } from './fixtures.js';

const sameBits = (a: Float64Array | Int32Array, b: Float64Array | Int32Array): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/** The ground truth's evaluation hidden states of an E1 run, derived as runAnchorSweep derives them. */
function groundTruthInputs(opts: typeof TINY_E1): { V: Matrix; H: Matrix; holdout: number; splitSeed: string } {
  const s = checkPretrainingOptions('test', opts);
  const evalCtx = s.world.sampleContexts(s.evalContexts, s.rng.fork('eval contexts'));
  return { V: s.world.V, H: evalCtx.H, holdout: s.holdout, splitSeed: s.rng.fork('holdout').seed };
}

describe('runAnchorSweep (E1): the record of the held-out protocol', () => {
  const r = runAnchorSweep(TINY_E1);
  const g = groundTruthInputs(TINY_E1);

  it('records which contexts ranked, fitted and were scored, with the fields and words of the CLI JSON', () => {
    const m = TINY_E1.evalContexts!;
    const { train, test } = holdoutSplit('test', m, g.holdout, g.splitSeed);
    expect(r.contexts).toEqual({
      total: m,
      training: train.length,
      heldOut: test.length,
      usedFor: {
        ranking: 'training contexts only',
        fitting: 'training contexts only',
        scoring: 'in sample: training contexts; heldOut: held-out contexts, with the training fit and the training mean of log Z_B as the constant baseline',
      },
      split: { method: 'seeded Fisher–Yates shuffle (createRng(seed)); the first round(holdout·m) indices are held out', seed: g.splitSeed },
      heldOutIndices: Array.from(test),
    });
    expect(test.length).toBe(Math.round(0.3 * m));
    // The same object contextRoles gives the CLI for the library sweep on that split.
    expect(r.contexts).toEqual(contextRoles(anchorSweep(g.V, g.H, TINY_E1.ks!, { holdout: g.holdout, seed: g.splitSeed }).contexts, g.splitSeed));
    expect(r.learner).toEqual({ dtype: 'float64' });
  });

  it("the ground truth's rows are sweepModelAnchors on the recorded split (so its protocol test below is E1's)", () => {
    expect(r.models[0].rows).toEqual(sweepModelAnchors('test', g.V, g.H, TINY_E1.ks!, g.holdout, g.splitSeed).rows);
  });

  it('held-out baseline: the held-out contexts\' mean squared deviation of log Z_B from the TRAINING mean (hand computation)', () => {
    const { sweep } = sweepModelAnchors('test', g.V, g.H, TINY_E1.ks!, g.holdout, g.splitSeed);
    const { training, heldOut } = sweep.contexts;
    TINY_E1.ks!.forEach((k, j) => {
      const z = logPartition(g.V, g.H, bulkExcluding(sweep.bulks[j].excludedWords!, g.V.rows));
      const mean = (rows: Int32Array): number => rows.reduce((a, i) => a + z[i], 0) / rows.length;
      const msd = (rows: Int32Array, c: number): number => rows.reduce((a, i) => a + (z[i] - c) ** 2, 0) / rows.length;
      const trainMean = mean(training);
      const want = msd(heldOut, trainMean);
      const got = r.models[0].rows[j].heldOut.baselineMse;
      // 1e-12 relative: log Z_B by two summation orders (the fused kernel, logPartition) agree to
      // ~1e-15 relative, and sums of 38 squares add a few ulps.
      expect(Math.abs(got - want)).toBeLessThan(1e-12 * want);
      // Teeth: centred on the held-out mean it would be smaller by (mean_held − mean_train)², far
      // beyond the tolerance.
      expect(want - msd(heldOut, mean(heldOut))).toBeGreaterThan(1e-6 * want);
      // In sample: the training part around its own mean.
      expect(Math.abs(r.models[0].rows[j].inSample.baselineMse - msd(training, trainMean))).toBeLessThan(1e-12 * want);
    });
  });

  it('a float32 learner is recorded as such; with only k = 0 there is no ranking', () => {
    const r32 = runAnchorSweep({ ...TINY_E1, ks: [0], trainSteps: 10, dtype: 'float32' });
    expect(r32.learner).toEqual({ dtype: 'float32' });
    expect(r32.contexts.usedFor.ranking).toBe('no ranking (no k > 0)');
    expect(r32.contexts.heldOutIndices).toEqual(r.contexts.heldOutIndices);
  });

  it('held-out rows change neither the ranking nor the fit: permuted and corrupted, the anchors are bitwise the same', () => {
    const { V, H } = g;
    const n = V.rows;
    const d = V.cols;
    const ks = [0, 4, 16];
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), fc.double({ min: 0.15, max: 0.5, noNaN: true }), (seed, frac) => {
        const a = sweepModelAnchors('test', V, H, ks, frac, seed);
        const test = a.sweep.contexts.heldOut;
        // Corrupt the held-out rows: a reversed permutation among themselves, then every other one
        // pushed towards the word of lowest mean probability.
        const H2: Matrix = { rows: H.rows, cols: d, data: H.data.slice() };
        for (let t = 0; t < test.length; t++) {
          const src = test[test.length - 1 - t];
          H2.data.set(H.data.subarray(src * d, src * d + d), test[t] * d);
        }
        const { mean } = meanWordProbabilities(V, H);
        let rare = 0;
        for (let w = 1; w < n; w++) if (mean[w] < mean[rare]) rare = w;
        for (let t = 0; t < test.length; t += 2) for (let j = 0; j < d; j++) H2.data[test[t] * d + j] = 8 * V.data[rare * d + j];
        const b = sweepModelAnchors('test', V, H2, ks, frac, seed);
        for (let j = 0; j < ks.length; j++) {
          const fa = a.sweep.bulks[j].fit;
          const fb = b.sweep.bulks[j].fit;
          if (!sameBits(fa.anchor, fb.anchor) || !Object.is(fa.intercept, fb.intercept)) return false;
          if (!sameBits(a.sweep.bulks[j].excludedWords!, b.sweep.bulks[j].excludedWords!)) return false;
          if (!Object.is(a.sweep.bulks[j].excludedMass, b.sweep.bulks[j].excludedMass)) return false;
          // E1's in-sample row is bitwise the same too.
          if (JSON.stringify(a.rows[j].inSample) !== JSON.stringify(b.rows[j].inSample)) return false;
        }
        // Teeth: the corruption reaches the held-out scores, and a ranking over ALL contexts of the
        // corrupted H would exclude the rare word at k = 16 (a leak would change the fit).
        const all = meanWordProbabilities(V, H2).mean;
        const above = Array.from(all).filter((p) => p > all[rare]).length;
        return a.rows[0].heldOut.anchorMse !== b.rows[0].heldOut.anchorMse && above < 16 && !b.sweep.bulks[2].excludedWords!.includes(rare);
      }),
      { seed: 1414, numRuns: 12 },
    );
  });
});
