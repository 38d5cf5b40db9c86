import { FormatError } from '../core/errors.js';
import { checkAllocatable, checkFiniteResult, checkFiniteMatrix, checkMatrix, checkNonEmptyMatrix, checkOptions, checkPositiveInt, checkWordIndices, describeValue, domainError, shapeError, shapeOf } from '../core/check.js';
import type { FloatArray, Matrix } from '../core/matrix.js';
import { type AnchorStats, chunkStats, emptyStats, mergeStatsInto, solveStats } from './anchorStatsKernel.js';
import { ANCHOR_INFINITE_FIELDS, ANCHOR_RESCALE_ADVICE, bulkLogPartitionChecked, checkLogPartitionValues, checkSolveOptions, checkWeights } from './fitAnchorKernel.js';
import type { AnchorSolveOptions, AnchorStatsFit } from './types.js';
import { countOf } from '../core/countOf.js';

/** The JSON form of an `AnchorAccumulator` (`toJSON()` / `AnchorAccumulator.fromJSON`). */
export interface AnchorAccumulatorJSON {
  format: 'lmtransfer.anchorAccumulator';
  version: 1;
  /** The dimension `d`. */
  dim: number;
  /** Contexts added. */
  count: number;
  /** `W = Σ μ`. */
  weight: number;
  /** Whether some `H` was float32 (sets the default rank tolerance). */
  float32Hidden: boolean;
  /** `h̄` (length `d`). */
  meanHidden: number[];
  /** `ζ̄`. */
  meanLogPartition: number;
  /** Upper triangle of `Σ μ (h − h̄)(h − h̄)ᵀ`, row by row (`d(d+1)/2` numbers). */
  comomentHidden: number[];
  /** `Σ μ (h − h̄)(ζ − ζ̄)` (length `d`). */
  comomentCross: number[];
  /** `Σ μ (ζ − ζ̄)²`. */
  comomentLogPartition: number;
}

/** Options of `AnchorAccumulator.add` and `addLogPartition`. */
export interface AnchorAddOptions {
  /** Context weights for this chunk (length `H.rows`, finite, non-negative); default all 1. */
  weights?: Float64Array | Float32Array;
}

/**
 * Streaming, mergeable anchor fit (docs/theory.md#3-the-anchor-vector): it keeps the weighted sufficient statistics of
 * `(h(s), ζ(s) = log Z_B(s))` — in centred form (means and co-moments, merged exactly by Chan,
 * Golub and LeVeque's pairwise formulas), which carry the same information as `Σ μ hhᵀ, Σ μ hζ,
 * Σ μ ζ, Σ μ ζ², Σ μ` but lose less to cancellation. Chunks of contexts can be added one at a
 * time, accumulators built on other workers or machines merged (through `toJSON`/`fromJSON`), and
 * the fit of the merged accumulator equals the fit of one pass over all the contexts up to
 * rounding (the tests check a relative difference ≤ 1e-10).
 *
 * Memory is `d²` float64 (4.7 MB for d = 768) whatever the number of contexts. The statistics
 * cannot give the maximum residual, so `fit()` has no `maxAbsResidual`; get it with a second pass
 * through `anchorResiduals`. Uniform weights are 1 per context, so shards merge as one pass.
 *
 * @example
 * ```ts
 * const bulk = bulkExcludingTop(V, Hall, 100);   // decide B once, on all contexts
 * const a = new AnchorAccumulator(V.cols).add(V, H1, bulk);
 * const b = new AnchorAccumulator(V.cols).add(V, H2, bulk);
 * const fit = AnchorAccumulator.fromJSON(JSON.stringify(a)).merge(b).fit();
 * ```
 */
export class AnchorAccumulator {
  /** The dimension `d` of the representations. */
  readonly dim: number;
  private stats: AnchorStats;

  /**
   * An empty accumulator for representations of dimension `dim`.
   *
   * @throws DomainError when `dim` is not a positive integer, or the `dim × dim` co-moment matrix
   *   cannot be allocated (more than 4 GiB: `dim` above 23,170).
   */
  constructor(dim: number) {
    checkPositiveInt('AnchorAccumulator', 'dim', dim);
    checkAllocatable('AnchorAccumulator', 'dim', dim * dim, 8, `dim·dim = ${dim}·${dim}`);
    this.dim = dim;
    this.stats = emptyStats(dim);
  }

  /** Number of contexts added so far. */
  get count(): number {
    return this.stats.count;
  }

  /** Sum of the weights added so far. */
  get weight(): number {
    return this.stats.weight;
  }

