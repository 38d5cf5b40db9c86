import { checkNumber, checkOptions, checkPositiveInt, describeValue, domainError } from '../core/check.js';
import { solveLeastSquares } from '../linalg/index.js';
import { matrix } from '../core/matrix.js';
import { createRng, permutation, type Rng } from '../random/index.js';
import { rareWordConstruction, type RareWordConstruction } from '../theory/rareWordConstruction.js';
import type { RareWordRow, RareWordSweepResult } from './results.js';
import { isArrayValue, type ExperimentProgress } from './progressTypes.js';

/** Options of {@link runRareWordSweep}. */
export interface RareWordSweepOptions {
  /** Seed of the top words' logits and of the probe's train/test split (default `'2023'`). */
  readonly seed?: string | number;
  /** The values of `L` to sweep (default `0, 1, …, 20`). */
  readonly L?: readonly number[];
  /**
   * Gauss–Legendre nodes per coordinate (`x` and `z`) of {@link rareWordConstruction}'s grid, which
   * has `nodes²` contexts; an integer in `[2, 200]` (default 24, exact to the construction's
   * `quadratureTolerance`). Replaces the former midpoint-grid options `gridX` and `gridZ`.
   */
  readonly nodes?: number;
  /** Number of top words (default 8). */
  readonly topWords?: number;
  /** The `ε` the sweep solves for: the smallest `L` with `ε(L) ≤ epsilonTarget` is found by bisection (default 1e-6). */
  readonly epsilonTarget?: number;
  /** Fraction of the grid's contexts held out to score the ridge probe (default 0.3). */
  readonly holdout?: number;
  /** Called after each `L` with the number done and the total. */
  readonly onProgress?: (p: ExperimentProgress) => void;
}

const FN = 'runRareWordSweep';

/** The former midpoint-grid options, rejected so that a caller passing them learns of `nodes`. */
const REMOVED_OPTIONS = ['gridX', 'gridZ'] as const;

/**
 * The top words' slopes `α_j` of E3's instance for a seed: `α_j ~ N(0, 0.5²)` drawn from
 * `createRng(seed).fork('alpha')`, with the first made non-negative so that `max α_j ≥ 0`, as
 * {@link rareWordConstruction} requires (it makes `Z(s) ≥ 1` and hence `p̂(r|s) ≤ e^{−L}`).
 * {@link runRareWordSweep} passes exactly these to the construction for every `L`.
 *
 * @internal
 * @example
 * ```ts
 * const alphas = rareWordTopAlphas(1, 8);
 * const c = rareWordConstruction(4, { nodes: 24, topAlphas: alphas });
 * c.epsilon === runRareWordSweep({ seed: 1, L: [4] }).rows[0].excessLoss; // true
 * ```
 * @throws DomainError when `seed` is not a non-empty string or a finite number, or `topWords` is not a positive integer
 */
export function rareWordTopAlphas(seed: string | number, topWords: number): number[] {
  checkPositiveInt('rareWordTopAlphas', 'topWords', topWords);
  const rng = createRng(seed).fork('alpha');
  const alpha: number[] = [];
  for (let j = 0; j < topWords; j++) alpha.push(0.5 * rng.normal());
  alpha[0] = Math.abs(alpha[0]);
  return alpha;
}

/**
 * Experiment E3 (docs/theory.md#8-the-experiments): Theorem 2's rare-word instance (docs/theory.md#6-theorem-2-no-transfer-through-a-rare-word) swept over the rare
 * word's logit offset `L`. The learned model forgets the coordinate `z` of `h*(s) = (x, z)` that only
 * the rare word sees; as `L` grows the rare word's probability, and with it the excess loss `ε`,
 * vanish, while no predictor of `y = z` from `ĥ(s) = (x, 0)` can do better than `Var(z) = 1/3`.
 *
 * Every row is {@link rareWordConstruction}`(L, { nodes, topAlphas })` with the seeded top-word
 * slopes of `rareWordTopAlphas`: `ε`, `E χ²`, `max_s p*(r|s)` and the best predictor's error
 * are the construction's `epsilon`, `expectedChi2`, `maxRareProbability` and `floor`, exact over its
 * tensor Gauss–Legendre grid and equal to the continuous expectations to its `quadratureTolerance`
 * (so the floor is `1/3` to rounding). What E3 adds is the seeded part: a ridge probe on `ĥ`
 * (`λ = 1e-6`, needed because the second coordinate of `ĥ` is identically 0) fitted with the grid's
 * weights on a seeded split of the grid's contexts and scored (weighted) on the held-out part, and the
 * smallest `L` with `ε ≤ epsilonTarget`, found by bisection.
 *
 * @example
 * ```ts
 * const r = runRareWordSweep({ seed: 1, L: [0, 5, 10], nodes: 16 });
 * r.rows[2].excessLoss < 1e-4;       // true: ε vanishes as L grows
 * r.rows[2].bestPredictorMse;        // 0.3333…: the floor stays
 * ```
 * @throws DomainError when an option is out of range (a negative or non-finite `L`, `nodes` not an
 *   integer in `[2, 200]`, `holdout ∉ (0, 1)`, `epsilonTarget ∉ (0, 1)`) or a removed option
 *   (`gridX`, `gridZ`) is given
 */
