import type { Matrix } from '../core/matrix.js';
import { checkNumber, checkOneOf, checkOptions, describeValue, domainError } from '../core/check.js';
import { linearTask } from '../tasks/linearTask.js';
import type { Task } from '../tasks/types.js';
import { gaussLegendre } from './gaussLegendre.js';
import { gaussHermite } from './gaussHermite.js';
import { tensorGrid } from './gridKernel.js';
import { contextStatsKernel } from './contextStatsKernel.js';
import { bestPredictorError } from './bestPredictorError.js';

/** Options of {@link invisibleDirectionConstruction}. */
export interface InvisibleDirectionOptions {
  /**
   * `'replace'` (default): `τ(s) = −z + ξ`, so `ĥ = (x, ξ)` carries nothing about `z`.
   * `'additive'`: `τ(s) = ξ`, so `ĥ = (x, z + ξ)` is a noisy view of `z`.
   */
  readonly variant?: 'replace' | 'additive';
  /** Standard deviation `σ > 0` of `ξ ~ N(0, σ²)` (default 1). */
  readonly sigma?: number;
  /** Nodes per coordinate (Gauss–Legendre for `x`, `z`; Gauss–Hermite for `ξ`); the grid has `nodes³` contexts. Default 12. */
  readonly nodes?: number;
  /** The words' `α_w` (`v_w = (α_w, 1)`), at least two. Default `[−1, 0, 0.5, 1]`. */
  readonly alphas?: readonly number[];
}

/** The instance of Theorem 3 on a quadrature grid. */
export interface InvisibleDirectionConstruction {
  readonly variant: 'replace' | 'additive';
  readonly sigma: number;
  /** `V* = V̂` (`n × 2`), rows `(α_w, 1)`. */
  readonly Vstar: Matrix;
  readonly Vhat: Matrix;
  /** The invisible direction `u = (0, 1)`: `V* u = c·1`. */
  readonly direction: Float64Array;
  /** The constant `c = 1` of `V* u = c·1`. */
  readonly c: number;
  /** `h*(s) = (x, z)`. */
  readonly Hstar: Matrix;
  /** `ĥ(s) = h*(s) + τ(s) u`. */
  readonly Hhat: Matrix;
  /** Grid weights (sum 1): `x ~ U[1, 2]`, `z ~ U[−1, 1]`, `ξ ~ N(0, σ²)`, independent. */
  readonly contextWeights: Float64Array;
  /** `y = z`. */
  readonly task: Task;
  readonly y: Float64Array;
  /** `κ(s)` per context (0 up to rounding). */
  readonly kl: Float64Array;
  /** `ε = E_s κ(s)` (0 up to rounding). */
  readonly epsilon: number;
  /** `Var(z)` on the grid (1/3 to rounding). */
  readonly varianceZ: number;
  /**
   * The error floor. `'replace'`: the best predictor of any form from `ĥ`, computed on the grid
   * (`Var(z)`). `'additive'`: the best linear predictor's MSE, `Var(z) σ² / (Var(z) + σ²)`.
   */
  readonly floor: number;
  /** Which floor `floor` is. */
  readonly floorKind: 'any predictor' | 'linear predictor';
  /** Stated tolerance of grid expectations against the continuous ones: 1e-12. */
  readonly quadratureTolerance: number;
}

/**
 * Theorem 3 (invisible directions): when `V* u = c·1`, moving `h*(s)` along `u` by any `τ(s)` leaves
 * every next-word distribution unchanged, so a learned model `V̂ = V*`, `ĥ = h* + τ u` has `ε = 0`,
 * yet a task along `u` may be impossible to recover from `ĥ`.
 *
 * Instance (docs/theory.md#7-theorem-3-invisible-directions): `d = 2`, `v_w = (α_w, 1)`, `u = (0, 1)` (`c = 1`), `h*(s) = (x, z)` with
 * `x ~ U[1, 2]`, `z ~ U[−1, 1]`, and `ξ ~ N(0, σ²)`, all independent; task `y = z`. With
 * `τ = −z + ξ` (`'replace'`), `ĥ = (x, ξ)` and every predictor has MSE ≥ `Var(z) = 1/3`; with
 * `τ = ξ` (`'additive'`), the best linear probe has MSE `Var(z) σ² / (Var(z) + σ²)`.
 *
 * Contexts are a tensor-product grid (Gauss–Legendre in `x` and `z`, Gauss–Hermite in `ξ`), so the
 * three are exactly independent on it and the moments that the floors use (`E z²`, `E ξ²`) are exact.
 *
 * @throws DomainError on a bad option; NumericalError when a logit `α_w x + z` overflows a double.
 * @example
 * ```ts
 * const c = invisibleDirectionConstruction();
 * c.epsilon; // 4e-17 (rounding): the models agree on every next-word distribution
 * c.floor;   // 0.3333…
 * ```
 */