  /**
   * Add a chunk of contexts: `ζ = logPartition(V, H, bulk)` and their statistics. Use the same
   * `bulk` for every chunk (the fit assumes one fixed `B`).
   *
   * @throws ShapeError when `V` is empty, `H.cols !== dim` or `V.cols !== dim`, or `bulk` is empty.
   * @throws DomainError when an entry is not finite, `bulk` is invalid, or the weights are invalid.
   * @throws NumericalError when a logit overflows.
   */
  add(V: Matrix, H: Matrix, bulk: Int32Array, opts?: AnchorAddOptions): this {
    const fn = 'AnchorAccumulator.add';
    checkNonEmptyMatrix(fn, 'V', V);
    checkMatrix(fn, 'H', H);
    if (V.cols !== this.dim) throw shapeError(fn, 'V', `a matrix with ${countOf(this.dim, 'column')} (the accumulator's dim)`, shapeOf(V));
    if (H.cols !== this.dim) throw shapeError(fn, 'H', `a matrix with ${countOf(this.dim, 'column')} (the accumulator's dim)`, shapeOf(H));
    checkWordIndices(fn, 'bulk', bulk, V.rows, { nonEmpty: true, unique: true });
    const weights = this.checkAddOptions(fn, opts, H.rows);
    checkFiniteMatrix(fn, 'V', V);
    checkFiniteMatrix(fn, 'H', H);
    if (H.rows === 0) return this;
    this.addChecked(H, bulkLogPartitionChecked(fn, V, H, bulk), weights);
    return this;
  }

  /**
   * Add a chunk of contexts with `ζ = log Z_B(s)` computed elsewhere.
   *
   * @throws ShapeError when `H.cols !== dim` or `zeta` / `weights` do not have `H.rows` entries.
   * @throws DomainError when a value is not finite or the weights are invalid.
   */
  addLogPartition(H: Matrix, zeta: FloatArray, opts?: AnchorAddOptions): this {
    const fn = 'AnchorAccumulator.addLogPartition';
    checkMatrix(fn, 'H', H);
    if (H.cols !== this.dim) throw shapeError(fn, 'H', `a matrix with ${countOf(this.dim, 'column')} (the accumulator's dim)`, shapeOf(H));
    checkLogPartitionValues(fn, 'zeta', zeta, H.rows);
    const weights = this.checkAddOptions(fn, opts, H.rows);
    checkFiniteMatrix(fn, 'H', H);
    if (H.rows === 0) return this;
    this.addChecked(H, zeta, weights);
    return this;
  }

  /**
   * Merge another accumulator's statistics into this one (`other` is not modified).
   *
   * @throws DomainError when `other` is not an `AnchorAccumulator`.
   * @throws ShapeError when the dimensions differ.
   */
  merge(other: AnchorAccumulator): this {
    const fn = 'AnchorAccumulator.merge';
    if (!(other instanceof AnchorAccumulator)) throw domainError(fn, 'other', 'an AnchorAccumulator', describeValue(other));
    if (other.dim !== this.dim) throw shapeError(fn, 'other', `an accumulator of dim ${this.dim}`, `dim ${other.dim}`);
    mergeStatsInto(this.stats, other.stats);
    return this;
  }

  /**
   * Fit the anchor from the statistics (see `fitAnchor` for the method and the rank-deficient
   * case). The MSE is computed from the statistics as `Var ζ − 2⟨v₀, r⟩ + v₀ᵀCv₀`, which loses
   * relative accuracy when R² is within about 1e-12 of 1; `fitAnchor` recomputes it from residuals.
   *
   * @throws DomainError when nothing of positive weight has been added, or an option is invalid.
   * @throws NumericalError when a statistic overflows float64 (log-partitions beyond about 1e150).
   */
  fit(opts?: AnchorSolveOptions): AnchorStatsFit {
    const fn = 'AnchorAccumulator.fit';
    const { ridge, rcond, roundoff } = checkSolveOptions(fn, opts);
    if (!(this.stats.weight > 0)) throw domainError(fn, 'this', 'an accumulator with contexts of positive total weight', `${countOf(this.stats.count, 'context')} of total weight ${this.stats.weight}`);
    const fit = solveStats(this.stats, ridge, rcond, roundoff);
    checkFiniteResult(fn, fit, ANCHOR_RESCALE_ADVICE, ANCHOR_INFINITE_FIELDS);
    return fit;
  }

