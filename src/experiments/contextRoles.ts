import type { AnchorSweepFits } from '../anchor/anchorSweep.js';

/**
 * Which contexts of an anchor sweep were used for what, as `lmtransfer anchor --json` and E1 record
 * it (the held-out protocol of docs/theory.md#3-the-anchor-vector: everything chosen or fitted from
 * data uses the training part only).
 */
export interface ContextRoles {
  /** Number of contexts `m`. */
  readonly total: number;
  /** Number of training contexts (they ranked the words and fitted every anchor). */
  readonly training: number;
  /** Number of held-out contexts (only scored). */
  readonly heldOut: number;
  /** In words: the contexts that ranked the words, fitted the anchors, and were scored. */
  readonly usedFor: { readonly ranking: string; readonly fitting: string; readonly scoring: string };
  /** How the split was drawn; `null` without a held-out part. */
  readonly split: { readonly method: string; readonly seed: string | number } | null;
  /** The held-out context indices, ascending (the training ones are the rest). */
  readonly heldOutIndices: readonly number[];
}

/**
 * The JSON-ready record of an `anchorSweep`'s context roles (`sweep.contexts`), the split having
 * been drawn with `seed`. One function for the CLI and E1, so that both write the same fields with
 * the same words.
 *
 * @internal
 * @example
 * ```ts
 * const V = fromRows([[2, 0], [0, 1], [1, 1], [0, 0]]);
 * const H = fromRows([[1, 0], [0, 1], [1, 1], [0.5, 0.2], [0.1, 0.9], [0.3, 0.3], [0.2, 0.7], [0.9, 0.4]]);
 * const roles = contextRoles(anchorSweep(V, H, [0, 1], { holdout: 0.25, seed: 's' }).contexts, 's');
 * roles.heldOut;          // returns 2
 * roles.usedFor.ranking;  // returns 'training contexts only'
 * ```
 */
export function contextRoles(contexts: AnchorSweepFits['contexts'], seed: string | number): ContextRoles {
  const held = contexts.heldOut.length;
  return {
    total: contexts.total,
    training: contexts.training.length,
    heldOut: held,
    usedFor: {
      ranking: contexts.ranking === 'training' ? 'training contexts only' : 'no ranking (no k > 0)',
      fitting: 'training contexts only',
      scoring:
        held > 0
          ? 'in sample: training contexts; heldOut: held-out contexts, with the training fit and the training mean of log Z_B as the constant baseline'
          : 'training contexts (all of them)',
    },
    split: held > 0 ? { method: 'seeded Fisher–Yates shuffle (createRng(seed)); the first round(holdout·m) indices are held out', seed } : null,
    heldOutIndices: Array.from(contexts.heldOut),
  };
}
