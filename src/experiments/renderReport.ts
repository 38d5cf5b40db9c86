import { describeValue, domainError } from '../core/check.js';
import { ASSESSMENT_THRESHOLDS, assessResultsFor, fmt, malformedResults, type Verdict } from './assessResults.js';
import type { AnchorSweepResult, RareWordSweepResult, ReproduceResults, TransferCurveResult } from './results.js';
import { countOf } from '../core/countOf.js';

/** Where the figures of a report live, relative to the report. */
export interface ReportFigures {
  readonly anchorSweep?: string;
  readonly transferCurve?: string;
  readonly rareWordSweep?: string;
}

const MARK: Record<Verdict['status'], string> = { agrees: '✅ agrees', disagrees: '❌ disagrees', note: 'ℹ️ note' };

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function verdictList(vs: readonly Verdict[]): string {
  return vs.map((v) => `- **${MARK[v.status]}**: ${v.claim}. ${v.evidence}.`).join('\n');
}

/** How a learned model's anchor MSE compares with the ground truth's, in words. */
function trainedAnchorVerb(learned: number, truth: number): string {
  const r = learned / truth;
  if (r < 1.25 && r > 0.8) return 'reproduced';
  return r >= 1.25 ? `did not yet reach (it is ${fmt(r)}× larger)` : `went below (${fmt(r)}× of)`;
}

function anchorSection(r: AnchorSweepResult, fig: string | undefined, vs: readonly Verdict[]): string {
  const parts: string[] = ['## E1 · Anchor vector against the self-normalisation baseline', ''];
  const trained = r.models[r.models.length - 1];
  const k0 = trained.rows[0];
  const kBest = trained.rows.reduce((b, row) => (row.heldOut.ratio < b.heldOut.ratio ? row : b), k0);
  const agree = vs.every((v) => v.status !== 'disagrees');
  const truth = r.models[0];
  const truthAtBest = truth.rows.find((row) => row.k === kBest.k);
  parts.push(
    `**What was measured.** For each model (${r.models.map((m) => m.model).join('; ')}) and each number k of excluded top words, ` +
      `the bulk B is every word but the k most probable on average, and log Z_B(s) is fitted by least squares on [h(s) 1] ` +
      `(the anchor) and by a constant (the self-normalisation assumption that the partition function does not depend on the context). ` +
      `The fit uses ${Math.round((1 - r.sizes.holdout) * 100)}% of ${countOf(r.sizes.contexts, 'context')} and is scored on the rest. ` +
      `**Result.** For the ${trained.model} (ε = ${fmt(trained.excessLoss)}), the held-out anchor MSE is ${fmt(k0.heldOut.anchorMse)} against ` +
      `${fmt(k0.heldOut.baselineMse)} for the constant at k = ${k0.k} (ratio ${fmt(k0.heldOut.ratio)}, R² = ${fmt(k0.heldOut.r2)}), and the ratio is ` +
      `smallest, ${fmt(kBest.heldOut.ratio)}, at k = ${kBest.k}` +
      (truthAtBest && truth !== trained
        ? ` (the ${truth.model} has anchor MSE ${fmt(truthAtBest.heldOut.anchorMse)} there, so pre-training ${trainedAnchorVerb(kBest.heldOut.anchorMse, truthAtBest.heldOut.anchorMse)} its anchor residual). `
        : '. ') +
      (agree
        ? 'This agrees with the paper\'s Figure 1a: the partition function is not constant across contexts, but its log is close to linear in the representation, so an anchor vector exists' +
          (vs.some((v) => v.status === 'note') ? ' (where a constant does as well, the note below says why).' : '.')
        : 'This does not match the expectation of docs/theory.md#3-the-anchor-vector and the paper\'s Figure 1a on every model; the verdicts below say where.'),
  );
  parts.push('', verdictList(vs), '');
  if (fig) parts.push(`![E1: anchor vs constant partition function](${fig})`, '');
  for (const m of r.models) {
    parts.push(`**${m.model}** (ε = ${fmt(m.excessLoss)})`, '');
    parts.push(
      table(
        ['k', '\\|B\\|', 'anchor MSE (in)', 'constant MSE (in)', 'anchor MSE (held out)', 'constant MSE (held out)', 'ratio (held out)', 'R² (held out)', 'max \\|e\\| (held out)'],
        m.rows.map((row) => [
          String(row.k),
          String(row.bulkSize),
          fmt(row.inSample.anchorMse),
          fmt(row.inSample.baselineMse),
          fmt(row.heldOut.anchorMse),
          fmt(row.heldOut.baselineMse),
          fmt(row.heldOut.ratio),
          fmt(row.heldOut.r2),
          fmt(row.heldOut.maxAbsResidual),
        ]),
      ),
      '',
    );
  }
  parts.push(`_${r.seconds.toFixed(1)} s, seed ${r.seed}, n = ${r.sizes.n}, d = ${r.sizes.d}, ${r.sizes.trainSteps} training steps._`, '');
  return parts.join('\n');
}

