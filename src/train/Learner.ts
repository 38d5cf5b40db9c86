/** A learned model `M̂ = (V̂, ĥ = f_θ(x))`: made by `createLearner`, trained by `train`. */
import type { DType, FloatArray, Matrix } from '../core/matrix.js';
import {
  checkFiniteMatrix,
  checkFloatVector,
  checkMatrix,
  checkNonEmptyMatrix,
  checkWordIndices,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
  checkFiniteArray,
} from '../core/check.js';
import { NumericalError } from '../core/errors.js';
import { crossEntropyDistributionKernel, crossEntropyWordsKernel } from './lossKernel.js';
import { backwardKernel, forwardKernel, Workspace } from './learnerKernel.js';
import type { Activation, LearnerShape } from './learnerKernel.js';
import { countOf } from '../core/countOf.js';

/** One named block of a learner's flat parameter vector. */
export interface ParameterBlock {
  /** `'W1'`, `'b1'`, `'W2'`, `'b2'` or `'V'`. */
  readonly name: 'W1' | 'b1' | 'W2' | 'b2' | 'V';
  /** Start of the block in `params`. */
  readonly offset: number;
  /** Rows of the block (row-major); biases are `1 × width`. */
  readonly rows: number;
  /** Columns of the block. */
  readonly cols: number;
  /** Whether weight decay applies (weights yes, biases no). */
  readonly decay: boolean;
}

/**
 * Slack in the tolerance on `|Σ_w q_w − 1|` for a row of target distributions (`train`,
 * `Learner.lossAndGradient`): a row is accepted within `1e-6 + n·u`, `u` the unit roundoff of the
 * targets' storage (`2⁻⁵³` or `2⁻²⁴`), the same rule as `crossEntropy`. `n·u` bounds the rounding of a
 * row normalised by summation in its own precision (a float32 row over 10⁴ words may be off by
 * 6e-4), and 1e-6 admits values printed with 7 digits, while rows that were never normalised are
 * rejected.
 *
 * @example
 * ```ts
 * DISTRIBUTION_SUM_TOLERANCE; // 1e-6
 * ```
 */
export const DISTRIBUTION_SUM_TOLERANCE = 1e-6;

/**
 * A learned log-linear model `p̂(w|s) = softmax(V̂ ĥ(s))`, `ĥ(s) = f_θ(x(s))`, with `f_θ` linear
 * (`ĥ = W1 x + b1`) or one hidden layer (`ĥ = W2 σ(W1 x + b1) + b2`, `σ` tanh or relu), optionally
 * normalised to a fixed norm `r` (`ĥ = r z/√(‖z‖² + 10⁻¹²)`, as a final layer norm), and `V̂`
 * either trained or tied to a fixed matrix (usually `V*`).
 *
 * **Parameters** are one flat array, `params`, in the order `W1, b1, W2, b2, V̂` (absent pieces
 * skipped; `blocks` gives each block's offset and shape): a `Float64Array` for a float64 learner
 * (the default), a `Float32Array` for `createLearner({ dtype: 'float32' })`, whose activations are
 * float32 too while losses and reductions stay float64. `train` updates `params` in place;
 * nothing else mutates it. Weight matrices are row-major with one row per output unit (`W1` is
 * `width × featureDim`). The type parameter `P` is the parameters' array type.
 *
 * Create learners with `createLearner`; the constructor is internal.
 *
 * @example
 * ```ts
 * const world = generateWorld({ preset: 'tiny' });
 * const learner = createLearner({ world, hidden: 16, seed: 1 });
 * const { X } = world.sampleContexts(4, createRng(2));
 * learner.represent(X);   // ĥ, 4 × 8
 * learner.logits(X);      // 4 × 64
 * learner.V();            // a copy of V̂, 64 × 8
 * ```
 */
