import { checkNumber, checkOptions, checkPositiveInt, describeValue, domainError } from '../internal/check.js';
import { solveLeastSquares } from '../linalg/index.js';
import { matrix } from '../matrix/matrix.js';
import { createRng, permutation } from '../random/index.js';
import type { RareWordRow, RareWordSweepResult } from './results.js';
import { isArrayValue, type ExperimentProgress } from './progressTypes.js';
import { rareWordInstanceKernel, type RareWordGrid } from './rareWordKernel.js';

/** Options of {@link runRareWordSweep}. */
export interface RareWordSweepOptions {
  /** Seed of the top words' logits and of the probe's train/test split (default `'2023'`). */
  readonly seed?: string | number;
  /** The values of `L` to sweep (default `0, 1, …, 20`). */
  readonly L?: readonly number[];
  /** Quadrature points along `x ∈ [1, 2]` (default 64). */
  readonly gridX?: number;
  /** Quadrature points along `z ∈ [−1, 1]` (default 64). */
  readonly gridZ?: number;
  /** Number of top words (default 8). */
  readonly topWords?: number;
  /** The `ε` the sweep solves for: the smallest `L` with `ε(L) ≤ epsilonTarget` is found by bisection (default 1e-6). */
  readonly epsilonTarget?: number;
  /** Fraction of the grid held out to score the ridge probe (default 0.3). */
  readonly holdout?: number;
  /** Called after each `L` with the number done and the total. */
  readonly onProgress?: (p: ExperimentProgress) => void;
}

const FN = 'runRareWordSweep';

