import { checkNumber, describeValue, domainError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { excessLoss } from '../train/index.js';
import { type ContextRoles, contextRoles } from './contextRoles.js';
import { checkPretrainingOptions, makeLearner, pretrain, type PretrainingOptions } from './pretrainingSetup.js';
import { isArrayValue } from './progressTypes.js';
import type { AnchorSweepModel, AnchorSweepResult } from './results.js';
import { sweepModelAnchors } from './sweepModelAnchors.js';

/** Options of {@link runAnchorSweep}. */
export interface AnchorSweepOptions extends PretrainingOptions {
  /** Numbers of excluded top words (default `0, 5, 10, 20, 50, 100, 200`); each `< n`. */
  readonly ks?: readonly number[];
}

const FN = 'runAnchorSweep';

/**
 * Experiment E1 (docs/theory.md#8-the-experiments; the paper's Figure 1a): how well an anchor vector fits the log
 * partition function of the bulk, against the self-normalisation baseline (a constant), as the `k`
 * words with the highest mean probability are excluded from the bulk. It runs on three models of the
 * same seeded world: the ground truth `M*`, the learner at initialisation, and the learner after
 * pre-training (Adam on the full distributions `p*(·|s)` of the training contexts). For each model
 * and `k`, the bulk is that model's own complement of its top `k` words: `anchorSweep` splits the
 * evaluation contexts by a seeded shuffle, ranks the words and fits every anchor on the training
 * part only, and scores the held-out part (the constant baseline centred on the training mean).
 * The result records that split (`contexts`: which evaluation contexts ranked, fitted and were
 * scored, the fields of `lmtransfer anchor --json`) and the learner's storage precision
 * (`learner.dtype`).
 *
 * @example
 * ```ts
 * const r = runAnchorSweep({ seed: 1, world: { preset: 'tiny' }, ks: [0, 4], trainSteps: 50 });
 * r.models[2].rows[0].heldOut.ratio; // anchor MSE / constant-Z MSE after pre-training, well below 1
 * ```
 * @throws DomainError when an option is out of range (a `k` that is negative, not an integer or
 *   `≥ n`; sizes below their minimum; a batch larger than the training contexts)
 */
export function runAnchorSweep(opts: AnchorSweepOptions = {}): AnchorSweepResult {
  const t0 = performance.now();
  const s = checkPretrainingOptions(FN, opts);
  const { world, rng } = s;
  const ks = opts.ks ?? [0, 5, 10, 20, 50, 100, 200];
  if (!isArrayValue(ks) || ks.length === 0) throw domainError(FN, 'opts.ks', 'a non-empty array of integers', describeValue(ks));
  ks.forEach((k, i) => checkNumber(FN, `opts.ks[${i}]`, k, { integer: true, min: 0, max: world.n - 1 }));

  const trainCtx = world.sampleContexts(s.trainContexts, rng.fork('train contexts'));
  const evalCtx = world.sampleContexts(s.evalContexts, rng.fork('eval contexts'));
  const learner = makeLearner(s);
  const total = s.trainSteps + 3 * ks.length;
  let done = 0;
  const tick = (detail: string): void => {
    done++;
    s.onProgress?.({ done, total, detail });
  };

  // One library sweep per model: the words ranked and every anchor fitted on the training part of
  // the evaluation contexts only, two passes over V·H for all k, scored on the held-out part. The
  // split is the same for the three models (same m, holdout and seed), recorded once.
  const splitSeed = rng.fork('holdout').seed;
  let contexts: ContextRoles | null = null;
  const sweep = (model: string, V: Matrix, H: Matrix, eps: number): AnchorSweepModel => {
    const { rows, sweep: res } = sweepModelAnchors(FN, V, H, ks, s.holdout, splitSeed);
    contexts ??= contextRoles(res.contexts, splitSeed);
    for (const k of ks) tick(`${model}, k=${k}`);
    return { model, excessLoss: eps, rows };
  };

  const models: AnchorSweepModel[] = [];
  models.push(sweep('ground truth M*', world.V, evalCtx.H, 0));
  models.push(sweep('learner at initialisation', learner.V(), learner.represent(evalCtx.X), excessLoss(world, learner, evalCtx)));
  pretrain(s, learner, world, trainCtx, rng, (step, m) => {
      if (step % 10 === 0 || step === s.trainSteps) {
        done = step + ks.length * 2 - 1;
        tick(`pre-training step ${step}, batch ε ${m.batchExcessLoss?.toExponential(2) ?? '?'}`);
      }
  });
  done = s.trainSteps + 2 * ks.length;
  models.push(sweep('learner after pre-training', learner.V(), learner.represent(evalCtx.X), excessLoss(world, learner, evalCtx)));

  return {
    kind: 'anchorSweep',
    seed: rng.seed,
    seconds: (performance.now() - t0) / 1000,
    sizes: { n: world.n, d: world.d, contexts: s.evalContexts, holdout: s.holdout, trainSteps: s.trainSteps },
    learner: { dtype: s.dtype },
    contexts: contexts!,
    models,
  };
}