export function invisibleDirectionConstruction(opts?: InvisibleDirectionOptions): InvisibleDirectionConstruction {
  const fn = 'invisibleDirectionConstruction';
  checkOptions(fn, 'opts', opts);
  const variant = opts?.variant ?? 'replace';
  checkOneOf(fn, 'opts.variant', variant, ['replace', 'additive'] as const);
  const sigma = opts?.sigma ?? 1;
  checkNumber(fn, 'opts.sigma', sigma, { min: 0, minExclusive: true });
  const nodes = opts?.nodes ?? 12;
  checkNumber(fn, 'opts.nodes', nodes, { integer: true, min: 2, max: 60 });
  const rawAlphas: unknown = opts?.alphas ?? [-1, 0, 0.5, 1];
  if (!Array.isArray(rawAlphas) || rawAlphas.length < 2) throw domainError(fn, 'opts.alphas', 'an array of at least two numbers', describeValue(rawAlphas));
  const alphas = rawAlphas as readonly number[];
  for (let j = 0; j < alphas.length; j++) checkNumber(fn, `opts.alphas[${j}]`, alphas[j]);
  const n = alphas.length;
  const Vdata = new Float64Array(2 * n);
  for (let w = 0; w < n; w++) {
    Vdata[2 * w] = alphas[w];
    Vdata[2 * w + 1] = 1;
  }
  const Vstar: Matrix = { rows: n, cols: 2, data: Vdata };
  const Vhat: Matrix = { rows: n, cols: 2, data: Vdata.slice() };
  const grid = tensorGrid([gaussLegendre(nodes, 1, 2), gaussLegendre(nodes, -1, 1), gaussHermite(nodes, sigma)]);
  const m = grid.weights.length;
  const hs = new Float64Array(2 * m);
  const hh = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) {
    const x = grid.points[0][i];
    const z = grid.points[1][i];
    const xi = grid.points[2][i];
    hs[2 * i] = x;
    hs[2 * i + 1] = z;
    // ĥ = h* + τ u with u = (0, 1): only the second coordinate moves. For 'replace' the sum
    // z + (−z + ξ) is written as ξ itself: in floating point it can differ from ξ by an ulp, which
    // would split contexts that share ĥ and fake information about z in the best-predictor floor.
    hh[2 * i] = x;
    hh[2 * i + 1] = variant === 'replace' ? xi : z + xi;
  }
  const Hstar: Matrix = { rows: m, cols: 2, data: hs };
  const Hhat: Matrix = { rows: m, cols: 2, data: hh };
  const mu = grid.weights;
  // Word 0 as a nominal task word and the rest as bulk: only κ is used here.
  const stats = contextStatsKernel(fn, Vstar, Hstar, Vhat, Hhat, Int32Array.of(0), Int32Array.from({ length: n - 1 }, (_, j) => j + 1));
  let epsilon = 0;
  for (let i = 0; i < m; i++) epsilon += mu[i] * stats.kl[i];
  const task = linearTask(Float64Array.of(0, 1));
  const y = task.labels(Hstar);
  let mz = 0;
  for (let i = 0; i < m; i++) mz += mu[i] * y[i];
  let vz = 0;
  for (let i = 0; i < m; i++) vz += mu[i] * (y[i] - mz) ** 2;
  const floor = variant === 'replace' ? bestPredictorError(Hhat, y, mu) : (vz * sigma * sigma) / (vz + sigma * sigma);
  return {
    variant,
    sigma,
    Vstar,
    Vhat,
    direction: Float64Array.of(0, 1),
    c: 1,
    Hstar,
    Hhat,
    contextWeights: mu,
    task,
    y,
    kl: stats.kl,
    epsilon,
    varianceZ: vz,
    floor,
    floorKind: variant === 'replace' ? 'any predictor' : 'linear predictor',
    quadratureTolerance: 1e-12,
  };
}