function transferSection(r: TransferCurveResult, fig: string | undefined, vs: readonly Verdict[]): string {
  const parts: string[] = ['## E2 · Transfer along one pre-training run', ''];
  const first = r.checkpoints[0];
  const last = r.checkpoints[r.checkpoints.length - 1];
  const falls = vs.filter((v) => v.claim.includes('falls with ε'));
  const bounds = vs.filter((v) => v.claim.includes('certified bound'));
  const rare = vs.find((v) => v.claim.includes('need not'));
  const sentences: string[] = [];
  sentences.push(
    `**What was measured.** One learner was pre-trained for ${countOf(r.sizes.trainSteps, 'step')}; at ${countOf(r.checkpoints.length, 'checkpoint')} the exact excess loss ` +
      `ε_t = E_s KL(p*‖p̂) and the held-out errors of three tasks were computed: ${r.tasks.map((t) => `${t.label} (A = Σa = ${fmt(t.weightSum)}, ‖a‖₁ = ${fmt(t.weightL1)}, min p*(w|s) = ${fmt(t.minWordProb)})`).join('; ')}. ` +
      `Each task is scored with Theorem 1's fit-free transfer probe and with a ridge probe fitted on ĥ; the certified bound of Theorem 1 part 5 is computed on the same contexts, ` +
      `with the anchors of both models on the bulk (|B| = ${r.bulkSize}; the ground truth's anchor MSE is ${fmt(r.anchorMseStar)}).`,
  );
  sentences.push(
    `**Result.** ε fell from ${fmt(first.excessLoss)} to ${fmt(last.excessLoss)}. ` +
      falls.map((v) => `${v.claim.split(':')[0]}: ${v.status === 'agrees' ? 'the error falls with ε, as Theorem 1 predicts' : 'the error does not fall with ε as Theorem 1 predicts'}.`).join(' ') +
      (rare ? ` ${rare.claim.split(':')[0]}: ${rare.status === 'agrees' ? 'the error stays high, which Theorem 2 allows: a low ε does not force the rare word\'s direction to be learned.' : 'the error fell as well; see the note below for why this does not contradict Theorem 2.'}` : '') +
      (bounds.length ? ` ${bounds.every((v) => v.status === 'agrees') ? 'Every certified bound held at every checkpoint.' : 'A certified bound was violated; this is a bug or a counterexample and must be investigated.'}` : ''),
  );
  parts.push(sentences.join(' '), '', verdictList(vs), '');
  if (fig) parts.push(`![E2: downstream error against ε](${fig})`, '');
  const head = ['step', 'ε'];
  for (const t of r.tasks) head.push(`${t.id}: transfer`, `${t.id}: ridge`, ...(r.checkpoints.some((c) => c.tasks[t.id].certifiedBound !== null) ? [`${t.id}: bound`] : []));
  parts.push(
    table(
      head,
      r.checkpoints.map((c) => {
        const row = [String(c.step), fmt(c.excessLoss)];
        for (const t of r.tasks) {
          const p = c.tasks[t.id];
          row.push(fmt(p.transferProbeMse), fmt(p.ridgeProbeMse));
          if (r.checkpoints.some((cc) => cc.tasks[t.id].certifiedBound !== null)) row.push(fmt(p.certifiedBound));
        }
        return row;
      }),
    ),
    '',
  );
  parts.push(`_${r.seconds.toFixed(1)} s, seed ${r.seed}, n = ${r.sizes.n}, d = ${r.sizes.d}, ${countOf(r.sizes.contexts, 'context')}._`, '');
  return parts.join('\n');
}

function rareSection(r: RareWordSweepResult, fig: string | undefined, vs: readonly Verdict[]): string {
  const parts: string[] = ['## E3 · Theorem 2: vanishing excess loss without transfer', ''];
  const agree = vs.every((v) => v.status === 'agrees');
  const first = r.rows[0];
  const last = r.rows[r.rows.length - 1];
  parts.push(
    `**What was measured.** Theorem 2's instance (docs/theory.md#6-theorem-2-no-transfer-through-a-rare-word): d = 2, h*(s) = (x, z), the learned model drops z (ĥ = (x, 0)) and the ` +
      `task is y = z; only the rare word's logit depends on z, and it sits L below the top words. For each L, rareWordConstruction gave ε, ` +
      `the χ² bound E χ², max p*(r|s) and the error of the best predictor of y from ĥ, exactly over a ` +
      `${r.sizes.contexts}-context Gauss–Legendre grid, on which that error is Var(z) = 1/3 to rounding; a ridge probe on ĥ was fitted with the ` +
      `grid's weights on a seeded split of its contexts and scored on the held-out part, so its MSE can sit above or below the floor by sampling. ` +
      `**Result.** ε fell from ${fmt(first.excessLoss)} at L = ${fmt(first.L)} to ${fmt(last.excessLoss)} at L = ${fmt(last.L)} ` +
      `(ε ≤ ${fmt(r.target.epsilonTarget)} from L = ${fmt(r.target.L)}), while the best predictor's MSE stayed at ` +
      `${fmt(Math.min(...r.rows.map((row) => row.bestPredictorMse)))} or more against the floor Var(z) = ${fmt(r.floor)}. ` +
      (agree
        ? 'This agrees with Theorem 2: a pre-training loss as close to optimal as one likes does not imply that a task carried by a rare word transfers.'
        : 'This does not agree with Theorem 2 on every point; see the verdicts.'),
    '',
    verdictList(vs),
    '',
  );
  if (fig) parts.push(`![E3: rare-word sweep](${fig})`, '');
  parts.push(
    table(
      ['L', 'ε', 'χ² bound', 'max p*(r|s)', 'best predictor MSE', 'ridge probe MSE (held out)'],
      r.rows.map((row) => [fmt(row.L), fmt(row.excessLoss), fmt(row.chiSquareBound), fmt(row.rareWordProb), fmt(row.bestPredictorMse), fmt(row.ridgeProbeMse)]),
    ),
    '',
    `_${r.seconds.toFixed(1)} s, seed ${r.seed}._`,
    '',
  );
  return parts.join('\n');
}