export class Learner<P extends FloatArray = FloatArray> {
  /** Vocabulary size. */
  readonly n: number;
  /** Representation dimension. */
  readonly d: number;
  /** Width of the observed features `x`. */
  readonly featureDim: number;
  /** Width of the hidden layer; 0 for a linear map. */
  readonly hidden: number;
  /** Activation of the hidden layer (ignored when `hidden = 0`). */
  readonly activation: Activation;
  /** The fixed norm `r` of `ĥ`, or `null` when `ĥ` is not normalised. */
  readonly hNorm: number | null;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether `V̂` is part of `params` (trained) or tied to a fixed matrix. */
  readonly trainsV: boolean;
  /** Storage precision of the parameters and activations (`'float64'` unless created with `dtype: 'float32'`). */
  readonly dtype: DType;
  /** All trainable parameters, flat, in `dtype`. Updated in place by `train`. */
  readonly params: P;
  /** Where each parameter block sits in `params`. */
  readonly blocks: readonly ParameterBlock[];

  /** @internal */
  readonly shape: LearnerShape;
  /** @internal The tied `V̂` (a copy in `dtype`), or `null` when `V̂` is trained. */
  readonly tiedV: P | null;
  private readonly ws: Workspace;

  /** @internal Use `createLearner`. */
  constructor(shape: LearnerShape, params: P, tiedV: P | null) {
    this.shape = shape;
    this.dtype = shape.dtype;
    this.ws = new Workspace(shape.dtype);
    this.n = shape.n;
    this.d = shape.d;
    this.featureDim = shape.k;
    this.hidden = shape.hidden;
    this.activation = shape.activation;
    this.hNorm = shape.hNorm;
    this.bias = shape.bias;
    this.trainsV = shape.offV >= 0;
    this.params = params;
    this.tiedV = tiedV;
    const h1 = shape.hidden > 0 ? shape.hidden : shape.d;
    const blocks: ParameterBlock[] = [{ name: 'W1', offset: shape.offW1, rows: h1, cols: shape.k, decay: true }];
    if (shape.offB1 >= 0) blocks.push({ name: 'b1', offset: shape.offB1, rows: 1, cols: h1, decay: false });
    if (shape.offW2 >= 0) blocks.push({ name: 'W2', offset: shape.offW2, rows: shape.d, cols: shape.hidden, decay: true });
    if (shape.offB2 >= 0) blocks.push({ name: 'b2', offset: shape.offB2, rows: 1, cols: shape.d, decay: false });
    if (shape.offV >= 0) blocks.push({ name: 'V', offset: shape.offV, rows: shape.n, cols: shape.d, decay: true });
    this.blocks = blocks;
  }

  /** Number of trainable parameters (`params.length`). */
  get paramCount(): number {
    return this.params.length;
  }

  /** @internal The buffer holding `V̂` and its offset. */
  vBuffer(): { data: P; offset: number } {
    return this.tiedV !== null ? { data: this.tiedV, offset: 0 } : { data: this.params, offset: this.shape.offV };
  }

  /**
   * A copy of the current `V̂` (`n × d`, float64 whatever the learner's dtype: float32 values widen exactly).
   *
   * @example
   * ```ts
   * createLearner({ world: generateWorld({ preset: 'tiny' }) }).V().rows; // 64
   * ```
   */
  V(): Matrix {
    const { data, offset } = this.vBuffer();
    return { rows: this.n, cols: this.d, data: Float64Array.from(data.subarray(offset, offset + this.n * this.d)) };
  }

  /**
   * The learned representations `ĥ(s) = f_θ(x(s))` (`m × d`, float64).
   *
   * @param X - `m × featureDim` observed features, finite.
   * @throws ShapeError when `X.cols ≠ featureDim`.
   * @throws DomainError when `X` is not a Matrix or holds a non-finite value.
   * @example
   * ```ts
   * learner.represent(world.sampleContexts(3, createRng(0)).X); // 3 × d
   * ```
   */
  represent(X: Matrix): Matrix {
    this.checkX('Learner.represent', X);
    const m = X.rows;
    const out = new Float64Array(m * this.d);
    this.forwardBlocks(X, out, null);
    return { rows: m, cols: this.d, data: out };
  }

