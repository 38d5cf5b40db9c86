/**
 * The instance generator of the theorem tests (a helper, not a test file). From one integer seed it
 * draws, through the library's `createRng`: a vocabulary size `n`, a dimension `d`, a ground truth
 * `V*` and `h*` on `m` contexts, a learned model near or far from the truth (including `V̂ ≠ V*`,
 * a different learned dimension, a single-word perturbation that makes the lemmas tight, and an
 * invisible-direction perturbation with `ε = 0`), task words, a bulk, weights `a` (general, single
 * word or contrast), anchors of both models (least-squares fits, sometimes perturbed: Theorem 1 holds
 * for any anchor) and context weights.
 *
 * Word probabilities have a floor in practice because `n ≤ 10` and logits are `O(1)`; the tests
 * count how many contexts satisfy each hypothesis and assert a good share.
 */
import fc from 'fast-check';
import { createRng } from '../../src/random/createRng.js';
import type { Rng } from '../../src/random/createRng.js';
import type { Matrix } from '../../src/core/matrix.js';
import { logPartition } from '../../src/softmax/logPartition.js';
import { solveLeastSquares } from '../../src/linalg/solveLeastSquares.js';
import type { Anchor, TransferInstance } from '../../src/theory/types.js';

export type InstanceKind = 'near' | 'far' | 'otherDim' | 'singleWord' | 'invisible';
export const KINDS: readonly InstanceKind[] = ['near', 'far', 'otherDim', 'singleWord', 'invisible'];

export interface Generated {
  readonly seed: number;
  readonly kind: InstanceKind;
  readonly n: number;
  readonly d: number;
  readonly m: number;
  readonly taskType: 'general' | 'single' | 'contrast';
  /** The word whose embedding was perturbed ('singleWord' kind), else −1. */
  readonly perturbedWord: number;
  readonly instance: TransferInstance;
}

function gaussian(rng: Rng, rows: number, cols: number, scale: number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows, cols, data };
}

