/**
 * A seeded synthetic ground truth `M* = (V*, h*)` that looks like language where the theory cares.
 */
import type { DType, Matrix } from '../core/matrix.js';
import {
  checkFiniteMatrix,
  checkMatrix,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  describeValue,
  domainError,
  shapeError,
  shapeOf,
} from '../core/check.js';
import { gemm } from '../linalg/gemm.js';
import { createRng } from '../random/index.js';
import type { Rng } from '../random/index.js';
import { logSoftmaxRows } from '../softmax/index.js';
import { LogLinearModel, checkedLogits } from './LogLinearModel.js';
import { sampleNextWordsKernel } from './sampleNextWords.js';
import { checkSeed } from './checkSeed.js';
import { permutation } from '../random/permutation.js';
import { countOf } from '../core/countOf.js';

/** The named sizes of `generateWorld`. */
export type WorldPreset = 'tiny' | 'default' | 'gpt2-scale';

/**
 * Options of `generateWorld`. Every field is optional; a preset fills the sizes and the rest have
 * defaults chosen in logit units (see `generateWorld`).
 */
export interface WorldOptions {
  /** Sizes to start from: `'tiny'` (n 64, d 8), `'default'` (n 2000, d 64), `'gpt2-scale'` (n 50,257, d 768). Default `'default'`. */
  preset?: WorldPreset;
  /** Seed of everything random in the world (default 0). */
  seed?: string | number;
  /** Vocabulary size `n`. */
  n?: number;
  /** Representation dimension `d ≥ 3` (one frequency axis, one rare-signal axis, the rest semantic). */
  d?: number;
  /** Width `k ≥ 3` of the observed context features `x(s)` (a constant 1, semantic and rare-signal features). */
  featureDim?: number;
  /** How many of the `k` features drive only the rare-signal direction (`1 ≤ · ≤ k − 2`). */
  rareFeatures?: number;
  /** Number of frequent words (`≥ 1`). */
  numFrequent?: number;
  /** Number of rare words (`≥ 0`). */
  numRare?: number;
  /** Typical total probability of the frequent words, in `(0, 1)` (default 0.4). */
  frequentMass?: number;
  /** Standard deviation of a word's context-dependent logit `⟨g_w, h_sem(s)⟩` (default 1). */
  semanticSpread?: number;
  /** Spread of the common mean of the bulk embeddings, in logit units (default 0.5). */
  bulkMeanSpread?: number;
  /** Standard deviation of the bulk words' fixed logit offsets (default 0.5). */
  bulkOffsetSpread?: number;
  /** How far (in nats) a rare word's logit offset sits below a typical bulk word (default 6). */
  rareLogitGap?: number;
  /** Typical size of a rare word's coefficient on the rare-signal direction (default 1.5). */
  rareSignal?: number;
  /** Normalise `h*(s)` to a fixed norm as a final layer norm does: `true` for `r = √d`, or the norm `r > 0`. Default `false`. */
  normalize?: boolean | number;
  /** Storage of `V*` (default `'float64'`, `'float32'` for the `'gpt2-scale'` preset). */
  dtype?: DType;
}

/** Which observed features play which role in `h*(s) = W* x(s)`. */
export interface FeatureRoles {
  /** Index of the constant feature `x_0(s) = 1` (it carries the frequency direction). */
  readonly constant: number;
  /** Features that move `h*` inside the semantic subspace. */
  readonly semantic: Int32Array;
  /** Features that move `h*` only along the rare-signal direction. */
  readonly rare: Int32Array;
}

/** Contexts drawn from a world: observed features and true representations. */
export interface WorldContexts {
  /** Observed features `x(s)`, `m × featureDim` (float64). */
  readonly X: Matrix;
  /** True representations `h*(s)`, `m × d` (float64). */
  readonly H: Matrix;
}

/** A corpus drawn from a world: contexts and next words sampled from `p*(·|s)`. */
export interface WorldCorpus extends WorldContexts {
  /** `m·k` next words, row-major: context `i`'s draws are at `[i·k, (i+1)·k)`. */
  readonly words: Int32Array;
}

/**
 * A ground truth `M* = (V*, h*)` with observed context features. See `generateWorld`.
 */