  /** The statistics as plain JSON (numbers are written exactly by `JSON.stringify`). */
  toJSON(): AnchorAccumulatorJSON {
    const s = this.stats;
    const d = s.dim;
    const tri: number[] = [];
    for (let j = 0; j < d; j++) for (let k = j; k < d; k++) tri.push(s.mhh[j * d + k]);
    return {
      format: 'lmtransfer.anchorAccumulator',
      version: 1,
      dim: d,
      count: s.count,
      weight: s.weight,
      float32Hidden: s.float32Hidden,
      meanHidden: Array.from(s.meanH),
      meanLogPartition: s.meanZ,
      comomentHidden: tri,
      comomentCross: Array.from(s.mhz),
      comomentLogPartition: s.mzz,
    };
  }

  /**
   * Rebuild an accumulator from `toJSON()` output (an object, or its JSON text).
   *
   * @throws FormatError when the text is not JSON or a field is missing, of the wrong type or length, or not finite.
   * @throws DomainError when `dim` is too large for its `dim × dim` co-moment matrix (above 23,170).
   */
  static fromJSON(json: unknown): AnchorAccumulator {
    const fn = 'AnchorAccumulator.fromJSON';
    let o: unknown = json;
    if (typeof json === 'string') {
      try {
        o = JSON.parse(json);
      } catch (e) {
        throw new FormatError(`${fn}: argument 'json' must be JSON text; got a parse error: ${(e as Error).message}`);
      }
    }
    const bad = (field: string, expected: string, got: unknown): FormatError =>
      new FormatError(`${fn}: argument 'json' must have ${field} ${expected}; got ${describeValue(got)}`);
    if (o === null || typeof o !== 'object') throw bad('the form', 'of an object', o);
    const r = o as Record<string, unknown>;
    if (r.format !== 'lmtransfer.anchorAccumulator') throw bad("'format'", "'lmtransfer.anchorAccumulator'", r.format);
    if (r.version !== 1) throw bad("'version'", '1', r.version);
    const d = r.dim;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) throw bad("'dim'", 'a positive integer', d);
    checkAllocatable(fn, 'json.dim', d * d, 8, `dim·dim = ${d}·${d}`);
    const num = (k: string, min?: number): number => {
      const v = r[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || (min !== undefined && v < min)) throw bad(`'${k}'`, min !== undefined ? `a finite number ≥ ${min}` : 'a finite number', v);
      return v;
    };
    const arr = (k: string, len: number): Float64Array => {
      const v = r[k];
      if (!Array.isArray(v) || v.length !== len) throw bad(`'${k}'`, `an array of ${countOf(len, 'number')}`, v);
      const out = new Float64Array(len);
      for (let i = 0; i < len; i++) {
        const x: unknown = v[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`'${k}[${i}]'`, 'a finite number', x);
        out[i] = x;
      }
      return out;
    };
    const count = num('count', 0);
    if (!Number.isInteger(count)) throw bad("'count'", 'an integer', count);
    if (typeof r.float32Hidden !== 'boolean') throw bad("'float32Hidden'", 'a boolean', r.float32Hidden);
    const acc = new AnchorAccumulator(d);
    const s = acc.stats;
    s.count = count;
    s.weight = num('weight', 0);
    s.float32Hidden = r.float32Hidden;
    s.meanH = arr('meanHidden', d);
    s.meanZ = num('meanLogPartition');
    const tri = arr('comomentHidden', (d * (d + 1)) / 2);
    let p = 0;
    for (let j = 0; j < d; j++) for (let k = j; k < d; k++) s.mhh[j * d + k] = tri[p++];
    s.mhz = arr('comomentCross', d);
    s.mzz = num('comomentLogPartition', 0);
    return acc;
  }

  private checkAddOptions(fn: string, opts: AnchorAddOptions | undefined, m: number): FloatArray | null {
    checkOptions(fn, 'opts', opts);
    if (opts?.weights === undefined) return null;
    if (m === 0) return checkEmptyWeights(fn, opts.weights);
    return checkWeights(fn, 'opts.weights', opts.weights, m);
  }

  private addChecked(H: Matrix, zeta: FloatArray, weights: FloatArray | null): void {
    mergeStatsInto(this.stats, chunkStats(H.data, H.cols, H.rows, null, zeta, weights));
  }
}

function checkEmptyWeights(fn: string, w: unknown): null {
  if (!(w instanceof Float64Array) && !(w instanceof Float32Array)) throw domainError(fn, 'opts.weights', 'a Float64Array or Float32Array', describeValue(w));
  if (w.length !== 0) throw shapeError(fn, 'opts.weights', 'of length 0 (H has no rows)', `length ${w.length}`);
  return null;
}