function shuffle(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Least-squares anchor of `(V, H)` on `bulk` with context weights `mu`. */
export function fitLsAnchor(V: Matrix, H: Matrix, bulk: Int32Array, mu: Float64Array): Anchor {
  const zeta = logPartition(V, H, bulk);
  const fit = solveLeastSquares(H, zeta, { intercept: true, weights: mu });
  return { anchor: fit.coefficients, intercept: fit.intercept };
}

export interface GenerateOptions {
  /** Force the number of contexts (default: drawn in `[7, 26]`). */
  readonly m?: number;
  /** Force the kind. */
  readonly kind?: InstanceKind;
  /**
   * Larger instances: n in [100, 2099], d in [5, 36] ([6, 37] for the `invisible` kind), learned dimension up to 36 for `otherDim`,
   * m in [40, 79], embeddings scaled by 2/√d so that logits keep the spread of the small ones.
   */
  readonly large?: boolean;
}

/** Draw the learned representations for the given truth; the recipe is i.i.d. across contexts. */
export function generate(seed: number, opts: GenerateOptions = {}): Generated {
  const rng = createRng(`theory-instance-${seed}`);
  const kind = opts.kind ?? KINDS[rng.int(KINDS.length)];
  const large = opts.large === true;
  const n = large ? 100 + rng.int(2000) : 2 + rng.int(9);
  const d = (kind === 'invisible' ? 2 : 1) + (large ? 4 + rng.int(32) : rng.int(4));
  // m ≥ 7 > (largest learned dimension 4) + 2, so both anchor designs [H 1] have full column rank
  // (large: m ≥ 40 > 37 + 2).
  const m = opts.m ?? (large ? 40 + rng.int(40) : 7 + rng.int(20));
  const vScale = (0.3 + 1.5 * rng.next()) * (large ? 2 / Math.sqrt(d) : 1);
  const Vs = gaussian(rng, n, d, vScale);
  const Hs = gaussian(rng, m, d, 1);
  let Vh: Matrix;
  let Hh: Matrix;
  let perturbedWord = -1;
  if (kind === 'near' || kind === 'far') {
    // Perturbation sizes log-uniform: 1e-4..1e-1 (near) and 0.1..2 (far).
    const sigma = kind === 'near' ? 10 ** (-4 + 3 * rng.next()) : 0.1 * 20 ** rng.next();
    const sameV = rng.next() < 0.25;
    Vh = sameV ? { rows: n, cols: d, data: Vs.data.slice() } : gaussian(rng, n, d, sigma);
    if (!sameV) for (let i = 0; i < Vh.data.length; i++) Vh.data[i] += Vs.data[i];
    Hh = gaussian(rng, m, d, sigma);
    for (let i = 0; i < Hh.data.length; i++) Hh.data[i] += Hs.data[i];
  } else if (kind === 'otherDim') {
    // A learned model of another dimension d': V̂ and ĥ unrelated to the truth except through a
    // random linear map of h*, so that the task is partly recoverable.
    const d2 = 1 + rng.int(large ? 36 : 4);
    Vh = gaussian(rng, n, d2, vScale);
    const P = gaussian(rng, d, d2, 1 / Math.sqrt(d));
    const noise = 10 ** (-3 + 3 * rng.next());
    Hh = gaussian(rng, m, d2, noise);
    for (let i = 0; i < m; i++) for (let k = 0; k < d2; k++) for (let j = 0; j < d; j++) Hh.data[i * d2 + k] += Hs.data[i * d + j] * P.data[j * d2 + k];
  } else if (kind === 'singleWord') {
    // Only one word's embedding moves: p̂ rescales p* inside {w} and inside its complement, which
    // makes Lemma 2 (both forms) and, for n = 2, Pinsker nearly tight.
    perturbedWord = rng.int(n);
    Vh = { rows: n, cols: d, data: Vs.data.slice() };
    const size = 10 ** (-3 + 3 * rng.next());
    for (let k = 0; k < d; k++) Vh.data[perturbedWord * d + k] += size * rng.normal();
    Hh = { rows: m, cols: d, data: Hs.data.slice() };
  } else {
    // Invisible direction: make V* u = c·1 for a unit u, then ĥ = h* + τ(s) u with random τ.
    const u = new Float64Array(d);
    let norm = 0;
    for (let k = 0; k < d; k++) {
      u[k] = rng.normal();
      norm += u[k] * u[k];
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) u[k] /= norm;
    const c = rng.normal();
    for (let w = 0; w < n; w++) {
      let proj = 0;
      for (let k = 0; k < d; k++) proj += Vs.data[w * d + k] * u[k];
      for (let k = 0; k < d; k++) Vs.data[w * d + k] += (c - proj) * u[k];
    }
    Vh = { rows: n, cols: d, data: Vs.data.slice() };
    Hh = { rows: m, cols: d, data: Hs.data.slice() };
    for (let i = 0; i < m; i++) {
      const tau = 2 * rng.normal();
      for (let k = 0; k < d; k++) Hh.data[i * d + k] += tau * u[k];
    }
  }
  // Task words, bulk (the rest, thinned), weights.
  const perm = shuffle(rng, n);
  let k = 1 + rng.int(Math.min(3, n - 1));
  const r = rng.next();
  let taskType: Generated['taskType'] = 'general';
  if (r < 0.25 && k >= 2) taskType = 'contrast';
  else if (r < 0.5) {
    taskType = 'single';
    k = 1;
  }
  if (kind === 'singleWord' && perturbedWord >= 0 && rng.next() < 0.5) {
    // Half the time, put the perturbed word in T (first), so the tight cases are reachable.
    const at = perm.indexOf(perturbedWord);
    [perm[0], perm[at]] = [perm[at], perm[0]];
  }
  const words = Int32Array.from(perm.slice(0, k));
  const rest = perm.slice(k);
  const kept = rest.filter(() => rng.next() < 0.8);
  const bulk = Int32Array.from(kept.length > 0 ? kept : [rest[0]]);
  const weights = new Float64Array(k);
  for (let j = 0; j < k; j++) weights[j] = rng.normal();
  if (taskType === 'contrast') {
    let mean = 0;
    for (let j = 0; j < k; j++) mean += weights[j] / k;
    for (let j = 0; j < k; j++) weights[j] -= mean;
    weights[k - 1] = -weights.subarray(0, k - 1).reduce((s, x) => s + x, 0);
  }
  // Context weights: uniform or random.
  const mu = new Float64Array(m);
  const uniform = rng.next() < 0.5;
  for (let i = 0; i < m; i++) mu[i] = uniform ? 1 : 0.05 + rng.next();
  let anchorStar: Anchor | null = fitLsAnchor(Vs, Hs, bulk, mu);
  let anchorHat: Anchor | null = fitLsAnchor(Vh, Hh, bulk, mu);
  if (rng.next() < 0.3) {
    // Any anchor satisfies Theorem 1; move them off the least-squares fit.
    const jitter = (a: Anchor): Anchor => ({ anchor: a.anchor.map((x) => x + 0.3 * rng.normal()), intercept: a.intercept + 0.3 * rng.normal() });
    anchorStar = jitter(anchorStar);
    anchorHat = jitter(anchorHat);
  }
  if (taskType === 'contrast' && rng.next() < 0.5) {
    anchorStar = null;
    anchorHat = null;
  }
  return {
    seed,
    kind,
    n,
    d,
    m,
    taskType,
    perturbedWord,
    instance: {
      truth: { V: Vs, H: Hs },
      learned: { V: Vh, H: Hh },
      words,
      coefficients: weights,
      bulk,
      anchorStar,
      anchorHat,
      weights: uniform ? undefined : mu,
    },
  };
}

/** Seeds as a fast-check arbitrary, mapped to instances. */
export const instanceArb = (opts: GenerateOptions = {}): fc.Arbitrary<Generated> =>
  fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })).map((seed) => generate(seed, opts));