export interface World {
  /** The preset the sizes came from, or `'custom'` when any size was overridden. */
  readonly preset: WorldPreset | 'custom';
  /** The canonical seed string the world was generated from. */
  readonly seed: string;
  /** Vocabulary size. */
  readonly n: number;
  /** Representation dimension. */
  readonly d: number;
  /** Width of the observed features `x(s)`. */
  readonly featureDim: number;
  /** True output embeddings `V*`, `n × d`. Treat as read-only. */
  readonly V: Matrix;
  /** The log-linear model over `V*`. */
  readonly model: LogLinearModel;
  /** The true feature map `h*(s) = normalise(W* x(s))`, `W*` of shape `d × featureDim`. Treat as read-only. */
  readonly Wstar: Matrix;
  /** The fixed norm of `h*(s)` when the world normalises, else `null`. */
  readonly hNorm: number | null;
  /** The frequent words, most frequent first. */
  readonly frequentWords: Int32Array;
  /** The rare words: tiny probability, embeddings with a component along `rareDirection`. */
  readonly rareWords: Int32Array;
  /** Every other word (the long tail), ascending. */
  readonly bulkWords: Int32Array;
  /** Unit vector along which `h*(s)` is (nearly) constant and frequent words' embeddings are large. */
  readonly frequencyDirection: Float64Array;
  /** Unit vector carrying the downstream signal seen only by the rare words. */
  readonly rareDirection: Float64Array;
  /** Roles of the observed features. */
  readonly featureRoles: FeatureRoles;
  /** `h*(X)`: `m × d` true representations of observed features `X` (`m × featureDim`). */
  hStar(X: Matrix): Matrix;
  /** Draw `m` contexts: features `X` (first column 1, the rest standard normal) and `H = h*(X)`. */
  sampleContexts(m: number, rng: Rng): WorldContexts;
  /** Draw `m` contexts and `k` next words per context from `p*(·|s)`. */
  sampleCorpus(m: number, k: number, rng: Rng): WorldCorpus;
  /** True logits `H V*ᵀ` (`m × n`). */
  trueLogits(H: Matrix): Matrix;
  /** Exact `log p*(w|s)` (`m × n`) for true representations `H` (`m × d`). */
  trueLogProbs(H: Matrix): Matrix;
}

interface Sizes {
  n: number;
  d: number;
  featureDim: number;
  rareFeatures: number;
  numFrequent: number;
  numRare: number;
  dtype: DType;
}

const PRESETS: Record<WorldPreset, Sizes> = {
  tiny: { n: 64, d: 8, featureDim: 6, rareFeatures: 1, numFrequent: 4, numRare: 2, dtype: 'float64' },
  default: { n: 2000, d: 64, featureDim: 32, rareFeatures: 4, numFrequent: 10, numRare: 5, dtype: 'float64' },
  // 50,257 is GPT-2's vocabulary and 768 the width of GPT-2 small (Radford et al., 2019).
  'gpt2-scale': { n: 50257, d: 768, featureDim: 256, rareFeatures: 16, numFrequent: 50, numRare: 20, dtype: 'float32' },
};

/**
 * The largest `n·d` (and `featureDim·d`) `generateWorld` builds: 2^28 = 268,435,456 entries, a 2 GiB
 * float64 `V*` and about 7× the normals of the `'gpt2-scale'` preset (tens of seconds).
 */
const WORLD_MAX_ENTRIES = 2 ** 28;

/**
 * The largest spread, gap or norm option (in logit units): 1e6. Beyond about 700 nats every
 * probability but the largest already underflows; beyond about 1e154 the squares in the bulk
 * log-partition overflow float64 and the embeddings would not be finite.
 */
const MAX_LOGIT_SCALE = 1e6;

