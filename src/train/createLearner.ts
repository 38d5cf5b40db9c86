/** Make a learned model `M̂ = (V̂, ĥ = f_θ(x))` with a seeded initialisation. */
import type { DType, FloatArray, Matrix } from '../core/matrix.js';
import {
  checkAllocatable,
  checkFiniteMatrix,
  checkNonEmptyMatrix,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../core/check.js';
import { createRng } from '../random/index.js';
import type { World } from '../model/index.js';
import { Learner } from './Learner.js';
import { checkSeed } from '../model/checkSeed.js';
import type { Activation, LearnerShape } from './learnerKernel.js';

/** Options of `createLearner`. */
export interface LearnerOptions {
  /** Take `n`, `d`, `featureDim`, the normalisation and (for a tied `V̂`) `V*` from this world. */
  world?: World;
  /** Vocabulary size (required without `world` or `V`). */
  n?: number;
  /** Representation dimension (default: the world's `d`, or `V.cols`); may differ from the world's unless `V̂` is tied to `V*`. */
  d?: number;
  /** Width of the observed features (required without `world`). */
  featureDim?: number;
  /** Width of the hidden layer; 0 (default) for a linear map `ĥ = W1 x + b1`. */
  hidden?: number;
  /** Hidden activation, `'tanh'` (default) or `'relu'`. */
  activation?: Activation;
  /** Normalise `ĥ` to a fixed norm: `false`/`null` for none, `true` for `√d`, or the norm. Default: the world's `hNorm`, else none. */
  normalize?: boolean | number | null;
  /** Train `V̂` (default `true`). With `false`, `V̂` is tied to `V` (or the world's `V*`) and never changes. */
  trainV?: boolean;
  /** Initial (when trained) or fixed (when tied) `V̂`, `n × d`; copied. Default when trained: `N(0, vInitStd²)` entries. */
  V?: Matrix;
  /** Whether the layers have biases (default `true`). */
  bias?: boolean;
  /** Seed of the initialisation (default 0). */
  seed?: string | number;
  /** Standard deviation of the random `V̂` entries (default 0.02, as GPT-2's initialisation). */
  vInitStd?: number;
  /**
   * Storage precision of the parameters, the activations, the gradient and `train`'s optimiser
   * state. `'float32'` halves memory and runs every product on the backend's float32 path; the
   * loss, the log-sum-exps and every other reduction stay float64. The initialisation is drawn in
   * float64 and rounded once, so a float32 learner starts at the float32 rounding of the float64
   * learner with the same seed. @defaultValue 'float64'
   */
  dtype?: DType;
}

/**
 * Make a learner `ĥ = f_θ(x)`, `p̂(w|s) = softmax(V̂ ĥ(s))` (see `Learner`).
 *
 * Initialisation is seeded and layer by layer from independent forks of `createRng(seed)`: weights
 * `N(0, 1/fan_in)` (so every layer keeps unit-scale activations), biases 0, and `V̂` either copied
 * from `opts.V` or `N(0, vInitStd²)`. With a small random `V̂` the initial `p̂(·|s)` is close to
 * uniform, so the initial excess loss is about `log n − E_s H(p*(·|s))`.
 *
 * Passing `world` is the usual way: sizes, the world's normalisation (so that `M*` is realisable by a
 * linear learner) and, with `trainV: false`, the tie to `V*` all follow from it.
 *
 * @param opts - architecture and initialisation.
 * @returns a new `Learner`.
 * @throws DomainError for an unknown activation or dtype, a non-positive size or norm, sizes whose
 *   parameter vector does not fit in one float64 buffer of at most 4 GiB, `trainV: false` without a
 *   `V` or `world` to tie to, or a non-finite `V`.
 * @throws ShapeError when `V` does not have shape `n × d`, or `n`/`featureDim` differ from the world's
 *   (or `d`, when `V̂` is tied to the world's `V*`).
 * @example
 * ```ts
 * const world = generateWorld({ preset: 'default', seed: 1 });
 * const linear = createLearner({ world, seed: 2 });                                  // ĥ = W1 x + b1, V̂ trained
 * const tied = createLearner({ world, trainV: false, seed: 2 });                     // V̂ = V*
 * const mlp = createLearner({ world, hidden: 128, activation: 'relu', normalize: true, seed: 2 });
 * const f32 = createLearner({ world, dtype: 'float32', seed: 2 });                  // f32.params: Float32Array
 * ```
 */
export function createLearner(opts: LearnerOptions & { dtype: 'float32' }): Learner<Float32Array>;
export function createLearner(opts: LearnerOptions & { dtype?: 'float64' }): Learner<Float64Array>;
export function createLearner(opts: LearnerOptions): Learner;
export function createLearner(opts: LearnerOptions): Learner {
  const fn = 'createLearner';
  if (opts === null || typeof opts !== 'object') throw domainError(fn, 'opts', 'an options object', describeValue(opts));
  checkOptions(fn, 'opts', opts);
  const world = opts.world;
  if (world !== undefined && (world === null || typeof world !== 'object' || !('V' in world) || !('featureDim' in world))) {
    throw domainError(fn, 'opts.world', 'a World from generateWorld', describeValue(world));
  }
  if (world !== undefined) {
    // A world whose sizes disagree with its own V* (edited or assembled by hand) would size the
    // learner from one and tie or compare against the other: refuse it here, naming the world.
    checkNonEmptyMatrix(fn, 'opts.world.V', world.V);
    if (world.V.rows !== world.n || world.V.cols !== world.d) {
      throw shapeError(fn, 'opts.world', `a World whose V is n × d = ${world.n} × ${world.d}`, `V ${shapeOf(world.V)}`);
    }
  }
  const Vin = opts.V;
  if (Vin !== undefined) {
    checkNonEmptyMatrix(fn, 'opts.V', Vin);
    checkFiniteMatrix(fn, 'opts.V', Vin);
  }
  const n = opts.n ?? world?.n ?? Vin?.rows;
  const d = opts.d ?? world?.d ?? Vin?.cols;
  const k = opts.featureDim ?? world?.featureDim;
  checkPositiveInt(fn, 'opts.n', n);
  checkPositiveInt(fn, 'opts.d', d);
  checkPositiveInt(fn, 'opts.featureDim', k);
  if (world !== undefined) {
    if (n !== world.n) throw shapeError(fn, 'opts.n', `equal to world.n = ${world.n}`, String(n));
    // A learned width different from the world's is allowed (V̂ is then trained, or given as opts.V);
    // tying V̂ to V* needs the world's width.
    if (d !== world.d && Vin === undefined && opts.trainV === false) {
      throw shapeError(fn, 'opts.d', `equal to world.d = ${world.d} when V̂ is tied to the world's V*`, String(d));
    }
    if (k !== world.featureDim) throw shapeError(fn, 'opts.featureDim', `equal to world.featureDim = ${world.featureDim}`, String(k));
  }
  if (Vin !== undefined && (Vin.rows !== n || Vin.cols !== d)) throw shapeError(fn, 'opts.V', `an ${n}×${d} matrix (n × d)`, shapeOf(Vin));
  const hidden = opts.hidden ?? 0;
  checkNumber(fn, 'opts.hidden', hidden, { integer: true, min: 0 });
  const activation = opts.activation ?? 'tanh';
  checkOneOf(fn, 'opts.activation', activation, ['tanh', 'relu'] as const);
  let hNorm: number | null;
  const norm = opts.normalize === undefined ? (world?.hNorm ?? null) : opts.normalize;
  if (norm === null || norm === false) hNorm = null;
  else if (norm === true) hNorm = Math.sqrt(d);
  else if (typeof norm === 'number') {
    checkNumber(fn, 'opts.normalize', norm, { min: 0, minExclusive: true });
    hNorm = norm;
  } else throw domainError(fn, 'opts.normalize', 'a boolean, a positive number or null', describeValue(norm));
  const trainV = opts.trainV ?? true;
  if (typeof trainV !== 'boolean') throw domainError(fn, 'opts.trainV', 'a boolean', describeValue(trainV));
  const bias = opts.bias ?? true;
  if (typeof bias !== 'boolean') throw domainError(fn, 'opts.bias', 'a boolean', describeValue(bias));
  const vInitStd = opts.vInitStd ?? 0.02;
  checkNumber(fn, 'opts.vInitStd', vInitStd, { min: 0 });
  const seed = opts.seed ?? 0;
  checkSeed(fn, 'opts.seed', seed);
  const dtype = opts.dtype ?? 'float64';
  checkOneOf(fn, 'opts.dtype', dtype, ['float64', 'float32'] as const);
  const rng = createRng(seed);

  const F = dtype === 'float32' ? Float32Array : Float64Array;
  let tiedV: FloatArray | null = null;
  if (!trainV) {
    const src = Vin ?? world?.V;
    if (src === undefined) throw domainError(fn, 'opts.trainV', 'true unless opts.V or opts.world gives a V̂ to tie to', 'false with neither');
    tiedV = F.from(src.data);
  }

  const h1 = hidden > 0 ? hidden : d;
  // Every size is a positive integer by now, but a product can still be more than a typed array
  // holds (d = 1e200 passes the integer check): refuse it before allocating, naming the largest size
  // and where it came from (an option, or the world or V it defaults to).
  const total = h1 * k + (bias ? h1 : 0) + (hidden > 0 ? d * hidden + (bias ? d : 0) : 0) + (trainV ? n * d : 0);
  const sizes: [string, number][] = [
    ['n', n],
    ['d', d],
    ['featureDim', k],
    ['hidden', hidden],
  ];
  const [bigName] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
  const source = (opts as Record<string, unknown>)[bigName] !== undefined || (world === undefined && Vin === undefined) ? `opts.${bigName}` : world !== undefined ? 'opts.world' : 'opts.V';
  checkAllocatable(fn, source, total, 8, `paramCount for n = ${n}, d = ${d}, featureDim = ${k}, hidden = ${hidden}`);
  let off = 0;
  const offW1 = off;
  off += h1 * k;
  const offB1 = bias ? off : -1;
  if (bias) off += h1;
  const offW2 = hidden > 0 ? off : -1;
  if (hidden > 0) off += d * hidden;
  const offB2 = hidden > 0 && bias ? off : -1;
  if (hidden > 0 && bias) off += d;
  const offV = trainV ? off : -1;
  if (trainV) off += n * d;
  const shape: LearnerShape = { n, d, k, hidden, activation, hNorm, bias, offW1, offB1, offW2, offB2, offV, paramCount: off, dtype };

  // Drawn in float64 (the same stream for both dtypes) and rounded once into the learner's dtype.
  const params = new Float64Array(off);
  fillNormal(params, offW1, h1 * k, 1 / Math.sqrt(k), rng.fork('W1'));
  if (hidden > 0) fillNormal(params, offW2, d * hidden, 1 / Math.sqrt(hidden), rng.fork('W2'));
  if (trainV) {
    if (Vin !== undefined) for (let i = 0; i < n * d; i++) params[offV + i] = Vin.data[i];
    else fillNormal(params, offV, n * d, vInitStd, rng.fork('V'));
  }
  return new Learner(shape, dtype === 'float32' ? Float32Array.from(params) : params, tiedV);
}

function fillNormal(p: Float64Array, off: number, len: number, sd: number, r: { normal(): number }): void {
  for (let i = 0; i < len; i++) p[off + i] = sd * r.normal();
}
