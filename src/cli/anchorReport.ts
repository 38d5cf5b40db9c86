/**
 * Output of `lmtransfer anchor`: the readable table (the anchor fit beside the self-normalisation
 * baseline, in sample and held out) and the JSON document.
 */
import type { AnchorFit, AnchorStatsFit } from '../anchor/types.js';
import { countOf } from './flags.js';

/** One row of the report: a bulk and its fit. */
export interface AnchorRow {
  /** `k=10`, `z[:,0]`, … */
  label: string;
  /** Excluded top words (when the bulk came from `--exclude-top`). */
  excludeTop?: number;
  /** Words excluded per context (when the bulk came from `--exclude-top-per-context`). */
  perContextTop?: number;
  /** `|B|` (unknown with `--log-partition`). */
  bulkSize?: number;
  fit: AnchorFit | AnchorStatsFit;
}

/** Numbers for people: 4 significant digits, exponent form when very large or small. */
export function fmt(x: number | undefined): string {
  if (x === undefined) return '—';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

function norm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** The table, one row per bulk, then notes on reading it. */
export function renderAnchorTable(rows: readonly AnchorRow[], dim: number): string {
  const hasHeld = rows.some((r) => 'heldOut' in r.fit && r.fit.heldOut);
  const head = ['bulk', '|B|', 'rank', 'cond', '‖v0‖', 'c', 'RMSE', 'self-norm RMSE', 'R²', 'max|e|'];
  if (hasHeld) head.push('│', 'held-out RMSE', 'self-norm RMSE', 'R²', 'max|e|');
  const body = rows.map((r) => {
    const f = r.fit;
    const cells = [
      r.label,
      r.bulkSize === undefined ? '—' : String(r.bulkSize),
      `${f.rank}/${dim + 1}`,
      fmt(f.conditionNumber),
      fmt(norm(f.anchor)),
      fmt(f.intercept),
      fmt(f.rmse),
      fmt(Math.sqrt(f.selfNormalizationMse)),
      fmt(f.r2),
      fmt('maxAbsResidual' in f ? f.maxAbsResidual : undefined),
    ];
    if (hasHeld) {
      const h = 'heldOut' in f ? f.heldOut : undefined;
      cells.push('│', fmt(h?.rmse), fmt(h ? Math.sqrt(h.selfNormalizationMse) : undefined), fmt(h?.r2), fmt(h?.maxAbsResidual));
    }
    return cells;
  });
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((c) => c[j].length)));
  const line = (cells: string[]): string => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  const out = [line(head), ...body.map(line)];
  out.push('');
  out.push('RMSE: root mean squared residual of log Z_B(s) ≈ ⟨v0, h(s)⟩ + c (the anchor fit); self-norm RMSE: of the best');
  out.push('constant (the self-normalisation assumption that log Z_B is the same for every context), i.e. the standard');
  out.push('deviation of log Z_B; R² = 1 − MSE/self-norm MSE; max|e| the largest |residual| (the empirical δ).');
  out.push('cond: √(λ_max/λ_min) of the centred covariance of h over the identified directions only (a null direction, as');
  out.push('after a final layer norm, is left out; it is counted in rank instead).');
  if (hasHeld) {
    out.push(
      'Held out: the anchor and the constant (the training mean of log Z_B) fitted on the training contexts, which alone',
      'also ranked the words, scored on the held-out ones.',
    );
  }
  if (rows.some((r) => r.perContextTop !== undefined)) {
    out.push(
      "Rows 'per context' drop each context's own k most likely words, so their bulk changes with s: Theorem 1 needs a",
      'bulk fixed across contexts (--exclude-top) and does not apply to them (docs/theory.md#3-the-anchor-vector); they describe the tail mass only.',
    );
  }
  const deficient = rows.filter((r) => r.fit.rank <= dim);
  if (deficient.length > 0) {
    const f = deficient[0].fit;
    const missing = dim + 1 - f.rank;
    if (missing === 1) {
      out.push(
        `Rank ${f.rank} of ${dim + 1}: every h lies in one hyperplane ⟨g, h⟩ = b (a final layer norm such as GPT-2's ln_f does this),`,
        'so the anchor is unique only up to (v0 + t·g, c − t·b). Shown is the minimum-norm anchor (or the ridge one with --ridge);',
        'RMSE, R² and max|e| do not depend on that choice. --json gives g (unidentifiedDirection) and b (unidentifiedOffset).',
      );
    } else {
      // Several null directions: the contexts span an affine subspace of dimension rank − 1 < d, for
      // example when the hidden states come from fewer features than d or from too few contexts.
      out.push(
        `Rank ${f.rank} of ${dim + 1}: the h(s) span only a ${f.rank - 1}-dimensional affine subspace of R^${dim} (${countOf(missing, 'direction')}`,
        'along which no context varies: too few contexts, or representations of lower rank than d, plus a layer norm if any),',
        'so the anchor is unique only up to those directions. Shown is the minimum-norm anchor (or the ridge one with --ridge);',
        'RMSE, R² and max|e| do not depend on that choice. --json gives one such direction g (unidentifiedDirection).',
      );
    }
  }
  return out.join('\n') + '\n';
}

/** A JSON-safe copy of a fit: typed arrays as arrays, non-finite numbers as strings. */
export function fitToJSON(f: AnchorFit | AnchorStatsFit): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) {
    if (v instanceof Float64Array) out[k] = Array.from(v);
    else if (typeof v === 'number' && !Number.isFinite(v)) out[k] = String(v);
    else if (v !== null && typeof v === 'object') out[k] = fitToJSON(v as AnchorFit);
    else out[k] = v;
  }
  return out;
}