/**
 * Generate a seeded ground truth `M* = (V*, h*)` over observed context features.
 *
 * **Geometry.** `R^d` splits into a *frequency direction* `u_f`, a *rare-signal direction* `u_r` and
 * a `(d − 2)`-dimensional semantic subspace; the three are rotated by two random Householder
 * reflections so that none is a coordinate axis. Observed features are
 * `x(s) = (1, ξ_sem(s), ξ_rare(s))` with standard normal `ξ`, and
 * `h̃*(s) = W* x(s) = u_f + A ξ_sem(s) + (cᵀ ξ_rare(s)) u_r`: a constant unit component along `u_f`
 * (so logit offsets stored along `u_f` act in every context), a semantic part with unit variance per
 * coordinate, and a rare signal `z(s) = ⟨u_r, h*(s)⟩ ~ N(0, 1)`. With `normalize`,
 * `h*(s) = r h̃*(s)/‖h̃*(s)‖` (a final layer norm); `r = √d` matches `E‖h̃*‖² ≈ d`.
 *
 * **Words.** Each embedding is `v_w = b_w u_f + β_w u_r + g_w` with `g_w` semantic:
 * - *frequent words* (`numFrequent`): offsets `b_w` on a Zipf ladder (`∝ 1/rank`) scaled so that
 *   together they hold about `frequentMass` of the probability, and semantic parts of spread
 *   `semanticSpread` (their log-odds vary across contexts, so tasks built on them are non-trivial);
 * - *bulk words* (the long tail): `g_w` drawn around a common mean (spread `bulkMeanSpread`), offsets
 *   `N(0, bulkOffsetSpread²)`; this is the i.i.d.-around-a-mean picture of docs/theory.md#3-the-anchor-vector under which
 *   an anchor vector exists;
 * - *rare words* (`numRare`): offset `−rareLogitGap` (a probability of order
 *   `e^{−gap}/n`, about `10⁻⁶` on the default world) and `β_w ≈ ±rareSignal`. Only they see `u_r`:
 *   every other embedding is orthogonal to it. The signal `z(s)` therefore moves almost no
 *   probability: forgetting it costs a KL of order `p*(rare|s)`, and the gradient that would teach
 *   it is of the same order. This is the situation of Theorem 2 (a task through a rare word need not
 *   transfer as `ε` falls), while tasks on frequent words see large, well-learned log-odds.
 *
 * Word ids are a seeded permutation, so frequent and rare words are scattered through `[0, n)` as in
 * a real tokenizer. Everything is a deterministic function of the options.
 *
 * **Limits.** `n·d` and `featureDim·d` are at most 2^28 (refused at once above that, rather than
 * after minutes of drawing), and the spread, gap and `normalize` options at most 1e6 logit units.
 *
 * **Cost.** `'tiny'` and `'default'` generate in well under a second. `'gpt2-scale'` holds `V*` as
 * 50,257 × 768 float32 (154 MB; 309 MB with `dtype: 'float64'`) and draws 38.6 M normals, a few
 * seconds on one core; its logits cost 77 MFLOP per context, so exact excess losses over thousands of
 * contexts take seconds to minutes (see docs/guide/pretraining.md for measured figures).
 *
 * @param opts - sizes (or a preset) and shape parameters, all optional.
 * @returns the world: `V` (`V*`), sizes, word sets, directions, `hStar`, samplers and exact `p*`.
 * @throws DomainError when an option is out of range (e.g. `d < 3`, `frequentMass ∉ (0,1)`, an
 *   unknown preset, `n·d > 2^28`, a spread above 1e6).
 * @throws ShapeError when the word sets do not fit (`numFrequent + numRare ≥ n`) or `rareFeatures > featureDim − 2`.
 * @example
 * ```ts
 * const world = generateWorld({ preset: 'tiny', seed: 1 });
 * const { X, H, words } = world.sampleCorpus(100, 3, createRng(2)); // 100 contexts, 3 words each
 * const logP = world.trueLogProbs(H);                                  // exact log p*(w|s), 100 × 64
 * ```
 */
export function generateWorld(opts: WorldOptions = {}): World {
  return generateWorldFor('generateWorld', 'opts', opts);
}

/**
 * `generateWorld` for a public function that takes world options from its own caller (the
 * experiments' `opts.world`): errors name that function and the option's path there (e.g.
 * `runAnchorSweep: argument 'opts.world.preset' …`), not `generateWorld`, which the user never called.
 *
 * @internal
 */