export function runRareWordSweep(opts: RareWordSweepOptions = {}): RareWordSweepResult {
  checkOptions(FN, 'opts', opts);
  const t0 = performance.now();
  const seedArg = opts.seed === undefined ? '2023' : opts.seed;
  if (typeof seedArg !== 'string' && typeof seedArg !== 'number') throw domainError(FN, 'opts.seed', 'a string or a number', describeValue(seedArg));
  const rng = createRng(seedArg);
  const Ls = opts.L ?? Array.from({ length: 21 }, (_, i) => i);
  if (!isArrayValue(Ls) || Ls.length === 0) throw domainError(FN, 'opts.L', 'a non-empty array of numbers ≥ 0', describeValue(Ls));
  Ls.forEach((l, i) => checkNumber(FN, `opts.L[${i}]`, l, { min: 0, max: 700 }));
  for (const name of REMOVED_OPTIONS) {
    const v = (opts as Record<string, unknown>)[name];
    if (v !== undefined) throw domainError(FN, `opts.${name}`, 'absent (replaced by opts.nodes, Gauss–Legendre nodes per coordinate)', describeValue(v));
  }
  const nodes = opts.nodes ?? 24;
  checkNumber(FN, 'opts.nodes', nodes, { integer: true, min: 2, max: 200 });
  const topWords = opts.topWords ?? 8;
  checkPositiveInt(FN, 'opts.topWords', topWords);
  const epsilonTarget = opts.epsilonTarget ?? 1e-6;
  checkNumber(FN, 'opts.epsilonTarget', epsilonTarget, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const holdout = opts.holdout ?? 0.3;
  checkNumber(FN, 'opts.holdout', holdout, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw domainError(FN, 'opts.onProgress', 'a function', describeValue(opts.onProgress));
  }

  const topAlphas = rareWordTopAlphas(seedArg, topWords);
  const instance = (L: number): RareWordConstruction => rareWordConstruction(L, { nodes, topAlphas });

  // ĥ, y and the grid weights do not depend on L, so neither does the probe: fit it once.
  const first = instance(Ls[0]);
  const ridgeProbeMse = heldOutRidgeMse(first, holdout, rng.fork('split'));

  const rows: RareWordRow[] = [];
  Ls.forEach((L, i) => {
    const c = i === 0 ? first : instance(L);
    rows.push({ L, excessLoss: c.epsilon, chiSquareBound: c.expectedChi2, rareWordProb: c.maxRareProbability, bestPredictorMse: c.floor, ridgeProbeMse });
    opts.onProgress?.({ done: i + 1, total: Ls.length + 1, detail: `L=${L} ε=${c.epsilon.toExponential(2)}` });
  });

  // Bisection for the smallest L with ε(L) ≤ target: ε is decreasing in L (the rare word's mass
  // e^{−Lx}/Ẑ only shrinks), and L = log(3/ε) + 2 is past the target by the χ² bound's e^{−L}(e−1)².
  let lo = 0;
  let hi = Math.log(3 / epsilonTarget) + 2;
  let atHi = instance(hi);
  while (atHi.epsilon > epsilonTarget) atHi = instance((hi *= 2));
  const atZero = instance(lo);
  if (atZero.epsilon <= epsilonTarget) {
    hi = lo;
    atHi = atZero;
  }
  for (let it = 0; it < 60 && hi - lo > 1e-6; it++) {
    const mid = (lo + hi) / 2;
    const c = instance(mid);
    if (c.epsilon <= epsilonTarget) {
      hi = mid;
      atHi = c;
    } else lo = mid;
  }
  opts.onProgress?.({ done: Ls.length + 1, total: Ls.length + 1, detail: `ε ≤ ${epsilonTarget} from L=${hi.toFixed(3)}` });

  return {
    kind: 'rareWordSweep',
    seed: rng.seed,
    seconds: (performance.now() - t0) / 1000,
    sizes: { contexts: first.contextWeights.length, topWords },
    floor: 1 / 3,
    rows,
    target: { epsilonTarget, L: hi, excessLoss: atHi.epsilon, bestPredictorMse: atHi.floor },
  };
}

/**
 * Held-out error of a ridge probe on `ĥ`: the grid's contexts are split by a seeded permutation, the
 * probe is fitted on the train part with the grid's weights and scored by the weighted mean squared
 * error on the held-out part (`holdout` of the contexts, at least one, leaving at least one to fit).
 */
function heldOutRidgeMse(c: RareWordConstruction, holdout: number, rng: Rng): number {
  const { Hhat, y, contextWeights: mu } = c;
  const m = y.length;
  const d = Hhat.cols;
  const nTest = Math.min(m - 1, Math.max(1, Math.round(holdout * m)));
  const order = permutation(m, rng);
  const nTrain = m - nTest;
  const X = matrix(nTrain, d);
  const yTrain = new Float64Array(nTrain);
  const wTrain = new Float64Array(nTrain);
  for (let r = 0; r < nTrain; r++) {
    const g = order[nTest + r];
    for (let k = 0; k < d; k++) X.data[r * d + k] = Hhat.data[g * d + k];
    yTrain[r] = y[g];
    wTrain[r] = mu[g];
  }
  // A ridge of 1e-6 on the weighted sum of squares, as before solveLeastSquares's ridge became
  // mean-scaled: divided by Σ w it is the same problem.
  let wSum = 0;
  for (let r = 0; r < nTrain; r++) wSum += wTrain[r];
  const fit = solveLeastSquares(X, yTrain, { ridge: 1e-6 / wSum, intercept: true, weights: wTrain });
  let sse = 0;
  let wTest = 0;
  for (let t = 0; t < nTest; t++) {
    const g = order[t];
    let pred = fit.intercept;
    for (let k = 0; k < d; k++) pred += fit.coefficients[k] * Hhat.data[g * d + k];
    sse += mu[g] * (pred - y[g]) ** 2;
    wTest += mu[g];
  }
  return sse / wTest;
}