  /**
   * Logits `V̂ ĥ(s)` (`m × n`, float64).
   *
   * @param X - `m × featureDim` observed features, finite.
   * @throws ShapeError when `X.cols ≠ featureDim`.
   * @throws DomainError when `X` is not a Matrix or holds a non-finite value.
   * @throws NumericalError when a logit overflows.
   * @example
   * ```ts
   * learner.logits(world.sampleContexts(3, createRng(0)).X); // 3 × n
   * ```
   */
  logits(X: Matrix): Matrix {
    this.checkX('Learner.logits', X);
    const m = X.rows;
    const out = new Float64Array(m * this.n);
    this.forwardBlocks(X, null, out);
    for (let i = 0; i < out.length; i++) {
      if (out[i] - out[i] !== 0) {
        throw new NumericalError(`Learner.logits: the logits of row ${Math.floor(i / this.n)} of 'X' must be finite; got ${describeValue(out[i])} (the parameters or X are too large)`);
      }
    }
    return { rows: m, cols: this.n, data: out };
  }

  /**
   * Mean cross-entropy of the batch and its gradient with respect to every parameter: the same
   * computation `train` does per step (the same forward pass, the same cross-entropy row as
   * `crossEntropy`, the same backward pass), without weight decay. For a float32 learner the
   * activations and the gradient are float32; the loss is float64.
   *
   * @param X - `m × featureDim` observed features, `m ≥ 1`, finite.
   * @param targets - one word per row (`Int32Array` of length `m`, indices in `[0, n)`), or an
   *   `m × n` matrix of target distributions (non-negative rows summing to 1 within `1e-6 + n·u`, as for `crossEntropy`).
   * @returns `{ loss, grad }` with `grad` a new array of the parameters' type, laid out like `params`.
   * @throws ShapeError when shapes do not match.
   * @throws DomainError when a target is out of range, negative, non-finite, or a row does not sum to 1.
   * @example
   * ```ts
   * const { X, words } = world.sampleCorpus(8, 1, createRng(3));
   * const { loss, grad } = learner.lossAndGradient(X, words); // grad.length === learner.paramCount
   * ```
   */
  lossAndGradient(X: Matrix, targets: Int32Array | Matrix): { loss: number; grad: P } {
    const fn = 'Learner.lossAndGradient';
    checkNonEmptyMatrix(fn, 'X', X);
    this.checkX(fn, X);
    const m = X.rows;
    const rows = new Int32Array(m);
    for (let i = 0; i < m; i++) rows[i] = i;
    if (targets instanceof Int32Array) {
      if (targets.length !== m) throw shapeError(fn, 'targets', `an Int32Array of length ${m} (X.rows)`, `length ${targets.length}`);
      checkWordIndices(fn, 'targets', targets, this.n);
    } else {
      checkTargetDistributions(fn, 'targets', targets, m, this.n);
    }
    const s = this.shape;
    const ws = this.ws;
    ws.ensure(s, m, true);
    ws.xb.set(X.data.subarray(0, m * s.k));
    const { data: Vd, offset: vOff } = this.vBuffer();
    forwardKernel(s, this.params, Vd, vOff, ws, m, true);
    const total =
      targets instanceof Int32Array
        ? crossEntropyWordsKernel(ws.logits, m, s.n, targets, 1 / m, ws)
        : crossEntropyDistributionKernel(ws.logits, m, s.n, targets.data, rows, 1 / m, ws);
    const loss = total / m;
    if (!Number.isFinite(loss)) throw new NumericalError(`${fn}: the loss must be finite; got ${describeValue(loss)} (the parameters or X are too large)`);
    const grad = (this.dtype === 'float32' ? new Float32Array(this.params.length) : new Float64Array(this.params.length)) as P;
    backwardKernel(s, this.params, Vd, vOff, ws, m, grad);
    return { loss, grad };
  }

