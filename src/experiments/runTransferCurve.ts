import { fitAnchor } from '../anchor/fitAnchor.js';
import { anchorResiduals } from '../anchor/anchorResiduals.js';
import { checkNumber, describeValue, domainError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import { logPartition } from '../softmax/index.js';
import { contrastTask, fitRidgeProbe, wordTask } from '../tasks/index.js';
import { certifiedTransferBound } from '../theory/certifiedTransferBound.js';
import type { Anchor } from '../theory/types.js';
import { excessLoss } from '../train/index.js';
import { checkPretrainingOptions, makeLearner, pretrain, selectRows, splitRows, type PretrainingOptions } from './pretrainingSetup.js';
import type { TransferCheckpoint, TransferCurveResult, TransferTaskId, TransferTaskInfo, TransferTaskPoint } from './results.js';

/** Options of {@link runTransferCurve}. */
export interface TransferCurveOptions extends PretrainingOptions {
  /** Number of checkpoints, log-spaced over the steps from 0 (before training) to `trainSteps` (default 12). */
  readonly checkpoints?: number;
  /**
   * Ridge `λ ≥ 0` of the fitted probe: adds `λ‖w‖²` to the mean squared error (the bias is not
   * penalised), the library's one ridge name and scaling (as `fitRidgeProbe`, `fitAnchor`,
   * `solveLeastSquares`; `docs/guide/conventions.md`). It was called `ridgeLambda` before the
   * library's one ridge vocabulary (same scale; CHANGELOG.md); that name is now refused, not ignored.
   *
   * @defaultValue 1e-6
   */
  readonly ridge?: number;
}

const FN = 'runTransferCurve';

/**
 * `min(count, steps + 1)` distinct steps in `[0, steps]`, 0 and `steps` included, roughly log-spaced
 * so that early training (where ε moves most) is sampled densely: the interior points are
 * `round(steps^(i/(count−1)))`, moved one step later where rounding would repeat a step.
 *
 * @example
 * ```ts
 * checkpointSteps(400, 6); // → [0, 3, 11, 36, 121, 400]
 * ```
 * @throws DomainError when `steps` is not an integer ≥ 0 or `count` not an integer ≥ 1
 */
export function checkpointSteps(steps: number, count: number): number[] {
  checkNumber('checkpointSteps', 'steps', steps, { integer: true, min: 0 });
  checkNumber('checkpointSteps', 'count', count, { integer: true, min: 1 });
  const target = Math.min(count, steps + 1);
  if (target <= 2) return steps === 0 ? [0] : [0, steps];
  const need = target - 2;
  if (steps - 1 <= need) return Array.from({ length: steps + 1 }, (_, i) => i);
  // Geometric targets steps^(i/(need+1)); where rounding makes two equal (early on), take the next step.
  const out = [0];
  for (let i = 1; i <= need; i++) {
    const v = Math.round(Math.pow(steps, i / (need + 1)));
    out.push(Math.min(Math.max(out[i - 1] + 1, v), steps - (need - i + 1)));
  }
  out.push(steps);
  return out;
}

interface TaskSpec {
  readonly info: Omit<TransferTaskInfo, 'minWordProb' | 'labelVariance'>;
  readonly words: Int32Array;
  readonly weights: Float64Array;
  readonly labels: (H: Matrix) => Float64Array;
}

/**
 * Experiment E2 (docs/theory.md#8-the-experiments): along one pre-training run, the exact excess loss `ε_t` against the
 * held-out error of three downstream tasks built on the world's words:
 * (a) a word task on three frequent words (`Σa ≠ 0`, so it needs the anchor of the bulk),
 * (b) a contrast task on two other frequent words (`Σa = 0`, no anchor),
 * (c) a task through the world's rare word with the largest component along the rare-signal
 *     direction (the situation of Theorem 2: its direction carries almost no probability).
 * The bulk is the world's long tail. At each checkpoint both models' anchors are fitted on the
 * fitting part of the evaluation contexts, and on the held-out part the run records Theorem 1's
 * fit-free transfer probe error with its certified bound (part 5) and a ridge probe fitted on `ĥ`.
 *
 * @example
 * ```ts
 * const r = runTransferCurve({ seed: 1, world: { preset: 'tiny', numFrequent: 5 }, trainSteps: 50, checkpoints: 4 });
 * const last = r.checkpoints.at(-1)!.tasks.frequent;
 * last.transferProbeMse <= last.certifiedBound; // → true
 * ```
 * @throws DomainError when an option is out of range (as for `runAnchorSweep`; `checkpoints < 2`;
 *   a negative `ridge`; the old option name `ridgeLambda`), or the world has fewer than five frequent words or no rare word
 */
export function runTransferCurve(opts: TransferCurveOptions = {}): TransferCurveResult {
  const t0 = performance.now();
  const s = checkPretrainingOptions(FN, opts);
  const { world, rng } = s;
  const nCheck = opts.checkpoints ?? 12;
  checkNumber(FN, 'opts.checkpoints', nCheck, { integer: true, min: 2 });
  // The option's old name, from before the library had one ridge vocabulary: refuse it rather than
  // fit with the default ridge while the caller believes theirs is used.
  const old = (opts as { readonly ridgeLambda?: unknown }).ridgeLambda;
  if (old !== undefined) throw domainError(FN, 'opts.ridgeLambda', "absent: it is now 'opts.ridge' (same meaning and scale)", describeValue(old));
  const ridge = opts.ridge ?? 1e-6;
  checkNumber(FN, 'opts.ridge', ridge, { min: 0 });
  if (world.frequentWords.length < 5) {
    throw domainError(FN, 'opts.world', 'a world with at least 5 frequent words', `${world.frequentWords.length}`);
  }
  if (world.rareWords.length < 1) throw domainError(FN, 'opts.world', 'a world with at least one rare word', 'none');

  const trainCtx = world.sampleContexts(s.trainContexts, rng.fork('train contexts'));
  const evalCtx = world.sampleContexts(s.evalContexts, rng.fork('eval contexts'));
  const split = splitRows(s.evalContexts, s.holdout, rng.fork('split'));
  const Xfit = selectRows(evalCtx.X, split.fit);
  const Xtest = selectRows(evalCtx.X, split.test);
  const HsFit = selectRows(evalCtx.H, split.fit);
  const HsTest = selectRows(evalCtx.H, split.test);
  const bulk = world.bulkWords;

  // The ground truth's anchor, fitted once on the fitting contexts and scored on the held-out ones.
  const fitStar = fitAnchor(world.V, HsFit, bulk);
  const anchorStar: Anchor = { anchor: fitStar.anchor, intercept: fitStar.intercept };
  const eStar = anchorResiduals(anchorStar, HsTest, logPartition(world.V, HsTest, bulk));
  const anchorMseStar = eStar.reduce((a, e) => a + e * e, 0) / eStar.length;

  // The tasks. The rare word is the one that sees the rare-signal direction most.
  const fw = world.frequentWords;
  let rare = world.rareWords[0];
  let best = -1;
  for (const w of world.rareWords) {
    let dot = 0;
    for (let j = 0; j < world.d; j++) dot += world.V.data[w * world.d + j] * world.rareDirection[j];
    if (Math.abs(dot) > best) {
      best = Math.abs(dot);
      rare = w;
    }
  }
  const mk = (id: TransferTaskId, label: string, words: number[], weights: number[]): TaskSpec => {
    const W = Int32Array.from(words);
    const a = Float64Array.from(weights);
    const sum = weights.reduce((x, y) => x + y, 0);
    const task = sum === 0 ? contrastTask(world, W, a) : wordTask(world, W, a, bulk, { anchor: anchorStar });
    return {
      info: { id, label, words, weights, weightSum: sum, weightL1: weights.reduce((x, y) => x + Math.abs(y), 0) },
      words: W,
      weights: a,
      labels: (H) => task.labels(H),
    };
  };
  const tasks: TaskSpec[] = [
    mk('frequent', '(a) frequent words', [fw[0], fw[1], fw[2]], [1, 0.5, -0.5]),
    mk('contrast', '(b) contrast', [fw[3], fw[4]], [1, -1]),
    mk('rare', '(c) rare word', [rare], [1]),
  ];
  const yFit = tasks.map((t) => t.labels(HsFit));
  const yTest = tasks.map((t) => t.labels(HsTest));

  // Task facts for the report: the smallest p*(w|s) over the evaluation contexts, and Var(y).
  const logP = world.trueLogProbs(evalCtx.H);
  const info: TransferTaskInfo[] = tasks.map((t) => {
    let minLog = Infinity;
    for (let i = 0; i < logP.rows; i++) for (const w of t.words) minLog = Math.min(minLog, logP.data[i * logP.cols + w]);
    const y = yTest[tasks.indexOf(t)];
    const mean = y.reduce((a, v) => a + v, 0) / y.length;
    const variance = y.reduce((a, v) => a + (v - mean) ** 2, 0) / y.length;
    return { ...t.info, minWordProb: Math.exp(minLog), labelVariance: variance };
  });

  const learner = makeLearner(s);
  const steps = checkpointSteps(s.trainSteps, nCheck);
  const total = s.trainSteps + steps.length;
  let done = 0;
  const checkpoints: TransferCheckpoint[] = [];

  const measure = (step: number): void => {
    const Vhat = learner.V();
    const HhFit = learner.represent(Xfit);
    const HhTest = learner.represent(Xtest);
    const fitHat = fitAnchor(Vhat, HhFit, bulk);
    const anchorHat: Anchor = { anchor: fitHat.anchor, intercept: fitHat.intercept };
    const eHat = anchorResiduals(anchorHat, HhTest, logPartition(Vhat, HhTest, bulk));
    const anchorMseHat = eHat.reduce((a, e) => a + e * e, 0) / eHat.length;
    const eps = excessLoss(world, learner, { X: Xtest, H: HsTest });
    const points = {} as Record<TransferTaskId, TransferTaskPoint>;
    tasks.forEach((t, ti) => {
      const contrast = t.info.weightSum === 0;
      const cert = certifiedTransferBound({
        truth: { V: world.V, H: HsTest },
        learned: { V: Vhat, H: HhTest },
        words: t.words,
        coefficients: t.weights,
        bulk,
        anchorStar: contrast ? null : anchorStar,
        anchorHat: contrast ? null : anchorHat,
      });
      const probe = fitRidgeProbe(HhFit, yFit[ti], { ridge });
      const bound = cert.expectedSquaredBound;
      points[t.info.id] = {
        transferProbeMse: cert.meanSquaredError,
        ridgeProbeMse: probe.mse(HhTest, yTest[ti]),
        certifiedBound: bound,
        boundRatio: bound > 0 ? cert.meanSquaredError / bound : null,
      };
    });
    checkpoints.push({ step, excessLoss: eps, anchorMseHat, tasks: points });
    done++;
    opts.onProgress?.({ done, total, detail: `step ${step}, ε ${eps.toExponential(2)}` });
  };

  if (steps[0] === 0) measure(0);
  const at = new Set(steps);
  pretrain(s, learner, world, trainCtx, rng, (step) => {
      done++;
      if (at.has(step)) measure(step);
      else if (step % 10 === 0) opts.onProgress?.({ done, total, detail: `step ${step}` });
  });

  return {
    kind: 'transferCurve',
    seed: rng.seed,
    seconds: (performance.now() - t0) / 1000,
    sizes: { n: world.n, d: world.d, contexts: s.evalContexts, trainSteps: s.trainSteps, checkpoints: checkpoints.length },
    anchorMseStar,
    bulkSize: bulk.length,
    tasks: info,
    checkpoints,
  };
}
