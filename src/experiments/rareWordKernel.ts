/**
 * Exact quantities of Theorem 2's rare-word instance on a quadrature grid (THEORY.md §5), in closed
 * form. Unchecked; {@link runRareWordSweep} validates its inputs.
 *
 * @internal
 */

/** The contexts `(x_i, z_i)` (uniform weights) and the top words' slopes `α_j`. */
export interface RareWordGrid {
  readonly x: Float64Array;
  readonly z: Float64Array;
  readonly alpha: Float64Array;
}

/** `ε`, `E χ²` and `max ρ` for one `L`. */
export interface RareWordInstance {
  readonly excessLoss: number;
  readonly chiSquare: number;
  readonly maxRareProb: number;
}

/**
 * For the instance with top words `v_j = (α_j, 0)`, rare word `v_r = (−L, 1)`, `h* = (x, z)` and
 * `ĥ = (x, 0)`: only the rare logit differs, by `δ = z`. With `ρ = p̂(r|s)` and
 * `K = Z* / Ẑ = 1 + ρ(e^δ − 1)`, every top word has `log(p* / p̂) = −log K` and the rare word
 * `δ − log K`, so `KL(p*‖p̂) = p*(r) δ − log K` with `p*(r) = ρ e^δ / K`, and
 * `χ² = ρ(1 − ρ)(e^δ − 1)²/K²`. `log K` goes through `log1p(ρ·expm1(δ))` and `ρ` through its
 * logarithm, so nothing cancels catastrophically or underflows before it is tiny enough not to matter.
 */
export function rareWordInstanceKernel(grid: RareWordGrid, L: number): RareWordInstance {
  const { x, z, alpha } = grid;
  const m = x.length;
  let kl = 0;
  let chi = 0;
  let maxRho = 0;
  for (let i = 0; i < m; i++) {
    const xi = x[i];
    const rareLogit = -L * xi;
    // log Ẑ by a stable log-sum-exp over the top logits α_j x and the rare logit.
    let mx = rareLogit;
    for (let j = 0; j < alpha.length; j++) mx = Math.max(mx, alpha[j] * xi);
    let s = Math.exp(rareLogit - mx);
    for (let j = 0; j < alpha.length; j++) s += Math.exp(alpha[j] * xi - mx);
    const logRho = rareLogit - (mx + Math.log(s));
    const rho = Math.exp(logRho);
    const delta = z[i];
    const em1 = Math.expm1(delta);
    const logK = Math.log1p(rho * em1);
    const K = Math.exp(logK);
    const pStarRare = (rho * Math.exp(delta)) / K;
    // KL ≥ 0 mathematically; max(0, ·) removes a rounding-level negative at δ ≈ 0.
    kl += Math.max(0, pStarRare * delta - logK);
    chi += (rho * (1 - rho) * em1 * em1) / (K * K);
    if (rho > maxRho) maxRho = rho;
  }
  return { excessLoss: kl / m, chiSquare: chi / m, maxRareProb: maxRho };
}