export function generateWorldFor(fn: string, prefix: string, opts: WorldOptions): World {
  checkOptions(fn, prefix, opts);
  const presetName = opts.preset ?? 'default';
  checkOneOf(fn, `${prefix}.preset`, presetName, ['tiny', 'default', 'gpt2-scale'] as const);
  const p = PRESETS[presetName];
  const seedValue = opts.seed ?? 0;
  checkSeed(fn, `${prefix}.seed`, seedValue);
  const rng = createRng(seedValue);

  const custom =
    opts.n !== undefined || opts.d !== undefined || opts.featureDim !== undefined || opts.numFrequent !== undefined ||
    opts.numRare !== undefined || opts.rareFeatures !== undefined;
  const n = opts.n ?? p.n;
  const d = opts.d ?? p.d;
  const k = opts.featureDim ?? p.featureDim;
  checkPositiveInt(fn, `${prefix}.n`, n);
  checkNumber(fn, `${prefix}.d`, d, { integer: true, min: 3 });
  checkNumber(fn, `${prefix}.featureDim`, k, { integer: true, min: 3 });
  // Refused here, before any work: the world draws n·d normals and holds n·d float64 values, so a
  // size beyond the limit would otherwise run for minutes (or fail deep inside, blaming a helper).
  if (n * d > WORLD_MAX_ENTRIES) {
    throw domainError(fn, n >= d ? `${prefix}.n` : `${prefix}.d`, `such that n·d ≤ 2^28 = ${WORLD_MAX_ENTRIES} (about 7× the 'gpt2-scale' preset)`, `n·d = ${n}·${d} = ${n * d}`);
  }
  if (k * d > WORLD_MAX_ENTRIES) {
    throw domainError(fn, `${prefix}.featureDim`, `such that featureDim·d ≤ 2^28 = ${WORLD_MAX_ENTRIES}`, `featureDim·d = ${k}·${d} = ${k * d}`);
  }
  const kr = opts.rareFeatures ?? Math.min(p.rareFeatures, Math.max(1, Math.round(k / 8)));
  checkNumber(fn, `${prefix}.rareFeatures`, kr, { integer: true, min: 1 });
  if (kr > k - 2) throw shapeError(fn, `${prefix}.rareFeatures`, `at most featureDim − 2 = ${k - 2}`, String(kr));
  const F = opts.numFrequent ?? p.numFrequent;
  const R = opts.numRare ?? p.numRare;
  checkNumber(fn, `${prefix}.numFrequent`, F, { integer: true, min: 1 });
  checkNumber(fn, `${prefix}.numRare`, R, { integer: true, min: 0 });
  if (F + R >= n) throw shapeError(fn, `${prefix}.numFrequent`, `such that numFrequent + numRare < n = ${n} (at least one bulk word)`, `${F} + ${R}`);
  const frequentMass = opts.frequentMass ?? 0.4;
  checkNumber(fn, `${prefix}.frequentMass`, frequentMass, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const semanticSpread = opts.semanticSpread ?? 1;
  checkNumber(fn, `${prefix}.semanticSpread`, semanticSpread, { min: 0, max: MAX_LOGIT_SCALE });
  const bulkMeanSpread = opts.bulkMeanSpread ?? 0.5;
  checkNumber(fn, `${prefix}.bulkMeanSpread`, bulkMeanSpread, { min: 0, max: MAX_LOGIT_SCALE });
  const bulkOffsetSpread = opts.bulkOffsetSpread ?? 0.5;
  checkNumber(fn, `${prefix}.bulkOffsetSpread`, bulkOffsetSpread, { min: 0, max: MAX_LOGIT_SCALE });
  const rareLogitGap = opts.rareLogitGap ?? 6;
  checkNumber(fn, `${prefix}.rareLogitGap`, rareLogitGap, { min: 0, max: MAX_LOGIT_SCALE });
  const rareSignal = opts.rareSignal ?? 1.5;
  checkNumber(fn, `${prefix}.rareSignal`, rareSignal, { min: 0, max: MAX_LOGIT_SCALE });
  let hNorm: number | null = null;
  const norm = opts.normalize ?? false;
  if (norm === true) hNorm = Math.sqrt(d);
  else if (typeof norm === 'number') {
    checkNumber(fn, `${prefix}.normalize`, norm, { min: 0, minExclusive: true, max: MAX_LOGIT_SCALE });
    hNorm = norm;
  } else if (norm !== false) throw domainError(fn, `${prefix}.normalize`, 'a boolean or a positive number', describeValue(norm));
  const dtype = opts.dtype ?? p.dtype;
  checkOneOf(fn, `${prefix}.dtype`, dtype, ['float64', 'float32'] as const);

  const ks = k - 1 - kr; // semantic features
  const ds = d - 2; // semantic coordinates (local coordinates 2..d−1)

  // ---- The true map, in local coordinates: row 0 = u_f, row 1 = u_r, rows 2.. = semantic. ----
  const W = new Float64Array(d * k);
  W[0 * k + 0] = 1;
  {
    const r1 = rng.fork('rareMap');
    const c = new Float64Array(kr);
    let ss = 0;
    for (let j = 0; j < kr; j++) {
      c[j] = r1.normal();
      ss += c[j] * c[j];
    }
    // Unit norm so that z(s) = ⟨u_r, h̃*(s)⟩ ~ N(0, 1) exactly.
    const inv = 1 / Math.sqrt(ss);
    for (let j = 0; j < kr; j++) W[1 * k + 1 + ks + j] = c[j] * inv;
    const r2 = rng.fork('semanticMap');
    const sd = 1 / Math.sqrt(ks);
    for (let i = 2; i < d; i++) for (let j = 0; j < ks; j++) W[i * k + 1 + j] = sd * r2.normal();
  }

  // ---- Word roles: a seeded permutation scatters them through the vocabulary. ----
  const perm = permutation(n, rng.fork('wordIds'));
  const frequentWords = perm.slice(0, F);
  const rareWords = perm.slice(F, F + R);
  const bulkWords = perm.slice(F + R).sort();
  const nb = n - F - R;

  // ---- Embeddings in local coordinates. ----
  const Vl = new Float64Array(n * d);
  const semSd = semanticSpread / Math.sqrt(ds);
  {
    // Bulk: common semantic mean plus spread, offsets jittered around 0.
    const rb = rng.fork('bulk');
    const mean = new Float64Array(d);
    const meanSd = bulkMeanSpread / Math.sqrt(ds);
    for (let i = 2; i < d; i++) mean[i] = meanSd * rb.normal();
    for (let t = 0; t < nb; t++) {
      const off = bulkWords[t] * d;
      Vl[off] = bulkOffsetSpread * rb.normal();
      for (let i = 2; i < d; i++) Vl[off + i] = mean[i] + semSd * rb.normal();
    }
    // Frequent: a Zipf ladder of offsets. A bulk word's weight e^{b + ⟨g, h⟩} averages about
    // exp((bulkOffsetSpread² + semanticSpread² + bulkMeanSpread²)/2), so the bulk partition is about
    // nb times that; the frequent offsets are set so that they hold `frequentMass` of the total.
    const rf = rng.fork('frequent');
    const logZBulk = Math.log(nb) + (bulkOffsetSpread ** 2 + semanticSpread ** 2 + bulkMeanSpread ** 2) / 2;
    let harmonic = 0;
    for (let r = 1; r <= F; r++) harmonic += 1 / r;
    const logFreqTotal = logZBulk + Math.log(frequentMass / (1 - frequentMass));
    for (let r = 0; r < F; r++) {
      const off = frequentWords[r] * d;
      Vl[off] = logFreqTotal - Math.log((r + 1) * harmonic) - semanticSpread ** 2 / 2;
      for (let i = 2; i < d; i++) Vl[off + i] = semSd * rf.normal();
    }
    // Rare: far below the bulk, and the only words with a component along u_r.
    const rr = rng.fork('rare');
    const rareSemSd = (0.3 * semanticSpread) / Math.sqrt(ds);
    for (let r = 0; r < R; r++) {
      const off = rareWords[r] * d;
      Vl[off] = -rareLogitGap;
      const sign = r % 2 === 0 ? 1 : -1;
      Vl[off + 1] = sign * rareSignal * Math.exp(0.25 * rr.normal());
      for (let i = 2; i < d; i++) Vl[off + i] = rareSemSd * rr.normal();
    }
  }

  // ---- Rotate: two random Householder reflections, applied to word rows and to W*'s columns. ----
  const uf = new Float64Array(d);
  const ur = new Float64Array(d);
  uf[0] = 1;
  ur[1] = 1;
  {
    const rh = rng.fork('rotation');
    const q = new Float64Array(d);
    const col = new Float64Array(d);
    for (let t = 0; t < 2; t++) {
      let ss = 0;
      for (let i = 0; i < d; i++) {
        q[i] = rh.normal();
        ss += q[i] * q[i];
      }
      const inv = 1 / Math.sqrt(ss);
      for (let i = 0; i < d; i++) q[i] *= inv;
      for (let w = 0; w < n; w++) reflect(q, Vl, w * d, 1, d);
      reflect(q, uf, 0, 1, d);
      reflect(q, ur, 0, 1, d);
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < d; i++) col[i] = W[i * k + j];
        reflect(q, col, 0, 1, d);
        for (let i = 0; i < d; i++) W[i * k + j] = col[i];
      }
    }
  }

  const Vdata = dtype === 'float32' ? Float32Array.from(Vl) : Vl;
  const V: Matrix = { rows: n, cols: d, data: Vdata };
  const Wstar: Matrix = { rows: d, cols: k, data: W };
  const model = new LogLinearModel(V);
  const semantic = new Int32Array(ks);
  for (let j = 0; j < ks; j++) semantic[j] = 1 + j;
  const rare = new Int32Array(kr);
  for (let j = 0; j < kr; j++) rare[j] = 1 + ks + j;

  const hStarUnchecked = (X: Matrix): Matrix => {
    const m = X.rows;
    const out = new Float64Array(m * d);
    if (m > 0) gemm(false, true, m, d, k, 1, X.data, 0, k, W, 0, k, 0, out, 0, d);
    if (hNorm !== null) normalizeRows(out, m, d, hNorm);
    return { rows: m, cols: d, data: out };
  };
  const checkH = (f: string, H: Matrix): void => {
    checkMatrix(f, 'H', H);
    if (H.cols !== d) throw shapeError(f, 'H', `a matrix with ${countOf(d, 'column')} (world.d)`, shapeOf(H));
    checkFiniteMatrix(f, 'H', H);
  };
  const checkRng = (f: string, r: unknown): void => {
    if (r === null || typeof r !== 'object' || typeof (r as { next?: unknown }).next !== 'function' || typeof (r as { fork?: unknown }).fork !== 'function') {
      throw domainError(f, 'rng', 'an Rng from createRng', describeValue(r));
    }
  };
  const sampleContextsUnchecked = (m: number, r: Rng): WorldContexts => {
    const X = new Float64Array(m * k);
    for (let i = 0; i < m; i++) {
      X[i * k] = 1;
      for (let j = 1; j < k; j++) X[i * k + j] = r.normal();
    }
    const Xm: Matrix = { rows: m, cols: k, data: X };
    return { X: Xm, H: hStarUnchecked(Xm) };
  };

  return {
    preset: custom ? 'custom' : presetName,
    seed: rng.seed,
    n,
    d,
    featureDim: k,
    V,
    model,
    Wstar,
    hNorm,
    frequentWords,
    rareWords,
    bulkWords,
    frequencyDirection: uf,
    rareDirection: ur,
    featureRoles: { constant: 0, semantic, rare },
    hStar(X: Matrix): Matrix {
      const f = 'World.hStar';
      checkMatrix(f, 'X', X);
      if (X.cols !== k) throw shapeError(f, 'X', `a matrix with ${countOf(k, 'column')} (world.featureDim)`, shapeOf(X));
      checkFiniteMatrix(f, 'X', X);
      return hStarUnchecked(X);
    },
    sampleContexts(m: number, r: Rng): WorldContexts {
      const f = 'World.sampleContexts';
      checkPositiveInt(f, 'm', m);
      checkRng(f, r);
      return sampleContextsUnchecked(m, r);
    },
    sampleCorpus(m: number, kw: number, r: Rng): WorldCorpus {
      const f = 'World.sampleCorpus';
      checkPositiveInt(f, 'm', m);
      checkPositiveInt(f, 'k', kw);
      checkRng(f, r);
      // Two forked streams: the contexts do not depend on k, and the words on nothing drawn before.
      const ctx = sampleContextsUnchecked(m, r.fork('contexts'));
      const words = sampleNextWordsKernel(V, ctx.H, kw, r.fork('words'));
      return { X: ctx.X, H: ctx.H, words };
    },
    trueLogits(H: Matrix): Matrix {
      checkH('World.trueLogits', H);
      return checkedLogits('World.trueLogits', V, H);
    },
    trueLogProbs(H: Matrix): Matrix {
      checkH('World.trueLogProbs', H);
      return logSoftmaxRows(checkedLogits('World.trueLogProbs', V, H));
    },
  };
}

/** Householder reflection `x ← x − 2 q (qᵀ x)` of the `d` entries of `x` at `off` with stride `s` (`q` unit). */
function reflect(q: Float64Array, x: Float64Array, off: number, s: number, d: number): void {
  let dot = 0;
  for (let i = 0; i < d; i++) dot += q[i] * x[off + i * s];
  const t = 2 * dot;
  for (let i = 0; i < d; i++) x[off + i * s] -= t * q[i];
}

/** Scale each row to norm `r` (rows of norm 0 stay 0: there is no direction to keep). */
function normalizeRows(h: Float64Array, m: number, d: number, r: number): void {
  for (let i = 0; i < m; i++) {
    let ss = 0;
    for (let j = 0; j < d; j++) ss += h[i * d + j] * h[i * d + j];
    if (ss === 0) continue;
    const s = r / Math.sqrt(ss);
    for (let j = 0; j < d; j++) h[i * d + j] *= s;
  }
}
