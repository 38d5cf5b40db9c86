import type { DType } from '../core/matrix.js';
import type { ContextRoles } from './contextRoles.js';

/**
 * The JSON-ready results of the three experiments (docs/theory.md#8-the-experiments). Every field is a number, a string,
 * an array or `null`, so `JSON.stringify` writes them as they are and `JSON.parse` gives them back.
 */

/** How long an experiment took and with which seed and sizes it ran. */
export interface RunInfo {
  /** The seed the experiment's random stream was created from. */
  readonly seed: string;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

/** One anchor fit on one bulk, summarised. */
export interface AnchorFitSummary {
  /** Anchor MSE `E_s e(s)²`. */
  readonly anchorMse: number;
  /** Self-normalisation baseline: the best constant fit, `Var(log Z_B)`. */
  readonly baselineMse: number;
  /** `anchorMse / baselineMse`: below 1 the anchor explains what a constant partition function cannot. */
  readonly ratio: number;
  /** `1 − anchorMse / baselineMse` on the same contexts. */
  readonly r2: number;
  /** `max_s |e(s)|`, the empirical `δ`. */
  readonly maxAbsResidual: number;
}

/** One row of E1: `k` excluded top words. */
export interface AnchorSweepRow {
  readonly k: number;
  /** `|B| = n − k`. */
  readonly bulkSize: number;
  readonly inSample: AnchorFitSummary;
  readonly heldOut: AnchorFitSummary;
}

/** E1 on one model. */
export interface AnchorSweepModel {
  /** Which model: the ground truth, the learner at initialisation, the learner after pre-training. */
  readonly model: string;
  /** Its excess loss `ε` against the ground truth (0 for the ground truth itself). */
  readonly excessLoss: number;
  readonly rows: readonly AnchorSweepRow[];
}

/** E1: anchor MSE and the self-normalisation baseline against the number of excluded top words. */
export interface AnchorSweepResult extends RunInfo {
  readonly kind: 'anchorSweep';
  readonly sizes: { readonly n: number; readonly d: number; readonly contexts: number; readonly holdout: number; readonly trainSteps: number };
  /** The storage precision of the learner (`createLearner`'s `dtype`); the measurements are float64 either way. */
  readonly learner: { readonly dtype: DType };
  /**
   * Which evaluation contexts ranked the words, fitted the anchors and were scored, with the same
   * fields and words as `lmtransfer anchor --json`'s `contexts`. The split is the same for the three
   * models; the learner is pre-trained on a separate sample of contexts.
   */
  readonly contexts: ContextRoles;
  readonly models: readonly AnchorSweepModel[];
}

/** The three tasks of E2. */
export type TransferTaskId = 'frequent' | 'contrast' | 'rare';

/** A task of E2 as the report describes it. */
export interface TransferTaskInfo {
  readonly id: TransferTaskId;
  readonly label: string;
  readonly words: readonly number[];
  readonly weights: readonly number[];
  /** `A = Σ a_w`: 0 for the contrast task, which then needs no anchor. */
  readonly weightSum: number;
  /** `‖a‖₁`. */
  readonly weightL1: number;
  /** `min_s min_{w∈T} p*(w|s)` on the evaluation contexts: small for the rare word. */
  readonly minWordProb: number;
  /** `Var(y)` on the evaluation contexts: the error of the best constant predictor. */
  readonly labelVariance: number;
}

/** One task at one checkpoint of E2 (errors are held-out mean squared errors). */
export interface TransferTaskPoint {
  /** Error of Theorem 1's fit-free transfer probe `ŷ = ⟨û, ĥ⟩ + A(c* − ĉ)`. */
  readonly transferProbeMse: number;
  /** Error of the ridge probe fitted on `ĥ` of the train split. */
  readonly ridgeProbeMse: number;
  /** Theorem 1 part 5 (certified) on the same contexts, `E_s[(‖a‖₁ D̄(s) + |A|(|ê|+|e*|))²]`; `null` where it was not computed. */
  readonly certifiedBound: number | null;
  /** `transferProbeMse / certifiedBound`, at most 1 when the theorem holds. */
  readonly boundRatio: number | null;
}

/** One checkpoint along the pre-training run. */
export interface TransferCheckpoint {
  readonly step: number;
  /** Exact `ε_t = E_s KL(p*‖p̂)` on the evaluation contexts. */
  readonly excessLoss: number;
  /** Anchor MSE of the learned model on the bulk (held-out contexts). */
  readonly anchorMseHat: number;
  readonly tasks: Readonly<Record<TransferTaskId, TransferTaskPoint>>;
}

/** E2: transfer along one pre-training run. */
export interface TransferCurveResult extends RunInfo {
  readonly kind: 'transferCurve';
  readonly sizes: { readonly n: number; readonly d: number; readonly contexts: number; readonly trainSteps: number; readonly checkpoints: number };
  /** Anchor MSE of the ground truth on the bulk, `E_s e*(s)²`. */
  readonly anchorMseStar: number;
  readonly bulkSize: number;
  readonly tasks: readonly TransferTaskInfo[];
  readonly checkpoints: readonly TransferCheckpoint[];
}

/** One `L` of E3: the first five fields are `rareWordConstruction(L, …)`'s, the probe is E3's own. */
export interface RareWordRow {
  readonly L: number;
  /** Exact `ε = E_s KL(p*‖p̂)` over the Gauss–Legendre contexts (the construction's `epsilon`). */
  readonly excessLoss: number;
  /** The χ² upper bound `E_s χ²(p*‖p̂) ≥ ε` (the construction's `expectedChi2`). */
  readonly chiSquareBound: number;
  /**
   * `max_s p*(r|s)`, the rare word's largest true probability (the construction's
   * `maxRareProbability`), at most `e^{1−L}` since `p̂(r|s) ≤ e^{−L}` and `z ≤ 1`.
   */
  readonly rareWordProb: number;
  /** Error of the best predictor of `y = z` from `ĥ` (the construction's `floor`: `Var(z) = 1/3` to rounding). */
  readonly bestPredictorMse: number;
  /** Held-out (grid-weighted) error of a ridge probe fitted on `ĥ` on a seeded split of the contexts. */
  readonly ridgeProbeMse: number;
}

/** E3: Theorem 2's rare-word instance, `L` against `ε` and the error floor. */
export interface RareWordSweepResult extends RunInfo {
  readonly kind: 'rareWordSweep';
  readonly sizes: { readonly contexts: number; readonly topWords: number };
  /** The theoretical floor `Var(z) = 1/3` for `z ~ U[−1, 1]`. */
  readonly floor: number;
  readonly rows: readonly RareWordRow[];
  /** The smallest `L` found with `ε ≤ epsilonTarget`, and the error there. */
  readonly target: { readonly epsilonTarget: number; readonly L: number; readonly excessLoss: number; readonly bestPredictorMse: number };
}

/** Any experiment result. */
export type ExperimentResult = AnchorSweepResult | TransferCurveResult | RareWordSweepResult;

/** What `lmtransfer reproduce` writes to `results.json`: every experiment that ran, and how it was run. */
export interface ReproduceResults {
  /** Layout version of this file, increased when a field changes meaning. */
  readonly formatVersion: 1;
  readonly seed: string;
  /** Whether the small `--quick` sizes were used. */
  readonly quick: boolean;
  /** Wall-clock seconds of the whole run. */
  readonly seconds: number;
  readonly anchorSweep?: AnchorSweepResult;
  readonly transferCurve?: TransferCurveResult;
  readonly rareWordSweep?: RareWordSweepResult;
}
