import type { Matrix } from '../core/matrix.js';
import { checkFiniteArray, checkFloatVector, checkMatrix, describeValue, domainError, shapeError } from '../core/check.js';

/**
 * The error floor of predicting `y` from a representation on a finite weighted set of contexts:
 * the mean squared error of the best predictor of any form, `E_s (y(s) − E[y | h(s)])²`. On a finite
 * set the conditional mean is the weighted mean of `y` over the contexts that share the same
 * representation row (rows are compared exactly), and no function of `h` does better: within each
 * group a constant is all a function of `h` can output, and the mean minimises squared error.
 *
 * On a tensor-product quadrature grid whose `z` factor is independent of the representation, this is
 * `Var(z)` up to the quadrature's exactness (Theorems 2 and 3).
 *
 * @param H - `m × d` representations (float32 or float64).
 * @param y - `m` targets.
 * @param weights - optional non-negative context weights (uniform when omitted; normalised).
 * @returns the weighted MSE of the conditional-mean predictor.
 * @throws ShapeError when lengths disagree; DomainError on non-finite input or bad weights.
 * @example
 * ```ts
 * bestPredictorError(fromRows([[0], [0], [1]]), Float64Array.of(1, 3, 5)); // (1 + 1 + 0)/3
 * ```
 */
export function bestPredictorError(H: Matrix, y: Float64Array, weights?: Float64Array): number {
  const fn = 'bestPredictorError';
  checkMatrix(fn, 'H', H);
  checkFiniteArray(fn, 'H', H.data, H.cols);
  const m = H.rows;
  if (m === 0) throw shapeError(fn, 'H', 'a matrix with at least one row', 'a 0-row matrix');
  checkFloatVector(fn, 'y', y, m, 'one target per row of H');
  checkFiniteArray(fn, 'y', y);
  const mu = new Float64Array(m);
  if (weights === undefined) mu.fill(1);
  else {
    checkFloatVector(fn, 'weights', weights, m, 'one weight per row of H');
    for (let i = 0; i < m; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw domainError(fn, 'weights', 'finite and ≥ 0', `${describeValue(w)} at [${i}]`);
      mu[i] = w;
    }
  }
  // Group rows by their exact contents.
  const groups = new Map<string, number>();
  const groupOf = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const key = Array.prototype.join.call(H.data.subarray(i * H.cols, (i + 1) * H.cols), ',');
    let g = groups.get(key);
    if (g === undefined) {
      g = groups.size;
      groups.set(key, g);
    }
    groupOf[i] = g;
  }
  const wSum = new Float64Array(groups.size);
  const ySum = new Float64Array(groups.size);
  let total = 0;
  for (let i = 0; i < m; i++) {
    wSum[groupOf[i]] += mu[i];
    ySum[groupOf[i]] += mu[i] * y[i];
    total += mu[i];
  }
  if (!(total > 0)) throw domainError(fn, 'weights', 'weights with a positive sum', `sum ${total}`);
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const g = groupOf[i];
    const mean = wSum[g] > 0 ? ySum[g] / wSum[g] : 0;
    sse += mu[i] * (y[i] - mean) ** 2;
  }
  return sse / total;
}