/**
 * Write the Markdown report of a `reproduce` run: a summary of verdicts, then one section per
 * experiment with a paragraph computed from the numbers (what was measured, and whether it agrees
 * with the theory), the figure, and the numbers in a table. Nothing in the text is canned: every
 * number and every "agrees"/"disagrees" comes from `results` through {@link assessResults}.
 *
 * @example
 * ```ts
 * const md = renderReport(results, { anchorSweep: 'e1-anchor-sweep.svg' });
 * writeFileSync('results/report.md', md);
 * ```
 * @throws DomainError when `results` is not an object, has no experiment in it, or a field is not
 *   what the experiments write
 */
export function renderReport(results: ReproduceResults, figures: ReportFigures = {}): string {
  try {
    return renderReportChecked(results, figures);
  } catch (e) {
    // A hand-edited results.json with a missing or mistyped field: a DomainError naming renderReport.
    throw malformedResults('renderReport', e);
  }
}

function renderReportChecked(results: ReproduceResults, figures: ReportFigures): string {
  if (results === null || typeof results !== 'object') {
    throw domainError('renderReport', 'results', 'a ReproduceResults object', describeValue(results));
  }
  if (!results.anchorSweep && !results.transferCurve && !results.rareWordSweep) {
    throw domainError('renderReport', 'results', 'at least one of anchorSweep, transferCurve, rareWordSweep', 'none');
  }
  const verdicts = assessResultsFor('renderReport', results);
  const by = (e: Verdict['experiment']): Verdict[] => verdicts.filter((v) => v.experiment === e);
  const counts = { agrees: 0, disagrees: 0, note: 0 };
  for (const v of verdicts) counts[v.status]++;
  const parts: string[] = [
    '# lmtransfer: reproduction report',
    '',
    `Seed ${results.seed}, ${results.quick ? 'quick sizes (`--quick`)' : 'full sizes'}, ${results.seconds.toFixed(1)} s in all. ` +
      `The numbers are in \`results.json\` beside this file; the figures are the \`.svg\` files. ` +
      `${countOf(verdicts.length, 'check')} against the theory: ${counts.agrees} agree, ${counts.disagrees} disagree, ${counts.note} ${counts.note === 1 ? 'is a note' : 'are notes'}.`,
    '',
    '## Summary',
    '',
    table(['', 'check', 'status'], verdicts.map((v) => [v.experiment, v.claim, MARK[v.status]])),
    '',
  ];
  if (results.anchorSweep) parts.push(anchorSection(results.anchorSweep, figures.anchorSweep, by('E1')));
  if (results.transferCurve) parts.push(transferSection(results.transferCurve, figures.transferCurve, by('E2')));
  if (results.rareWordSweep) parts.push(rareSection(results.rareWordSweep, figures.rareWordSweep, by('E3')));
  const th = ASSESSMENT_THRESHOLDS;
  parts.push(
    '## How the checks decide',
    '',
    `- An error "falls with ε" when its Spearman rank correlation with ε along the run is at least ${th.fallRankCorrelation} and its last value is at most ${th.fallFactor} of its first.`,
    `- The rare-word task "stays high" when its final ridge-probe error is at least ${th.rareFloorFraction} of Var(y). If it falls anyway the check is a note, not a failure: Theorem 2 says a low ε does not guarantee transfer, not that transfer never happens.`,
    `- A bound is "respected" when error ≤ bound · (1 + ${th.boundRelTol}) (float64 rounding in both sums); its slack is bound / error.`,
    `- E3's floor is met when the best predictor's MSE is at least Var(z) − ${th.floorTol}: the Gauss–Legendre grid integrates z² exactly, so the only gap to 1/3 is rounding.`,
    '',
    'See `docs/index.md` for how to read this report.',
    '',
  );
  return parts.join('\n');
}
