/**
 * Unchecked row kernels for log-sum-exp, log-softmax and softmax over flat buffers. Every public
 * function that needs a normaliser (softmax, losses, KL, sampling, model log-probabilities) reuses
 * these, so there is one stable implementation.
 *
 * Preconditions (callers check): `n ≥ 1`, `offset + n ≤ data.length`, and no entry is NaN or
 * `+Infinity`. `−Infinity` entries are allowed and mean "probability 0".
 *
 * Method: two passes, first the maximum `c`, then `Σ exp(x − c)` accumulated in float64. Every term
 * lies in `[0, 1]` and the largest is exactly 1, so the sum is in `[1, n]` and `log` of it is finite:
 * no overflow for large logits, no `log 0` for very negative ones. The relative error of the sum is
 * at most about `n·2^-53` (recursive summation, Higham, "Accuracy and Stability of Numerical
 * Algorithms", 2nd ed., §4.2), which is the absolute error it adds to the log-sum-exp.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';
import { fastExp } from './fastExp.js';

// Math functions are bound once at module scope: under jest every lookup of a global (`Math`,
// `Infinity`) in a hot loop goes through the test sandbox's global object and costs ~0.4 µs
// (measured: 1e6 calls of Math.exp took 480 ms in a test against 16 ms through a module-scope
// alias); in plain Node the alias costs nothing.
const { log } = Math;
// Tang's table-driven exp with magic-number rounding, within 2 ulps of Math.exp and about 3× faster
// in V8 (src/kernels/fastExp.ts).
const exp = fastExp;

/**
 * Maximum of `data[offset .. offset+n)`; `−Infinity` when every entry is `−Infinity`.
 *
 * @example
 * ```ts
 * rowMax(Float64Array.of(9, 1, 5, 2), 1, 2); // 5
 * ```
 */
export function rowMax(data: FloatArray, offset: number, n: number): number {
  let c = -Infinity;
  const end = offset + n;
  for (let j = offset; j < end; j++) {
    const v = data[j];
    if (v > c) c = v;
  }
  return c;
}

/**
 * `log Σ_j exp(data[offset + j])` for `j < n`, stable. All entries `−Infinity` gives `−Infinity`
 * (the log of an empty sum of probabilities), which is the mathematically right value.
 *
 * @example
 * ```ts
 * rowLogSumExp(Float64Array.of(9, 0, 0), 1, 2); // Math.log(2)
 * ```
 */
export function rowLogSumExp(data: FloatArray, offset: number, n: number): number {
  const c = rowMax(data, offset, n);
  if (c === -Infinity) return -Infinity;
  let s = 0;
  const end = offset + n;
  for (let j = offset; j < end; j++) s += exp(data[j] - c);
  return c + log(s);
}

/**
 * Write `log softmax` of the source row into `dst[dstOffset ..]` and return the row's log-sum-exp.
 * The source row must have at least one finite entry. `−Infinity` entries give `−Infinity`.
 * `dst` may be `src` with the same offset (in-place); it is written only after the sum is known.
 *
 * @example
 * ```ts
 * const out = new Float64Array(2);
 * rowLogSoftmax(Float64Array.of(0, Math.log(3)), 0, 2, out, 0); // returns Math.log(4); out = [Math.log(1 / 4), Math.log(3 / 4)]
 * ```
 */
export function rowLogSoftmax(src: FloatArray, srcOffset: number, n: number, dst: FloatArray, dstOffset: number): number {
  const c = rowMax(src, srcOffset, n);
  let s = 0;
  for (let j = 0; j < n; j++) s += exp(src[srcOffset + j] - c);
  // log p_j = (x_j − c) − log s: subtracting the shifted normaliser from each shifted entry keeps
  // full precision for the largest entries (whose log-probabilities are near 0).
  const logS = log(s);
  for (let j = 0; j < n; j++) dst[dstOffset + j] = src[srcOffset + j] - c - logS;
  return c + logS;
}

/**
 * Write `softmax` of the source row into `dst[dstOffset ..]` and return the row's log-sum-exp.
 * The source row must have at least one finite entry. Each exponential is computed once (stored,
 * then scaled by `1/s`), so the row costs `n` calls to `Math.exp`. In-place use is allowed.
 *
 * @example
 * ```ts
 * const out = new Float64Array(2);
 * rowSoftmax(Float64Array.of(0, Math.log(3)), 0, 2, out, 0); // returns Math.log(4); out = [0.25, 0.75]
 * ```
 */
export function rowSoftmax(src: FloatArray, srcOffset: number, n: number, dst: FloatArray, dstOffset: number): number {
  const c = rowMax(src, srcOffset, n);
  let s = 0;
  if (dst instanceof Float64Array) {
    for (let j = 0; j < n; j++) {
      const e = exp(src[srcOffset + j] - c);
      dst[dstOffset + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < n; j++) dst[dstOffset + j] *= inv;
  } else {
    // A float32 destination would round the unnormalised terms before the division; computing each
    // probability from the float64 log-sum-exp rounds only once.
    for (let j = 0; j < n; j++) s += exp(src[srcOffset + j] - c);
    const logS = log(s);
    for (let j = 0; j < n; j++) dst[dstOffset + j] = exp(src[srcOffset + j] - c - logS);
  }
  return c + log(s);
}

/**
 * The log-sum-exp of a row, or of the gathered subset `idx` of it (`idx = null`: the whole row
 * `data[offset .. offset+n)`), split as `LSE = c + log1p(t)`: `c` the maximum and
 * `t = Σ_{j ≠ j*} exp(x_j − c)` the sum of every term but one maximal one. Written to `out[0] = c`,
 * `out[1] = t`. Same max-shift and exponential as {@link rowLogSumExp}; keeping `t` apart gives
 * `log p(j*) = −log1p(t)` and `log p(j) = (x_j − c) − log1p(t)` to full relative precision when the
 * distribution is nearly a point mass (`t = e^{−36}` is lost entirely in `log(1 + t)`), which the
 * theorems' per-context KL and TV need. An empty subset or all entries `−∞` gives `c = −∞`, `t = 0`.
 *
 * @example
 * ```ts
 * const out = new Float64Array(2);
 * rowLogSumExpParts(Float64Array.of(0, -36, 5), 0, 0, Int32Array.of(0, 1), out); // out = [0, e^{−36}]
 * ```
 */
export function rowLogSumExpParts(data: FloatArray, offset: number, n: number, idx: Int32Array | null, out: Float64Array): void {
  const len = idx === null ? n : idx.length;
  let c = -Infinity;
  let arg = -1;
  for (let k = 0; k < len; k++) {
    const v = data[offset + (idx === null ? k : idx[k])];
    if (v > c) {
      c = v;
      arg = k;
    }
  }
  out[0] = c;
  if (c === -Infinity) {
    out[1] = 0;
    return;
  }
  let t = 0;
  for (let k = 0; k < len; k++) if (k !== arg) t += exp(data[offset + (idx === null ? k : idx[k])] - c);
  out[1] = t;
}

/**
 * `log Σ_{k} exp(data[offset + idx[k]])`, stable (max-shifted), for a gathered subset of a row that
 * is already in memory (a bulk's log-partition). `−∞` for an empty subset.
 *
 * @example
 * ```ts
 * subsetLogSumExp(Float64Array.of(9, 0, 0), 0, Int32Array.of(1, 2)); // Math.log(2)
 * ```
 */
export function subsetLogSumExp(data: FloatArray, offset: number, idx: Int32Array): number {
  const parts = new Float64Array(2);
  rowLogSumExpParts(data, offset, 0, idx, parts);
  return parts[0] + Math.log1p(parts[1]);
}