  /**
   * Replace the parameters (copied in; a float32 learner rounds float64 values to float32).
   *
   * @param params - a `Float64Array` or `Float32Array` of length `paramCount`, finite.
   * @throws ShapeError when the length differs.
   * @throws DomainError when `params` is not a float array or holds a non-finite value.
   * @example
   * ```ts
   * other.setParams(learner.params); // same architecture required
   * ```
   */
  setParams(params: FloatArray): void {
    const fn = 'Learner.setParams';
    if (!(params instanceof Float64Array || params instanceof Float32Array)) throw domainError(fn, 'params', 'a Float64Array or Float32Array', describeValue(params));
    checkFloatVector(fn, 'params', params, this.params.length, 'paramCount');
    checkFiniteArray(fn, 'params', params);
    // Rounding to float32 can overflow a finite float64 value (|x| > 3.4e38).
    if (this.dtype === 'float32' && !Float32Array.from(params).every(Number.isFinite)) {
      throw domainError(fn, 'params', 'values representable in float32 (the learner is float32)', 'a value that overflows float32');
    }
    this.params.set(params);
  }

  /**
   * An independent copy (same architecture, copied parameters, same tied `V̂`).
   *
   * @example
   * ```ts
   * const snapshot = learner.clone();
   * ```
   */
  clone(): Learner<P> {
    return new Learner<P>(this.shape, this.params.slice() as P, this.tiedV);
  }

  /** @internal Forward over `X` in row blocks, writing `ĥ` and/or logits. */
  forwardBlocks(X: Matrix, hOut: Float64Array | null, logitsOut: Float64Array | null): void {
    const s = this.shape;
    const m = X.rows;
    const { data: Vd, offset: vOff } = this.vBuffer();
    const block = 256;
    const ws = this.ws;
    for (let i0 = 0; i0 < m; i0 += block) {
      const b = Math.min(block, m - i0);
      ws.ensure(s, b, logitsOut !== null);
      ws.xb.set(X.data.subarray(i0 * s.k, (i0 + b) * s.k));
      forwardKernel(s, this.params, Vd, vOff, ws, b, logitsOut !== null);
      if (hOut !== null) hOut.set(ws.h.subarray(0, b * s.d), i0 * s.d);
      if (logitsOut !== null) logitsOut.set(ws.logits.subarray(0, b * s.n), i0 * s.n);
    }
  }

  /** @internal Shape and finiteness of a feature matrix; `name` is the argument as the caller knows it (`'data.X'`, `'contexts.X'`). */
  checkX(fn: string, X: Matrix, name = 'X'): void {
    checkMatrix(fn, name, X);
    if (X.cols !== this.featureDim) throw shapeError(fn, name, `a matrix with ${countOf(this.featureDim, 'column')} (learner.featureDim)`, shapeOf(X));
    checkFiniteMatrix(fn, name, X);
  }
}

/**
 * Check an `m × n` matrix of target distributions: finite, non-negative, rows summing to 1 within
 * `DISTRIBUTION_SUM_TOLERANCE + n·u` (the rule of `crossEntropy`).
 *
 * @internal
 */
export function checkTargetDistributions(fn: string, name: string, Q: unknown, m: number, n: number): asserts Q is Matrix {
  checkMatrix(fn, name, Q);
  if (Q.rows !== m || Q.cols !== n) throw shapeError(fn, name, `a ${m}×${n} matrix of distributions (one row per context, one column per word)`, shapeOf(Q));
  const q = Q.data;
  const tol = DISTRIBUTION_SUM_TOLERANCE + n * (q instanceof Float32Array ? 2 ** -24 : 2 ** -53);
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = q[i * n + j];
      if (!(v >= 0) || v === Infinity) throw domainError(fn, name, 'finite and non-negative', `${describeValue(v)} at (${i}, ${j})`);
      sum += v;
    }
    if (Math.abs(sum - 1) > tol) {
      throw domainError(fn, name, `rows summing to 1 (within ${tol.toExponential(3)} = 1e-6 + n·u)`, `row ${i} sums to ${sum}`);
    }
  }
}
