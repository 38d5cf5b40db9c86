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

/** Linear scale over `[min, max]` with about `target` ticks, rounded out to whole steps. */
export function linearScale(min: number, max: number, target = 5): ResolvedScale {
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
  const labels: string[] = [];
  for (let i = 0; i <= count; i++) {
    // Snap to the step grid so that 0.30000000000000004 prints as 0.3, keeping enough digits to
    // separate neighbours when the step is tiny next to the values.
    const t = Number((lo + i * step).toPrecision(Math.min(17, Math.max(12, sig + 3))));
    ticks.push(t);
    labels.push(exponential ? formatExponential(t, sig) : formatNumber(t, decimals));
  }
  return { kind: 'linear', lo, hi, ticks, labels, unit: (v) => (v - lo) / (hi - lo) };
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
  const lo = Number(`1e${e0}`);
  const hi = Number(`1e${e1}`);
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi);
  return { kind: 'log', lo, hi, ticks, labels, unit: (v) => (Math.log10(v) - l0) / (l1 - l0) };
}
