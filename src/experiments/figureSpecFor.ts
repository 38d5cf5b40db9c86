import type { AnchorSweepResult, ExperimentResult, RareWordSweepResult, TransferCurveResult, TransferTaskId } from './results.js';
import { describeValue, domainError } from '../core/check.js';
import { LmTransferError } from '../core/errors.js';
import { validateFigureSpec } from '../figures/validateFigureSpec.js';
import type { FigureSpec, PanelSpec, SeriesSpec } from '../figures/FigureSpec.js';
import { countOf } from '../core/countOf.js';

function anchorSweepFigure(r: AnchorSweepResult): FigureSpec {
  const panels: PanelSpec[] = r.models.map((m) => {
    const k = m.rows.map((row) => row.k);
    return {
      title: `${m.model} (ε = ${m.excessLoss.toPrecision(3)})`,
      x: { title: 'excluded top words k', scale: 'auto' },
      y: { title: 'MSE of log Z_B(s)', scale: 'auto' },
      series: [
        { name: 'anchor, in-sample', x: k, y: m.rows.map((row) => row.inSample.anchorMse), style: 'line', color: 0 },
        { name: 'anchor, held out', x: k, y: m.rows.map((row) => row.heldOut.anchorMse), style: 'dashed', color: 0 },
        { name: 'constant Z, in-sample', x: k, y: m.rows.map((row) => row.inSample.baselineMse), style: 'line', color: 1 },
        { name: 'constant Z, held out', x: k, y: m.rows.map((row) => row.heldOut.baselineMse), style: 'dashed', color: 1 },
      ],
    };
  });
  return {
    title: 'E1 · anchor vector vs self-normalisation (constant partition function)',
    panels,
    panelWidth: 470,
    caption: `n = ${r.sizes.n}, d = ${r.sizes.d}, ${countOf(r.sizes.contexts, 'context')} (${Math.round(r.sizes.holdout * 100)}% held out), seed ${r.seed}`,
  };
}

const TASK_COLOR: Record<TransferTaskId, number> = { frequent: 0, contrast: 4, rare: 2 };

function transferCurveFigure(r: TransferCurveResult): FigureSpec {
  const eps = r.checkpoints.map((c) => c.excessLoss);
  const transfer: SeriesSpec[] = [];
  const ridge: SeriesSpec[] = [];
  for (const t of r.tasks) {
    transfer.push({ name: t.label, x: eps, y: r.checkpoints.map((c) => c.tasks[t.id].transferProbeMse), style: 'line', color: TASK_COLOR[t.id] });
    ridge.push({ name: t.label, x: eps, y: r.checkpoints.map((c) => c.tasks[t.id].ridgeProbeMse), style: 'line', color: TASK_COLOR[t.id] });
  }
  // Bounds are drawn over (a) and (b) only (docs/theory.md#8-the-experiments): the rare word's is vacuous (its
  // probability floor is tiny), and drawing it would stretch the axis over many empty decades.
  for (const t of r.tasks) {
    const b = r.checkpoints.map((c) => c.tasks[t.id].certifiedBound);
    if (t.id !== 'rare' && b.some((v) => v !== null)) transfer.push({ name: `bound, ${t.label}`, x: eps, y: b, style: 'dashed', color: TASK_COLOR[t.id] });
  }
  const steps = r.checkpoints.map((c) => c.step);
  const epsAxis = { title: 'excess loss ε = E KL(p* ‖ p̂) (nats)', scale: 'auto' } as const;
  return {
    title: 'E2 · downstream error against excess pre-training loss along one run',
    panels: [
      { title: 'transfer probe (Theorem 1) and its certified bound', x: epsAxis, y: { title: 'held-out MSE', scale: 'auto' }, series: transfer },
      { title: 'fitted ridge probe on ĥ', x: epsAxis, y: { title: 'held-out MSE', scale: 'auto' }, series: ridge },
      {
        title: 'pre-training',
        x: { title: 'training step', scale: 'linear' },
        y: { title: 'excess loss ε (nats)', scale: 'auto' },
        series: [{ name: 'ε_t', x: steps, y: eps, style: 'line', color: 6 }],
      },
    ],
    panelWidth: 500,
    caption: `n = ${r.sizes.n}, d = ${r.sizes.d}, ${countOf(r.sizes.contexts, 'context')}, ${countOf(r.sizes.trainSteps, 'step')}, |B| = ${r.bulkSize}, seed ${r.seed}; dashed: Theorem 1(5) bound, same colour as its task (the rare word's bound is in the report)`,
  };
}

