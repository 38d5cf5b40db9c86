/**
 * A high-precision reference for the binary KL tests (a helper, not a test file): fixed-point
 * arithmetic on BigInt with `K = 1700` fractional bits. Every double (down to `2⁻¹⁰⁷⁴`) converts
 * exactly; `ln` uses `ln x = e·ln 2 + 2 atanh((m − 1)/(m + 1))` with `m ∈ [1, 2)`, `exp` uses
 * `e^x = 2^k e^f` with `f ∈ [0, ln 2)` and its Taylor series. Each operation has an absolute error
 * of a few `2⁻¹⁷⁰⁰`, so a quantity of size `≥ 2⁻¹⁵⁰⁰` is known to a relative `2⁻¹⁹⁰` or better, far below
 * the `2⁻⁵³` being tested.
 */
export const K = 1700n;
export const ONE = 1n << K;

/** The exact fixed-point value of a finite double `x ≥ 0`. */
export function fromDouble(x: number): bigint {
  if (!(x >= 0) || !Number.isFinite(x)) throw new Error(`fromDouble: ${x}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = (bits >> 52n) & 0x7ffn;
  const frac = bits & ((1n << 52n) - 1n);
  const mant = expBits === 0n ? frac : frac | (1n << 52n);
  const e = expBits === 0n ? -1074n : expBits - 1075n;
  return mant << (K + e);
}

/** Signed double to fixed point (exact). */
export function fromSigned(x: number): bigint {
  return x < 0 ? -fromDouble(-x) : fromDouble(x);
}

function bitLength(x: bigint): bigint {
  return BigInt(x.toString(2).length);
}

/** `2 atanh(z)` for fixed-point `|z| ≤ 1/3`. */
function twoAtanh(z: bigint): bigint {
  const z2 = (z * z) >> K;
  let power = z;
  let sum = 0n;
  for (let k = 1n; power !== 0n; k += 2n) {
    sum += power / k;
    power = (power * z2) >> K;
  }
  return 2n * sum;
}

const LN2 = twoAtanh(ONE / 3n);

/** `ln x` for fixed-point `x > 0`. */
export function ln(x: bigint): bigint {
  if (x <= 0n) throw new Error('ln of a non-positive number');
  const e = bitLength(x) - 1n - K;
  const m = e >= 0n ? x >> e : x << -e;
  const z = ((m - ONE) << K) / (m + ONE);
  return e * LN2 + twoAtanh(z);
}

/** `e^x` for fixed-point `x ≤ 0`. */
export function exp(x: bigint): bigint {
  if (x > 0n) throw new Error('exp of a positive number');
  // k = floor(x / ln2) ≤ 0, f = x − k ln2 ∈ [0, ln2).
  let k = x / LN2;
  if (k * LN2 > x) k -= 1n;
  const f = x - k * LN2;
  let term = ONE;
  let sum = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * f) / (n << K);
    sum += term;
  }
  return k >= 0n ? sum << k : sum >> -k;
}

/** `kl(p‖q)` in fixed point from fixed-point probabilities `0 ≤ p, q ≤ 1`. */
export function binaryKlRef(p: bigint, q: bigint): bigint {
  let s = 0n;
  if (p > 0n) s += (p * (ln(p) - ln(q))) >> K;
  const cp = ONE - p;
  if (cp > 0n) s += (cp * (ln(cp) - ln(ONE - q))) >> K;
  return s;
}

/** `|computed − ref| / ref` as a double, for a computed double and a positive fixed-point reference. */
export function relErr(computed: number, ref: bigint): number {
  if (ref <= 0n) throw new Error('relErr: reference not positive');
  if (!Number.isFinite(computed)) return Infinity;
  const c = fromSigned(computed);
  const d = c > ref ? c - ref : ref - c;
  return Number((d << 80n) / ref) / 2 ** 80;
}

/** A fixed-point value as a double (for messages). */
export function toDouble(x: bigint): number {
  const neg = x < 0n;
  const a = neg ? -x : x;
  const L = bitLength(a);
  const shift = L > 64n ? L - 64n : 0n;
  let v = Number(a >> shift);
  let e = Number(shift - K);
  while (e > 0) { const s = Math.min(e, 1000); v *= 2 ** s; e -= s; }
  while (e < 0) { const s = Math.max(e, -1000); v *= 2 ** s; e -= s; }
  return neg ? -v : v;
}

/**
 * `kl(e^{lp}‖e^{lq})` in fixed point from fixed-point logarithms `lp, lq ≤ 0`: the first term is
 * `p·(lp − lq)` with the logs used directly, so `q` below `2⁻¹⁷⁰⁰` (a root of `ψ` for a tiny `p` and a
 * large `κ`) is still handled.
 */
export function binaryKlRefFromLogs(lp: bigint, lq: bigint): bigint {
  const p = exp(lp);
  const q = exp(lq);
  let s = (p * (lp - lq)) >> K;
  const cp = ONE - p;
  if (cp > 0n) s += (cp * (ln(cp) - ln(ONE - q))) >> K;
  return s;
}
