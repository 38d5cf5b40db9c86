/**
 * Axis scales for the SVG renderer: the domain, the ticks and their labels, and the map from data
 * values to pixels. Unchecked: {@link renderFigure} validates the spec before it calls these.
 *
 * @internal
 */

/** A resolved axis scale. */
export interface ResolvedScale {
  readonly kind: 'linear' | 'log';
  /** Domain ends after rounding out to ticks. */
  readonly lo: number;
  readonly hi: number;
  /** Tick positions in data units, ascending, all inside `[lo, hi]`. */
  readonly ticks: readonly number[];
  /** Tick labels, one per tick. */
  readonly labels: readonly string[];
  /** Map a data value to `[0, 1]` along the axis (log scales expect a positive value). */
  unit(v: number): number;
}

/**
 * Decide between a linear and a log scale. `'auto'` picks log when every value is positive and the
 * largest is at least 100 times the smallest: below two decades a linear axis is easier to read,
 * above it the small values collapse onto the axis.
 */
export function chooseScaleKind(requested: 'linear' | 'log' | 'auto', values: readonly number[]): 'linear' | 'log' {
  if (requested !== 'auto') return requested;
  if (values.length === 0) return 'linear';
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v <= 0) return 'linear';
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max / min >= 100 ? 'log' : 'linear';
}

/** The "nice" step (1, 2, 2.5 or 5 times a power of ten) closest above `raw`. */
export function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return m * p;
}

/** A number in at most `digits` significant digits, without trailing zeros or float noise. */
export function formatNumber(v: number, decimals?: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) {
    // Exponential form for very large or small values: `2.5e-6`, `1e+6` becomes `1e6`.
    return formatExponential(v, 4);
  }
  if (decimals !== undefined) return v.toFixed(Math.max(0, Math.min(20, decimals)));
  return String(Number(v.toPrecision(6)));
}

/** `v` in exponential notation with at most `sig` significant digits, trailing zeros dropped: `2.5e-6`, `1e6`. */
export function formatExponential(v: number, sig: number): string {
  if (v === 0) return '0';
  const [mant, exp] = v.toExponential(Math.max(0, sig - 1)).split('e');
  return `${String(Number(mant))}e${Number(exp)}`;
}

/**
 * `v · 10^e` without overflowing or underflowing on the way: `10^e` itself is not a float64 for
 * `|e| > 308`, so the shift is done in steps of at most 300 decades, dividing by exact powers of ten
 * when shifting down (1e22 and below are exact; the rest round once per step, ≤ 2 ulps overall,
 * far below a pixel).
 */
export function shift10(v: number, e: number): number {
  let x = v;
  let k = e;
  while (k > 300) {
    x *= 1e300;
    k -= 300;
  }
  while (k < -300) {
    x /= 1e300;
    k += 300;
  }
  return k >= 0 ? x * Number(`1e${k}`) : x / Number(`1e${-k}`);
}

/** Decades beyond which a linear axis is computed in units of `10^E` (see {@link linearScale}). */
const SHIFT_DECADES = 100;

/**
 * Linear scale over `[min, max]` with about `target` ticks, rounded out to whole steps.
 *
 * The span `max − min` of values near ±1e308 overflows, and the step of a range of subnormal values
 * (`5e-324 … 1e-323`) underflows to 0, so when the largest magnitude is beyond `10^±100` the ticks
 * are computed on the values shifted by a power of ten `10^−E` (which brings them into `[1, 10)`) and
 * shifted back: labels are written from the shifted tick and `E` (so `2e-323` prints exactly), and a
 * tick whose value is not a finite float64 (the round-up just above 1.797e308) is left out.
 */
export function linearScale(min: number, max: number, target = 5): ResolvedScale {
  const maxAbs = Math.max(Math.abs(min), Math.abs(max));
  const E = maxAbs === 0 ? 0 : Math.floor(Math.log10(maxAbs));
  if (Math.abs(E) <= SHIFT_DECADES) {
    const g = linearGrid(min, max, target);
    const labels = g.ticks.map((t) => (g.exponential ? formatExponential(t, g.sig) : formatNumber(t, g.decimals)));
    const { lo, hi } = g;
    return { kind: 'linear', lo, hi, ticks: g.ticks, labels, unit: (v) => (v - lo) / (hi - lo) };
  }
  const g = linearGrid(shift10(min, -E), shift10(max, -E), target);
  const ticks: number[] = [];
  const labels: string[] = [];
  for (const t of g.ticks) {
    const value = shift10(t, E);
    if (!Number.isFinite(value)) continue;
    ticks.push(value);
    labels.push(shiftedLabel(t, E, g.sig));
  }
  const { lo, hi } = g;
  const span = hi - lo;
  return {
    kind: 'linear',
    lo: clampFinite(shift10(lo, E)),
    hi: clampFinite(shift10(hi, E)),
    ticks,
    labels,
    unit: (v) => (shift10(v, -E) - lo) / span,
  };
}

