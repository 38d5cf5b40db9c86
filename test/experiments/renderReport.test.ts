import { DomainError } from '../../src/core/errors.js';
import { assessResults, fmt, spearman, trend } from '../../src/experiments/assessResults.js';
import { renderReport } from '../../src/experiments/renderReport.js';
import type { ReproduceResults, TransferCurveResult } from '../../src/experiments/results.js';
import { runAnchorSweep } from '../../src/experiments/runAnchorSweep.js';
import { runRareWordSweep } from '../../src/experiments/runRareWordSweep.js';
import { runTransferCurve } from '../../src/experiments/runTransferCurve.js';
import { TINY_E1, TINY_E2 } from './fixtures.js';

const results: ReproduceResults = {
  formatVersion: 1,
  seed: '1',
  quick: true,
  seconds: 1,
  anchorSweep: runAnchorSweep(TINY_E1),
  transferCurve: runTransferCurve(TINY_E2),
  rareWordSweep: runRareWordSweep({ seed: 1, L: [0, 4, 8, 12], nodes: 8 }),
};
const figs = { anchorSweep: 'e1.svg', transferCurve: 'e2.svg', rareWordSweep: 'e3.svg' };

/** A deep copy with one E2 checkpoint's numbers changed. */
function withE2(edit: (r: { -readonly [K in keyof TransferCurveResult]: TransferCurveResult[K] }) => void): ReproduceResults {
  const copy = JSON.parse(JSON.stringify(results)) as ReproduceResults;
  edit(copy.transferCurve as never);
  return copy;
}

describe('renderReport', () => {
  const md = renderReport(results, figs);

  it('has a summary, one section per experiment with its figure and a table, and the decision rules', () => {
    for (const h of ['# lmtransfer: reproduction report', '## Summary', '## E1 ·', '## E2 ·', '## E3 ·', '## How the checks decide']) expect(md).toContain(h);
    for (const f of Object.values(figs)) expect(md).toContain(`](${f})`);
    // Every section states what was measured and a result.
    expect(md.match(/\*\*What was measured\.\*\*/g)).toHaveLength(3);
    expect(md.match(/\*\*Result\.\*\*/g)).toHaveLength(3);
    // One table row per E2 checkpoint, and the numbers in it are the results'.
    const c = results.transferCurve!.checkpoints[1];
    expect(md).toContain(`| ${c.step} | ${fmt(c.excessLoss)} | ${fmt(c.tasks.frequent.transferProbeMse)} |`);
    expect(md).toContain(`| ${fmt(results.rareWordSweep!.rows[2].L)} | ${fmt(results.rareWordSweep!.rows[2].excessLoss)} |`);
  });

  it('writes one verdict line per check, with the counts in the preamble', () => {
    const v = assessResults(results);
    expect(v.length).toBe(3 + 3 + 3 + 2); // E1 per model; E2 trend per task and bound per task; E3 two
    const counts = { agrees: 0, disagrees: 0, note: 0 };
    for (const x of v) counts[x.status]++;
    expect(md).toContain(`${v.length} checks against the theory: ${counts.agrees} agree, ${counts.disagrees} disagree`);
    for (const x of v) expect(md).toContain(x.claim);
  });

  it('is computed from the numbers: a broken bound and a flat error turn verdicts to "disagrees"', () => {
    const bad = withE2((r) => {
      const last = r.checkpoints[r.checkpoints.length - 1] as { tasks: { frequent: { transferProbeMse: number; certifiedBound: number | null } } };
      last.tasks.frequent.transferProbeMse = 2 * (last.tasks.frequent.certifiedBound as number);
    });
    const v = assessResults(bad);
    const bound = v.find((x) => x.claim.startsWith('(a) frequent words: the transfer probe'));
    expect(bound?.status).toBe('disagrees');
    expect(bound?.evidence).toContain(`${results.transferCurve!.checkpoints.length - 1} of ${results.transferCurve!.checkpoints.length} checkpoints within the bound`);
    expect(renderReport(bad)).toContain('A certified bound was violated');
    const good = assessResults(results).find((x) => x.claim.startsWith('(a) frequent words: the transfer probe'));
    expect(good?.status).toBe('agrees');

    const flat = withE2((r) => {
      for (const c of r.checkpoints as unknown as { tasks: { contrast: { transferProbeMse: number } } }[]) c.tasks.contrast.transferProbeMse = 1;
    });
    expect(assessResults(flat).find((x) => x.claim.startsWith('(b) contrast: the error falls'))?.status).toBe('disagrees');
  });

  it('calls a rare-word error that falls a note, not a failure, and explains it', () => {
    const fell = withE2((r) => {
      for (const c of r.checkpoints as unknown as { tasks: { rare: { ridgeProbeMse: number } } }[]) c.tasks.rare.ridgeProbeMse = 1e-6;
    });
    const v = assessResults(fell).find((x) => x.claim.startsWith('(c) rare word: low ε'));
    expect(v?.status).toBe('note');
    expect(v?.evidence).toContain('Theorem 2 only says that a low ε does not guarantee transfer');
    const stayed = withE2((r) => {
      for (const c of r.checkpoints as unknown as { tasks: { rare: { ridgeProbeMse: number } } }[]) c.tasks.rare.ridgeProbeMse = r.tasks[2].labelVariance;
    });
    expect(assessResults(stayed).find((x) => x.claim.startsWith('(c) rare word: low ε'))?.status).toBe('agrees');
  });

  it('renders a report of a single experiment', () => {
    const only = renderReport({ formatVersion: 1, seed: 's', quick: false, seconds: 0, rareWordSweep: results.rareWordSweep });
    expect(only).toContain('## E3 ·');
    expect(only).not.toContain('## E1 ·');
    expect(only).toContain('full sizes');
  });

  it('rejects a missing or empty result', () => {
    const none = (): string => renderReport({ formatVersion: 1, seed: 's', quick: true, seconds: 0 });
    expect(none).toThrow(DomainError);
    expect(none).toThrow("renderReport: argument 'results' must be at least one of anchorSweep, transferCurve, rareWordSweep; got none");
    const nul = (): string => renderReport(null as never);
    expect(nul).toThrow(DomainError);
    expect(nul).toThrow("renderReport: argument 'results' must be a ReproduceResults object; got null");
    const a = (): unknown => assessResults(7 as never);
    expect(a).toThrow(DomainError);
    expect(a).toThrow("assessResults: argument 'results' must be an object { anchorSweep?, transferCurve?, rareWordSweep? }; got 7");
  });

  it('does not mutate the results', () => {
    const before = JSON.stringify(results);
    renderReport(results, figs);
    expect(JSON.stringify(results)).toBe(before);
  });
});

describe('trend and spearman', () => {
  it('spearman is ±1 for monotone pairs, handles ties, and is 0 for a constant', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBe(0);
    // Ties get average ranks: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4) give ρ = 4.5/√(4.5·5).
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
  });

  it('trend needs both a rank correlation and a drop by half', () => {
    expect(trend([3, 2, 1], [30, 20, 10]).falls).toBe(true);
    expect(trend([3, 2, 1], [30, 29, 28]).falls).toBe(false); // correlated but fell by less than half
    // Fell by more than half, but ρ = 1 − 6·6/(4·15) = 0.4 is below the 0.5 threshold.
    expect(trend([4, 3, 2, 1], [10, 40, 30, 1]).rankCorrelation).toBeCloseTo(0.4, 12);
    expect(trend([4, 3, 2, 1], [10, 40, 30, 1]).falls).toBe(false);
  });
});
