import { anchorSweep, type AnchorSweepFits } from '../anchor/anchorSweep.js';
import { domainError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import type { AnchorFitSummary, AnchorSweepRow } from './results.js';

function summary(mse: number, baseline: number, r2: number, maxAbs: number): AnchorFitSummary {
  // A constant log Z_B (baseline 0) is fitted exactly by both; the ratio is then 0 by convention.
  return { anchorMse: mse, baselineMse: baseline, ratio: baseline > 0 ? mse / baseline : 0, r2, maxAbsResidual: maxAbs };
}

/**
 * E1 on one model (docs/theory.md#8-the-experiments): one library `anchorSweep` of the model's
 * embeddings `V` over the hidden states `H` of the evaluation contexts, split by `(holdout, seed)`.
 * The words are ranked and every anchor fitted on the training part only; the rows summarise the
 * fits in sample and on the held-out part. `sweep` is the library result itself (the fitted
 * anchors, the excluded words, which contexts did what), for the record and for tests of the
 * held-out protocol. `fn` names the experiment in the error raised when the split leaves no
 * held-out context.
 *
 * @internal
 * @example
 * ```ts
 * const V = fromRows([[2, 0], [0, 1], [1, 1], [0, 0]]);
 * const H = fromRows([[1, 0], [0, 1], [1, 1], [0.5, 0.2], [0.1, 0.9], [0.3, 0.3], [0.2, 0.7], [0.9, 0.4]]);
 * const { rows, sweep } = sweepModelAnchors('E1', V, H, [0, 1], 0.25, 's');
 * rows[1].bulkSize;                  // returns 3
 * sweep.bulks[1].excludedWords;      // the word of highest mean probability on the 6 training contexts
 * ```
 */
export function sweepModelAnchors(
  fn: string,
  V: Matrix,
  H: Matrix,
  ks: readonly number[],
  holdout: number,
  seed: string,
): { rows: AnchorSweepRow[]; sweep: AnchorSweepFits } {
  const sweep = anchorSweep(V, H, ks, { holdout, seed });
  const rows = sweep.bulks.map((b, j): AnchorSweepRow => {
    const fit = b.fit;
    const held = fit.heldOut;
    if (!held) throw domainError(fn, 'opts.holdout', 'a fraction that leaves held-out contexts', String(holdout));
    return {
      k: ks[j],
      bulkSize: b.bulkSize,
      inSample: summary(fit.mse, fit.selfNormalizationMse, fit.r2, fit.maxAbsResidual),
      heldOut: summary(held.mse, held.selfNormalizationMse, held.r2, held.maxAbsResidual),
    };
  });
  return { rows, sweep };
}