/** `±Number.MAX_VALUE` for an infinite domain end (only the rounded-out end of data near 1.797e308). */
function clampFinite(v: number): number {
  return v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : v;
}

/** The label of the tick `t · 10^E` in exponential notation with `sig` significant digits. */
function shiftedLabel(t: number, E: number, sig: number): string {
  if (t === 0) return '0';
  const [mant, exp] = t.toExponential(Math.max(0, sig - 1)).split('e');
  return `${String(Number(mant))}e${Number(exp) + E}`;
}

/** The tick grid of a linear scale over `[min, max]` (values of moderate magnitude). */
function linearGrid(min: number, max: number, target: number): { lo: number; hi: number; ticks: number[]; decimals: number; sig: number; exponential: boolean } {
  let a = min;
  let b = max;
  if (a === b) {
    // A single value: open a window around it so that it sits mid-axis.
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const step = niceStep((b - a) / target);
  const lo = Math.floor(a / step + 1e-9) * step;
  const hi = Math.ceil(b / step - 1e-9) * step;
  const count = Math.round((hi - lo) / step);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / Math.pow(10, Math.floor(Math.log10(step))) === 2.5 ? 1 : 0));
  const maxAbs = Math.max(Math.abs(lo), Math.abs(hi));
  // Fixed notation unless the values are huge or the step tiny; then exponential notation with as
  // many significant digits as it takes to tell neighbouring ticks apart (at least the step's).
  const exponential = maxAbs >= 1e5 || step < 1e-4;
  const sig = Math.min(15, Math.max(1, Math.floor(Math.log10(maxAbs)) - Math.floor(Math.log10(step)) + 2));
  const ticks: number[] = [];
  for (let i = 0; i <= count; i++) {
    // Snap to the step grid so that 0.30000000000000004 prints as 0.3, keeping enough digits to
    // separate neighbours when the step is tiny next to the values.
    ticks.push(Number((lo + i * step).toPrecision(Math.min(17, Math.max(12, sig + 3)))));
  }
  return { lo, hi, ticks, decimals, sig, exponential };
}

/**
 * Log scale over positive `[min, max]`, rounded out to whole decades. Ticks sit on the decades; a
 * range of at most two decades also gets ticks at 2 and 5 times each decade so that the axis has
 * enough labels to read, and a range of more than eight decades labels every second (or third…)
 * decade so that labels do not collide.
 */
export function logScale(min: number, max: number): ResolvedScale {
  let e0 = Math.floor(Math.log10(min) + 1e-12);
  let e1 = Math.ceil(Math.log10(max) - 1e-12);
  if (e1 <= e0) e1 = e0 + 1;
  const decades = e1 - e0;
  const every = Math.max(1, Math.ceil(decades / 8));
  // Align the labelled decades to multiples of `every` so that 10^0 stays labelled when it can.
  e0 = Math.floor(e0 / every) * every;
  e1 = Math.ceil(e1 / every) * every;
  const ticks: number[] = [];
  const labels: string[] = [];
  for (let e = e0; e <= e1; e += every) {
    const t = Number(`1e${e}`);
    ticks.push(t);
    labels.push(formatNumber(t));
    if (decades <= 2 && e < e1) {
      for (const m of [2, 5]) {
        const tm = Number(`${m}e${e}`);
        ticks.push(tm);
        labels.push(formatNumber(tm));
      }
    }
  }
  // Data near 1.797e308 round out to the decade 10^309, which is not a float64: its tick is left
  // out and the map uses the decade exponents themselves, so no coordinate is computed from ∞.
  const keep = ticks.map((t) => Number.isFinite(t) && t > 0);
  const lo = clampFinite(Number(`1e${e0}`));
  const hi = clampFinite(Number(`1e${e1}`));
  return {
    kind: 'log',
    lo,
    hi,
    ticks: ticks.filter((_, i) => keep[i]),
    labels: labels.filter((_, i) => keep[i]),
    unit: (v) => (Math.log10(v) - e0) / (e1 - e0),
  };
}
