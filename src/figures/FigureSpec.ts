/**
 * The description of a figure that {@link renderFigure} draws: one or more panels side by side, each
 * a scatter/line chart with two numeric axes, a legend, and optional reference lines. Every value is
 * plain JSON (numbers, strings, `null` for a gap), so a figure can be stored beside the results it
 * shows and redrawn later.
 *
 * @example
 * ```ts
 * const spec: FigureSpec = {
 *   title: 'Anchor fit',
 *   panels: [{
 *     x: { title: 'excluded top words k' },
 *     y: { title: 'MSE', scale: 'log' },
 *     series: [{ name: 'anchor', x: [0, 10, 100], y: [0.01, 0.002, 0.0005] }],
 *   }],
 * };
 * ```
 */
export interface FigureSpec {
  /** Heading drawn above the panels. */
  readonly title: string;
  /** Panels laid out left to right; at least one. */
  readonly panels: readonly PanelSpec[];
  /** Width of one panel in pixels, legend included (default 520). */
  readonly panelWidth?: number;
  /** Height of the figure in pixels (default 360). */
  readonly height?: number;
  /** A line of small print under the panels: the source of the data, the seed, the sizes. */
  readonly caption?: string;
}

/** How an axis maps values to pixels. `'auto'` picks `'log'` when every value is positive and they span at least two decades. */
export type AxisScale = 'linear' | 'log' | 'auto';

/** One axis of a panel. */
export interface AxisSpec {
  /** Axis title, with the unit or symbol (for example `'excess loss ε (nats)'`). */
  readonly title: string;
  /** Scale type (default `'auto'`). */
  readonly scale?: AxisScale;
  /** Stretch a linear axis to include 0, so that small differences between large values are not magnified (default false). */
  readonly includeZero?: boolean;
}

/** How a series is drawn. */
export type SeriesStyle = 'line' | 'dashed' | 'points';

/** One named series of `(x, y)` pairs; `null` in `y` (or `x`) leaves a gap in the line. */
export interface SeriesSpec {
  /** Legend label. */
  readonly name: string;
  readonly x: readonly (number | null)[];
  readonly y: readonly (number | null)[];
  /** `'line'` (solid with markers, the default), `'dashed'` (no markers: bounds and baselines), `'points'` (markers only). */
  readonly style?: SeriesStyle;
  /** Index into the palette (default: the series' position in its panel). Equal indices share a colour, which pairs a quantity with its bound. */
  readonly color?: number;
}

/** A horizontal or vertical reference line with a label, such as a theoretical floor. */
export interface ReferenceLineSpec {
  readonly label: string;
  /** Draw `y = value` (`'y'`) or `x = value` (`'x'`). */
  readonly axis: 'x' | 'y';
  readonly value: number;
}

/** One chart. */
export interface PanelSpec {
  /** Panel heading (optional when there is a single panel). */
  readonly title?: string;
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  /** At least one series. */
  readonly series: readonly SeriesSpec[];
  readonly referenceLines?: readonly ReferenceLineSpec[];
}
