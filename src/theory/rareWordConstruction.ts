import type { Matrix } from '../core/matrix.js';
import { checkNumber, checkOptions, describeValue, domainError } from '../core/check.js';
import { linearTask } from '../tasks/linearTask.js';
import type { Task } from '../tasks/types.js';
import { gaussLegendre } from './gaussLegendre.js';
import { tensorGrid } from './gridKernel.js';
import { contextStatsKernel } from './contextStatsKernel.js';
import { rowLogSumExp } from '../kernels/softmaxKernel.js';
import { bestPredictorError } from './bestPredictorError.js';
import { binaryKlFromLog } from './binaryKlKernel.js';

/** Options of {@link rareWordConstruction}. */
export interface RareWordOptions {
  /** Gauss–Legendre nodes per coordinate (`x` and `z`); the grid has `nodes²` contexts. Default 24. */
  readonly nodes?: number;
  /** The top words' `α_j` (`v_j = (α_j, 0)`), at least one, with `max α_j ≥ 0`. Default `[0, 0.5, 1]`. */
  readonly topAlphas?: readonly number[];
}

/** The instance of Theorem 2 on a quadrature grid. */
export interface RareWordConstruction {
  /** The rare word's parameter `L`. */
  readonly L: number;
  /** `V*` (`n × 2`): top words `(α_j, 0)`, then the rare word `(−L, 1)`. */
  readonly Vstar: Matrix;
  /** `V̂ = V*` (a copy). */
  readonly Vhat: Matrix;
  /** Index of the rare word `r` (the last row). */
  readonly rareWord: number;
  /** `h*(s) = (x, z)` on the grid (`m × 2`). */
  readonly Hstar: Matrix;
  /** `ĥ(s) = (x, 0)` on the grid. */
  readonly Hhat: Matrix;
  /** Grid weights (sum 1): the product of the two Gauss–Legendre rules, `x ~ U[1, 2]`, `z ~ U[−1, 1]`. */
  readonly contextWeights: Float64Array;
  /** The task `y = z = ⟨(0, 1), h*⟩`. */
  readonly task: Task;
  /** `y` on the grid. */
  readonly y: Float64Array;
  /** `κ(s)` per context, in closed form (`kl(p*(r|s) ‖ p̂(r|s))`, exact because the models differ only in r's logit). */
  readonly kl: Float64Array;
  /** `χ²(p*(·|s) ‖ p̂(·|s)) = ρ(1−ρ)(e^z − 1)² / K²` per context. */
  readonly chi2: Float64Array;
  /** `ε = E_s κ(s)`, exact over the grid. */
  readonly epsilon: number;
  /** `E_s χ²(s)` over the grid (`≥ ε`, since `KL ≤ log(1 + χ²) ≤ χ²`). */
  readonly expectedChi2: number;
  /**
   * The closed-form bound `(e − 1)² e^{−L} / (1 − e^{−L})²` of the specification. It is `+∞` at
   * `L = 0` (division by `1 − e^{−L} = 0`) and for `0 < L < 1.2815531348877264e-154`, where the
   * exact value `≈ (e − 1)²/L²` exceeds the largest double and `+∞` is its upward rounding. Both are
   * vacuous bounds (`docs/theory.md#overflow`: a bound is `+∞` only where it is vacuous): every
   * context has `χ² ≤ (e − 1)² ρ(1 − ρ) ≤ (e − 1)²/4`, so the actual `expectedChi2` stays below 0.74.
   * Finite for every larger `L`.
   */
  readonly chi2Bound: number;
  /** `max_s p*(r|s)`: the rare word's largest probability (the floor `γ` Theorem 1 would need). */
  readonly maxRareProbability: number;
  /** Best predictor of `y` from `ĥ` (any function): its MSE on the grid. */
  readonly floor: number;
  /** `Var(z)` on the grid (`1/3` to rounding: Gauss–Legendre with ≥ 2 nodes integrates `z²` exactly). */
  readonly varianceZ: number;
  /**
   * Stated tolerance of the grid expectations against the continuous ones: 1e-12, absolute for
   * `varianceZ` and `floor` (polynomial in `z`, exact to rounding) and relative for `epsilon` and
   * `expectedChi2` (analytic integrands: 24 and 40 nodes agree to 3e-14 relative for `L ≤ 40`).
   */
  readonly quadratureTolerance: number;
}

/**
 * Theorem 2 (no transfer through a rare word): for every `ε > 0` there is an instance with
 * `E_s KL(p*‖p̂) ≤ ε` in which no predictor of `y` from `ĥ` has MSE below `Var(z) = 1/3`.
 *
 * Instance (docs/theory.md#6-theorem-2-no-transfer-through-a-rare-word): `d = 2`, `h*(s) = (x, z)` with `x ~ U[1, 2]`, `z ~ U[−1, 1]`
 * independent; top words `v_j = (α_j, 0)`; a rare word `v_r = (−L, 1)`; `V̂ = V*`, `ĥ(s) = (x, 0)`;
 * task `y = z`. Only the rare word's logit differs between the models (by `z`), and its probability
 * is at most `e^{−L}`, so `ε → 0` as `L → ∞` while `ĥ` carries no information about `z`.
 *
 * Contexts are a tensor-product Gauss–Legendre grid in `(x, z)`, so `x` and `z` are exactly
 * independent on it and every expectation is a finite weighted sum: `ε`, `E χ²` and the floor are
 * exact for the grid and agree with the continuous expectations to the stated quadrature tolerance
 * (the integrands are analytic; see `docs/theory.md`).
 *
 * @param L - the rare word's offset, finite and `≥ 0`.
 * @throws DomainError when `L` is not finite or negative, or an option is malformed.
 * @throws NumericalError when a top word's logit `α_j x` overflows a double.
 * @example
 * ```ts
 * const c = rareWordConstruction(16);
 * c.epsilon;  // 2.4e-10 (below c.chi2Bound = 3.3e-7)
 * c.floor;    // 0.3333… : ĥ carries nothing about z
 * ```
 */