function rareWordFigure(r: RareWordSweepResult): FigureSpec {
  const L = r.rows.map((row) => row.L);
  const eps = r.rows.map((row) => row.excessLoss);
  return {
    title: 'E3 · Theorem 2: vanishing excess loss, no transfer through a rare word',
    panels: [
      {
        title: 'excess loss against L',
        x: { title: 'rare-word logit offset L', scale: 'linear' },
        y: { title: 'excess loss ε (nats)', scale: 'auto' },
        series: [
          { name: 'ε (exact)', x: L, y: eps, style: 'line', color: 0 },
          { name: 'χ² upper bound', x: L, y: r.rows.map((row) => row.chiSquareBound), style: 'dashed', color: 1 },
        ],
      },
      {
        title: 'probe error against ε',
        x: { title: 'excess loss ε (nats)', scale: 'auto' },
        y: { title: 'MSE predicting y = z from ĥ', scale: 'linear', includeZero: true },
        series: [
          { name: 'best predictor', x: eps, y: r.rows.map((row) => row.bestPredictorMse), style: 'line', color: 2 },
          { name: 'ridge probe, held out', x: eps, y: r.rows.map((row) => row.ridgeProbeMse), style: 'points', color: 3 },
        ],
        referenceLines: [{ axis: 'y', value: r.floor, label: `floor Var(z) = ${r.floor.toPrecision(3)}` }],
      },
    ],
    panelWidth: 470,
    caption: `${r.sizes.contexts} quadrature contexts, ${r.sizes.topWords} top words, seed ${r.seed}`,
  };
}

/**
 * The figure of an experiment result: E1 one panel per model with the anchor and constant-`Z` MSE
 * against `k`; E2 the held-out errors of the transfer probe (with Theorem 1's certified bound) and
 * of the ridge probe against `ε`, and `ε` against the step; E3 `ε` against `L` and the probe error against `ε` with the `1/3` floor.
 *
 * @example
 * ```ts
 * const spec = figureSpecFor(await runRareWordSweep({ seed: 1 }));
 * spec.panels.length; // 2
 * ```
 * @throws DomainError when `result` is not an experiment result (no known `kind`), or its fields
 *   are not those the experiment writes (a missing field, a non-finite value)
 */
export function figureSpecFor(result: ExperimentResult): FigureSpec {
  return figureSpecForAs('figureSpecFor', result);
}

/**
 * `figureSpecFor` on behalf of the public function `fn` (`renderFigure` draws a result through it),
 * so that errors name the function the user called. A result whose fields are not what the
 * experiment writes (a hand-edited JSON, say) is a `DomainError`, never a `TypeError` from deep
 * inside, and the spec it gives is validated, so no NaN or ±Infinity reaches a figure.
 *
 * @internal
 */
export function figureSpecForAs(fn: string, result: ExperimentResult): FigureSpec {
  const kind = (result as { kind?: unknown } | null)?.kind;
  let spec: FigureSpec;
  try {
    spec = specOfKind(fn, kind, result);
  } catch (e) {
    if (e instanceof LmTransferError) throw e;
    throw domainError(fn, 'result', `a well-formed ${String(kind)} result as the experiment returns it`, `a result whose fields do not fit (${(e as Error).message})`);
  }
  validateFigureSpec(fn, 'result', spec);
  return spec;
}

function specOfKind(fn: string, kind: unknown, result: ExperimentResult): FigureSpec {
  switch (kind) {
    case 'anchorSweep':
      return anchorSweepFigure(result as AnchorSweepResult);
    case 'transferCurve':
      return transferCurveFigure(result as TransferCurveResult);
    case 'rareWordSweep':
      return rareWordFigure(result as RareWordSweepResult);
    default:
      throw domainError(
        fn,
        'result',
        "an experiment result with kind 'anchorSweep', 'transferCurve' or 'rareWordSweep'",
        kind === undefined ? describeValue(result) : `kind ${describeValue(kind)}`,
      );
  }
}
