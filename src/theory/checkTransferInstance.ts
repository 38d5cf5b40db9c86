/**
 * Validation of a {@link TransferInstance} and of the theorems' options, once, in the name of the
 * public function that was called (not a kernel: the kernels in `transferKernel.ts` and
 * `contextStatsKernel.ts` assume checked inputs).
 *
 * @internal
 */
import type { Matrix } from '../core/matrix.js';
import {
  checkFiniteArray,
  checkFiniteMatrix,
  checkFloatVector,
  checkNonEmptyMatrix,
  checkNumber,
  checkOptions,
  checkWordIndices,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../core/check.js';
import { CONTRAST_TOLERANCE, weightSums } from '../tasks/taskDirection.js';
import { checkAnchor } from '../tasks/taskAnchor.js';
import type { Anchor, TransferInstance } from './types.js';

/** Validated, normalised inputs. */
export interface CheckedTransfer {
  /** The public function that validated them (named in later errors). */
  readonly fn: string;
  readonly Vs: Matrix;
  readonly Hs: Matrix;
  readonly Vh: Matrix;
  readonly Hh: Matrix;
  readonly words: Int32Array;
  readonly a: Float64Array;
  readonly bulk: Int32Array;
  readonly anchorStar: Anchor | null;
  readonly anchorHat: Anchor | null;
  /** Context weights normalised to sum 1. */
  readonly mu: Float64Array;
  readonly l1: number;
  readonly sum: number;
  readonly contrast: boolean;
}

function checkModel(fn: string, name: string, model: unknown): asserts model is { V: Matrix; H: Matrix } {
  if (model === null || typeof model !== 'object') throw domainError(fn, name, 'an object { V, H }', describeValue(model));
  const o = model as { V?: unknown; H?: unknown };
  checkNonEmptyMatrix(fn, `${name}.V`, o.V);
  checkFiniteMatrix(fn, `${name}.V`, o.V);
  checkNonEmptyMatrix(fn, `${name}.H`, o.H);
  checkFiniteMatrix(fn, `${name}.H`, o.H);
  if (o.H.cols !== o.V.cols) {
    throw shapeError(fn, `${name}.H`, `a matrix with ${o.V.cols} columns (${name}.V.cols)`, shapeOf(o.H));
  }
}

/** Validate a transfer instance in the name of `fn`. */
export function checkTransferInstance(fn: string, instance: unknown): CheckedTransfer {
  if (instance === null || typeof instance !== 'object') {
    throw domainError(fn, 'instance', 'an object { truth, learned, words, coefficients, bulk, anchorStar, anchorHat, weights? }', describeValue(instance));
  }
  const t = instance as Partial<TransferInstance>;
  // The fields were renamed (task `weights` → `coefficients`, `contextWeights` → `weights`): an
  // instance in the old vocabulary would otherwise be read with its task coefficients as context
  // weights, so it is refused with the migration spelled out.
  if ('contextWeights' in t) {
    throw domainError(fn, 'instance.contextWeights', 'absent: the context weights are now instance.weights (and the task coefficients instance.coefficients)', 'a contextWeights field');
  }
  if (t.coefficients === undefined && t.weights !== undefined && t.words !== undefined && t.weights.length === t.words.length) {
    throw domainError(fn, 'instance.coefficients', 'the task coefficients (renamed from instance.weights, which now holds optional context weights)', 'undefined, with a weights field of one entry per task word');
  }
  checkModel(fn, 'instance.truth', t.truth);
  checkModel(fn, 'instance.learned', t.learned);
  const Vs = t.truth.V;
  const Hs = t.truth.H;
  const Vh = t.learned.V;
  const Hh = t.learned.H;
  const n = Vs.rows;
  const m = Hs.rows;
  if (Vh.rows !== n) throw shapeError(fn, 'instance.learned.V', `a matrix with ${n} rows (one per word, as instance.truth.V)`, shapeOf(Vh));
  if (Hh.rows !== m) throw shapeError(fn, 'instance.learned.H', `a matrix with ${m} rows (the same contexts as instance.truth.H)`, shapeOf(Hh));
  checkWordIndices(fn, 'instance.words', t.words, n, { nonEmpty: true, unique: true });
  checkFloatVector(fn, 'instance.coefficients', t.coefficients, t.words.length, 'one coefficient per task word');
  checkFiniteArray(fn, 'instance.coefficients', t.coefficients);
  checkWordIndices(fn, 'instance.bulk', t.bulk, n, { nonEmpty: true, unique: true });
  const inT = new Uint8Array(n);
  for (let j = 0; j < t.words.length; j++) inT[t.words[j]] = 1;
  for (let j = 0; j < t.bulk.length; j++) {
    if (inT[t.bulk[j]]) throw domainError(fn, 'instance.bulk', 'disjoint from instance.words (Theorem 1 needs T ∩ B = ∅)', `word ${t.bulk[j]} in both`);
  }
  const { l1, sum, contrast } = weightSums(t.coefficients);
  const anchorStar = t.anchorStar ?? null;
  const anchorHat = t.anchorHat ?? null;
  if (anchorStar === null || anchorHat === null) {
    if (!contrast) {
      throw domainError(
        fn,
        anchorStar === null ? 'instance.anchorStar' : 'instance.anchorHat',
        `an anchor { anchor, intercept } (only a contrast task, |Σ a| ≤ ${CONTRAST_TOLERANCE}·‖a‖₁, may omit anchors)`,
        `null with Σ a = ${sum}`,
      );
    }
  }
  if (anchorStar !== null) checkAnchor(fn, 'instance.anchorStar', anchorStar, Vs.cols);
  if (anchorHat !== null) checkAnchor(fn, 'instance.anchorHat', anchorHat, Vh.cols);
  const mu = new Float64Array(m);
  if (t.weights === undefined) {
    mu.fill(1 / m);
  } else {
    checkFloatVector(fn, 'instance.weights', t.weights, m, 'one weight per context');
    let total = 0;
    for (let i = 0; i < m; i++) {
      const w = t.weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw domainError(fn, 'instance.weights', 'finite and ≥ 0', `${describeValue(w)} at [${i}]`);
      total += w;
    }
    if (!(total > 0)) throw domainError(fn, 'instance.weights', 'weights with a positive sum', `sum ${total}`);
    for (let i = 0; i < m; i++) mu[i] = t.weights[i] / total;
  }
  return {
    fn,
    Vs,
    Hs,
    Vh,
    Hh,
    words: t.words,
    a: Float64Array.from(t.coefficients),
    bulk: t.bulk,
    anchorStar: contrast ? null : anchorStar,
    anchorHat: contrast ? null : anchorHat,
    mu,
    l1,
    sum: contrast ? 0 : sum,
    contrast,
  };
}

/** Check the `gamma` option shared by the public functions. */
export function checkGammaOption(fn: string, opts: unknown): number | undefined {
  checkOptions(fn, 'opts', opts);
  const g = (opts as { gamma?: unknown } | undefined)?.gamma;
  if (g === undefined) return undefined;
  checkNumber(fn, 'opts.gamma', g, { min: 0, max: 1, minExclusive: true });
  return g;
}