export function rareWordConstruction(L: number, opts?: RareWordOptions): RareWordConstruction {
  const fn = 'rareWordConstruction';
  checkNumber(fn, 'L', L, { min: 0 });
  checkOptions(fn, 'opts', opts);
  const nodes = opts?.nodes ?? 24;
  checkNumber(fn, 'opts.nodes', nodes, { integer: true, min: 2, max: 200 });
  const rawAlphas: unknown = opts?.topAlphas ?? [0, 0.5, 1];
  if (!Array.isArray(rawAlphas) || rawAlphas.length === 0) throw domainError(fn, 'opts.topAlphas', 'a non-empty array of numbers', describeValue(rawAlphas));
  const alphas = rawAlphas as readonly number[];
  let maxAlpha = -Infinity;
  for (let j = 0; j < alphas.length; j++) {
    checkNumber(fn, `opts.topAlphas[${j}]`, alphas[j]);
    maxAlpha = Math.max(maxAlpha, alphas[j]);
  }
  if (maxAlpha < 0) throw domainError(fn, 'opts.topAlphas', 'values with max α ≥ 0 (so that p̂(r|s) ≤ e^{−L})', `max ${maxAlpha}`);
  const n = alphas.length + 1;
  const r = n - 1;
  const Vdata = new Float64Array(n * 2);
  for (let j = 0; j < alphas.length; j++) Vdata[2 * j] = alphas[j];
  Vdata[2 * r] = -L;
  Vdata[2 * r + 1] = 1;
  const Vstar: Matrix = { rows: n, cols: 2, data: Vdata };
  const Vhat: Matrix = { rows: n, cols: 2, data: Vdata.slice() };
  const grid = tensorGrid([gaussLegendre(nodes, 1, 2), gaussLegendre(nodes, -1, 1)]);
  const m = grid.weights.length;
  const hs = new Float64Array(2 * m);
  const hh = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) {
    hs[2 * i] = grid.points[0][i];
    hs[2 * i + 1] = grid.points[1][i];
    hh[2 * i] = grid.points[0][i];
  }
  const Hstar: Matrix = { rows: m, cols: 2, data: hs };
  const Hhat: Matrix = { rows: m, cols: 2, data: hh };
  const mu = grid.weights;
  const top = Int32Array.from({ length: alphas.length }, (_, j) => j);
  const stats = contextStatsKernel(fn, Vstar, Hstar, Vhat, Hhat, Int32Array.of(r), top);
  const chi2 = new Float64Array(m);
  const kl = new Float64Array(m);
  const zrow = new Float64Array(n);
  let epsilon = 0;
  let expectedChi2 = 0;
  let maxRare = 0;
  for (let i = 0; i < m; i++) {
    const x = hs[2 * i];
    const z = hs[2 * i + 1];
    // ρ = p̂(r|s) from the learned logits, in the log domain.
    for (let j = 0; j < alphas.length; j++) zrow[j] = alphas[j] * x;
    zrow[r] = -L * x;
    const logRho = zrow[r] - rowLogSumExp(zrow, 0, n);
    const rho = Math.exp(logRho);
    const em1 = Math.expm1(z);
    const K = 1 + rho * em1;
    chi2[i] = (rho * (1 - rho) * em1 * em1) / (K * K);
    // κ(s) in closed form: p* and p̂ are proportional off r, so KL = kl(p*(r) ‖ p̂(r)) exactly, with
    // log p*(r) = log ρ + z − log K and log p̂(r) − log p*(r) = −z + log K, log K = log1p(ρ·expm1(z)).
    // The generic KL from logits has an absolute error of a few ulps of log Z, i.e. no relative
    // accuracy once κ < 1e-13 (L ≳ 25); this form keeps full relative accuracy for every L.
    const logK = Math.log1p(rho * em1);
    kl[i] = binaryKlFromLog(Math.min(0, logRho + z - logK), -z + logK);
    epsilon += mu[i] * kl[i];
    expectedChi2 += mu[i] * chi2[i];
    maxRare = Math.max(maxRare, Math.exp(stats.wordLogitsStar[i] - stats.logZStar[i]));
  }
  const task = linearTask(Float64Array.of(0, 1));
  const y = task.labels(Hstar);
  let mz = 0;
  for (let i = 0; i < m; i++) mz += mu[i] * y[i];
  let vz = 0;
  for (let i = 0; i < m; i++) vz += mu[i] * (y[i] - mz) ** 2;
  const eL = Math.exp(-L);
  return {
    L,
    Vstar,
    Vhat,
    rareWord: r,
    Hstar,
    Hhat,
    contextWeights: mu,
    task,
    y,
    kl,
    chi2,
    epsilon,
    expectedChi2,
    // expm1 keeps 1 − e^{−L} accurate for small L; below L ≈ 1.28e-154 the quotient overflows, which
    // rounds the (vacuous) bound up to +∞ as documented.
    chi2Bound: L === 0 ? Infinity : ((Math.E - 1) ** 2 * eL) / (-Math.expm1(-L)) ** 2,
    maxRareProbability: maxRare,
    floor: bestPredictorError(Hhat, y, mu),
    varianceZ: vz,
    quadratureTolerance: 1e-12,
  };
}