/**
 * Experiment E3 (THEORY.md §6): Theorem 2's rare-word instance swept over the rare word's logit
 * offset `L`. The learned model forgets the coordinate `z` of `h*(s) = (x, z)` that only the rare
 * word sees; as `L` grows the rare word's probability, and with it the excess loss `ε`, vanish,
 * while no predictor of `y = z` from `ĥ(s) = (x, 0)` can do better than `Var(z) = 1/3`.
 *
 * Expectations are exact over a midpoint quadrature grid on `[1, 2] × [−1, 1]` (`gridX · gridZ`
 * contexts, uniform weights), so `ε` and the best predictor's error are computed, not estimated. The
 * best predictor is `E[z | ĥ]`, the mean of `z` over the grid points that share `x`; its MSE is the
 * grid's variance of `z`, `(1 − 1/gridZ²)/3`. A ridge probe (`λ = 1e-6`, needed because the second
 * coordinate of `ĥ` is identically 0) is fitted on a seeded split and scored on the held-out part.
 *
 * @example
 * ```ts
 * const r = runRareWordSweep({ seed: 1, L: [0, 5, 10], gridX: 16, gridZ: 16 });
 * r.rows[2].excessLoss < 1e-4;       // true: ε vanishes as L grows
 * r.rows[2].bestPredictorMse > 0.33; // true: the floor stays
 * ```
 * @throws DomainError when an option is out of range (a negative or non-finite `L`, a grid below 2
 *   points, `holdout ∉ (0, 1)`, `epsilonTarget ∉ (0, 1)`)
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
  const gridX = opts.gridX ?? 64;
  const gridZ = opts.gridZ ?? 64;
  checkNumber(FN, 'opts.gridX', gridX, { integer: true, min: 2 });
  checkNumber(FN, 'opts.gridZ', gridZ, { integer: true, min: 2 });
  const topWords = opts.topWords ?? 8;
  checkPositiveInt(FN, 'opts.topWords', topWords);
  const epsilonTarget = opts.epsilonTarget ?? 1e-6;
  checkNumber(FN, 'opts.epsilonTarget', epsilonTarget, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const holdout = opts.holdout ?? 0.3;
  checkNumber(FN, 'opts.holdout', holdout, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw domainError(FN, 'opts.onProgress', 'a function', describeValue(opts.onProgress));
  }

  // Top-word slopes α_j ~ N(0, 0.5²) with the first made non-negative, so that max α_j ≥ 0 as the
  // construction requires (it makes Z(s) ≥ 1 and hence p̂(r|s) ≤ e^{−L}).
  const alphaRng = rng.fork('alpha');
  const alpha = new Float64Array(topWords);
  for (let j = 0; j < topWords; j++) alpha[j] = 0.5 * alphaRng.normal();
  alpha[0] = Math.abs(alpha[0]);

  const m = gridX * gridZ;
  const xs = new Float64Array(m);
  const zs = new Float64Array(m);
  for (let i = 0; i < gridX; i++) {
    for (let j = 0; j < gridZ; j++) {
      xs[i * gridZ + j] = 1 + (i + 0.5) / gridX;
      zs[i * gridZ + j] = -1 + (2 * (j + 0.5)) / gridZ;
    }
  }
  const grid: RareWordGrid = { x: xs, z: zs, alpha };

  // Best predictor E[z | ĥ]: ĥ = (x, 0) takes gridX distinct values, each shared by gridZ points.
  let bestSse = 0;
  for (let i = 0; i < gridX; i++) {
    let mean = 0;
    for (let j = 0; j < gridZ; j++) mean += zs[i * gridZ + j];
    mean /= gridZ;
    for (let j = 0; j < gridZ; j++) bestSse += (zs[i * gridZ + j] - mean) ** 2;
  }
  const bestPredictorMse = bestSse / m;

  // Ridge probe on ĥ = (x, 0): the split is the seeded part; ĥ does not depend on L, so neither does the probe.
  const splitRng = rng.fork('split');
  const isTest = new Uint8Array(m);
  const nTest = Math.max(1, Math.round(holdout * m));
  const order = permutation(m, splitRng);
  for (let i = 0; i < nTest; i++) isTest[order[i]] = 1;
  const trainIdx = order.slice(nTest);
  const Xtr = matrix(trainIdx.length, 2);
  const ytr = new Float64Array(trainIdx.length);
  trainIdx.forEach((g, r) => {
    Xtr.data[r * 2] = xs[g];
    ytr[r] = zs[g];
  });
  const fit = solveLeastSquares(Xtr, ytr, { ridge: 1e-6, intercept: true });
  let ridgeSse = 0;
  for (let g = 0; g < m; g++) {
    if (!isTest[g]) continue;
    const pred = fit.coefficients[0] * xs[g] + fit.intercept;
    ridgeSse += (pred - zs[g]) ** 2;
  }
  const ridgeProbeMse = ridgeSse / nTest;

  const rows: RareWordRow[] = [];
  Ls.forEach((L, i) => {
    const inst = rareWordInstanceKernel(grid, L);
    rows.push({ L, excessLoss: inst.excessLoss, chiSquareBound: inst.chiSquare, rareWordProb: inst.maxRareProb, bestPredictorMse, ridgeProbeMse });
    opts.onProgress?.({ done: i + 1, total: Ls.length + 1, detail: `L=${L} ε=${inst.excessLoss.toExponential(2)}` });
  });

  // Bisection for the smallest L with ε(L) ≤ target: ε is decreasing in L (the rare word's mass
  // e^{−Lx+z}/Z only shrinks), and L = log(3/ε) + 2 is past the target by the χ² bound's e^{−L}(e−1)².
  let lo = 0;
  let hi = Math.log(3 / epsilonTarget) + 2;
  while (rareWordInstanceKernel(grid, hi).excessLoss > epsilonTarget) hi *= 2;
  if (rareWordInstanceKernel(grid, lo).excessLoss <= epsilonTarget) hi = lo;
  for (let it = 0; it < 60 && hi - lo > 1e-6; it++) {
    const mid = (lo + hi) / 2;
    if (rareWordInstanceKernel(grid, mid).excessLoss <= epsilonTarget) hi = mid;
    else lo = mid;
  }
  const atTarget = rareWordInstanceKernel(grid, hi);
  opts.onProgress?.({ done: Ls.length + 1, total: Ls.length + 1, detail: `ε ≤ ${epsilonTarget} from L=${hi.toFixed(3)}` });

  return {
    kind: 'rareWordSweep',
    seed: rng.seed,
    seconds: (performance.now() - t0) / 1000,
    sizes: { contexts: m, topWords },
    floor: 1 / 3,
    rows,
    target: { epsilonTarget, L: hi, excessLoss: atTarget.excessLoss, bestPredictorMse },
  };
}
