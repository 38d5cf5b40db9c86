/**
 * The unchecked drawing code behind {@link renderFigure}: layout, axes, series and legend, written as
 * SVG text. It trusts that the spec was validated.
 *
 * @internal
 */
import type { FigureSpec, PanelSpec } from './FigureSpec.js';
import { chooseScaleKind, linearScale, logScale, type ResolvedScale } from './axisScale.js';
import { escapeXml, PALETTE, px, textWidth } from './svgText.js';

const FONT = 'Helvetica, Arial, "DejaVu Sans", sans-serif';
const TICK_FONT = 11;
const TITLE_FONT = 12;
const LEGEND_FONT = 11;

/**
 * Smallest value a log axis shows. Below about 1e-308 doubles are subnormal and `10^floor(log10 v)`
 * underflows to 0, so such values are left off (and counted in the footnote) like values ≤ 0.
 */
const LOG_MIN = 1e-300;

/** Every non-null coordinate on one axis, reference lines included: what decides the scale type. */
function allValues(panel: PanelSpec, axis: 'x' | 'y'): number[] {
  const out: number[] = [];
  for (const s of panel.series) for (const v of s[axis]) if (v !== null) out.push(v);
  for (const r of panel.referenceLines ?? []) if (r.axis === axis) out.push(r.value);
  return out;
}

/**
 * The coordinates on one axis of the points that will be drawn (both coordinates non-null and
 * positive where their axis is log), plus the reference lines: what decides the domain, so that a
 * point left out of a log axis does not stretch the other axis.
 */
function drawnValues(panel: PanelSpec, axis: 'x' | 'y', xLog: boolean, yLog: boolean): number[] {
  const out: number[] = [];
  for (const s of panel.series) {
    for (let i = 0; i < s.x.length; i++) {
      const xv = s.x[i];
      const yv = s.y[i];
      if (xv === null || yv === null || (xLog && !(xv >= LOG_MIN)) || (yLog && !(yv >= LOG_MIN))) continue;
      out.push(axis === 'x' ? xv : yv);
    }
  }
  for (const r of panel.referenceLines ?? []) if (r.axis === axis) out.push(r.value);
  return out;
}

// Loops rather than `Math.min(...values)`: spreading a long series overflows the call stack.
function minOf(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

function resolveScale(kind: 'linear' | 'log', values: number[]): ResolvedScale {
  // When every point is left out (all of them ≤ 0 on a log axis), draw an empty unit axis; the footnote says why it is empty.
  if (values.length === 0) return kind === 'log' ? logScale(1, 10) : linearScale(0, 1);
  if (kind === 'log') {
    const pos = values.filter((v) => v >= LOG_MIN);
    if (pos.length === 0) return logScale(1, 10);
    return logScale(minOf(pos), maxOf(pos));
  }
  return linearScale(minOf(values), maxOf(values));
}

/** Font size (px) of a reference line's label. */
const REF_FONT = 10;

/**
 * Where a reference line's label goes: at either end of the line, on either side of it, whichever
 * of the four places covers the fewest data marks (ties: the first of right/above, right/below,
 * left/above, left/below for a horizontal line; top/right, top/left, bottom/right, bottom/left for
 * a vertical one). A label that would leave the plot area counts as covering everything. Text width
 * is estimated at 0.6 em per character, which is close for the sans-serif fonts used.
 *
 * @example
 * ```ts
 * // A floor at y = 200 in a 400 × 300 plot area, with points crowding its right end above the line.
 * referenceLabelPlacement('y', 200, 'floor', { left: 50, top: 20, plotW: 400, plotH: 300 }, [[430, 190], [420, 192]]);
 * // { x: 446, y: 214, anchor: 'end' }: right end, below the line
 * ```
 */
export function referenceLabelPlacement(
  axis: 'x' | 'y',
  at: number,
  label: string,
  area: { left: number; top: number; plotW: number; plotH: number },
  marks: readonly (readonly [number, number])[],
): { x: number; y: number; anchor: 'start' | 'end' } {
  const w = 0.6 * REF_FONT * label.length;
  const h = REF_FONT;
  const { left, top, plotW, plotH } = area;
  const R = 3; // marker radius
  const candidates: { x: number; y: number; anchor: 'start' | 'end' }[] =
    axis === 'y'
      ? [
          { x: left + plotW - 4, y: at - 4, anchor: 'end' },
          { x: left + plotW - 4, y: at + 4 + h, anchor: 'end' },
          { x: left + 4, y: at - 4, anchor: 'start' },
          { x: left + 4, y: at + 4 + h, anchor: 'start' },
        ]
      : [
          { x: at + 4, y: top + 12, anchor: 'start' },
          { x: at - 4, y: top + 12, anchor: 'end' },
          { x: at + 4, y: top + plotH - 4, anchor: 'start' },
          { x: at - 4, y: top + plotH - 4, anchor: 'end' },
        ];
  let best = candidates[0];
  let bestCost = Infinity;
  for (const c of candidates) {
    // The text box: baseline at c.y, cap height ≈ the font size above it.
    const x0 = c.anchor === 'end' ? c.x - w : c.x;
    const x1 = x0 + w;
    const y0 = c.y - h;
    const y1 = c.y + 2;
    let cost = 0;
    if (x0 < left || x1 > left + plotW || y0 < top || y1 > top + plotH) cost = marks.length + 1;
    else for (const [mx, my] of marks) if (mx >= x0 - R && mx <= x1 + R && my >= y0 - R && my <= y1 + R) cost++;
    if (cost < bestCost) {
      best = c;
      bestCost = cost;
    }
  }
  return best;
}

/** Draw one panel at the origin of its own group; returns the SVG text. */
function drawPanel(panel: PanelSpec, width: number, height: number, clipId: string): string {
  const xKind = chooseScaleKind(panel.x.scale ?? 'auto', allValues(panel, 'x'));
  const yKind = chooseScaleKind(panel.y.scale ?? 'auto', allValues(panel, 'y'));
  const xVals = drawnValues(panel, 'x', xKind === 'log', yKind === 'log');
  const yVals = drawnValues(panel, 'y', xKind === 'log', yKind === 'log');
  if (panel.x.includeZero && xKind === 'linear' && xVals.length > 0) xVals.push(0);
  if (panel.y.includeZero && yKind === 'linear' && yVals.length > 0) yVals.push(0);
  const xScale = resolveScale(xKind, xVals);
  const yScale = resolveScale(yKind, yVals);

  // Count the points a log axis cannot show, so that the figure says so instead of dropping them silently.
  let omitted = 0;
  let tiny = 0;
  for (const s of panel.series) {
    for (let i = 0; i < s.x.length; i++) {
      const xv = s.x[i];
      const yv = s.y[i];
      if (xv === null || yv === null) continue;
      const offX = xScale.kind === 'log' && !(xv >= LOG_MIN);
      const offY = yScale.kind === 'log' && !(yv >= LOG_MIN);
      if (offX || offY) {
        omitted++;
        if ((offX && xv > 0) || (offY && yv > 0)) tiny++;
      }
    }
  }

  const legendW = Math.min(width * 0.45, 34 + Math.max(...panel.series.map((s) => textWidth(s.name, LEGEND_FONT))));
  const yLabelW = Math.max(...yScale.labels.map((l) => textWidth(l, TICK_FONT)));
  const top = panel.title ? 26 : 8;
  const left = 8 + 18 + 6 + yLabelW + 8;
  const bottom = 8 + TICK_FONT + 8 + TITLE_FONT + 10 + (omitted > 0 ? 14 : 0);
  const plotW = Math.max(40, width - left - legendW - 16);
  const plotH = Math.max(40, height - top - bottom);
  const X = (v: number): number => left + xScale.unit(v) * plotW;
  const Y = (v: number): number => top + (1 - yScale.unit(v)) * plotH;
  const out: string[] = [];

  if (panel.title) {
    out.push(`<text class="panel-title" x="${px(left + plotW / 2)}" y="16" text-anchor="middle" font-size="${TITLE_FONT}" font-weight="bold">${escapeXml(panel.title)}</text>`);
  }
  // Grid first so that it sits under everything else.
  out.push('<g class="grid" stroke="#e5e5e5" stroke-width="1">');
  for (const t of xScale.ticks) out.push(`<line x1="${px(X(t))}" y1="${px(top)}" x2="${px(X(t))}" y2="${px(top + plotH)}"/>`);
  for (const t of yScale.ticks) out.push(`<line x1="${px(left)}" y1="${px(Y(t))}" x2="${px(left + plotW)}" y2="${px(Y(t))}"/>`);
  out.push('</g>');

  // x axis: domain line, ticks with labels, title.
  out.push(`<g class="axis x-axis" data-scale="${xScale.kind}">`);
  out.push(`<line class="domain" x1="${px(left)}" y1="${px(top + plotH)}" x2="${px(left + plotW)}" y2="${px(top + plotH)}" stroke="#333"/>`);
  xScale.ticks.forEach((t, i) => {
    const x = px(X(t));
    out.push(
      `<g class="tick"><line x1="${x}" y1="${px(top + plotH)}" x2="${x}" y2="${px(top + plotH + 5)}" stroke="#333"/>` +
        `<text class="tick-label" x="${x}" y="${px(top + plotH + 8 + TICK_FONT)}" text-anchor="middle" font-size="${TICK_FONT}">${escapeXml(xScale.labels[i])}</text></g>`,
    );
  });
  out.push(`<text class="axis-title" x="${px(left + plotW / 2)}" y="${px(top + plotH + 8 + TICK_FONT + 8 + TITLE_FONT)}" text-anchor="middle" font-size="${TITLE_FONT}">${escapeXml(panel.x.title)}</text>`);
  out.push('</g>');

  // y axis.
  out.push(`<g class="axis y-axis" data-scale="${yScale.kind}">`);
  out.push(`<line class="domain" x1="${px(left)}" y1="${px(top)}" x2="${px(left)}" y2="${px(top + plotH)}" stroke="#333"/>`);
  yScale.ticks.forEach((t, i) => {
    const y = px(Y(t));
    out.push(
      `<g class="tick"><line x1="${px(left - 5)}" y1="${y}" x2="${px(left)}" y2="${y}" stroke="#333"/>` +
        `<text class="tick-label" x="${px(left - 8)}" y="${px(Y(t) + TICK_FONT * 0.35)}" text-anchor="end" font-size="${TICK_FONT}">${escapeXml(yScale.labels[i])}</text></g>`,
    );
  });
  const ty = top + plotH / 2;
  out.push(`<text class="axis-title" x="14" y="${px(ty)}" transform="rotate(-90 14 ${px(ty)})" text-anchor="middle" font-size="${TITLE_FONT}">${escapeXml(panel.y.title)}</text>`);
  out.push('</g>');

  // Data, clipped to the plot area widened by a marker's radius so that points on the edge stay whole.
  out.push(`<clipPath id="${clipId}"><rect x="${px(left - 4)}" y="${px(top - 4)}" width="${px(plotW + 8)}" height="${px(plotH + 8)}"/></clipPath>`);
  out.push(`<g class="plot-area" clip-path="url(#${clipId})">`);
  // Where the data sit on screen, so that a reference line's label goes where it hides no point.
  const marks: [number, number][] = [];
  for (const s of panel.series) {
    for (let i = 0; i < s.x.length; i++) {
      const xv = s.x[i];
      const yv = s.y[i];
      if (xv === null || yv === null) continue;
      if ((xScale.kind === 'log' && !(xv >= LOG_MIN)) || (yScale.kind === 'log' && !(yv >= LOG_MIN))) continue;
      marks.push([X(xv), Y(yv)]);
    }
  }
  for (const r of panel.referenceLines ?? []) {
    const [x1, y1, x2, y2] = r.axis === 'y' ? [left, Y(r.value), left + plotW, Y(r.value)] : [X(r.value), top, X(r.value), top + plotH];
    const place = referenceLabelPlacement(r.axis, r.axis === 'y' ? Y(r.value) : X(r.value), r.label, { left, top, plotW, plotH }, marks);
    out.push(
      `<g class="reference-line"><line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" stroke="#555" stroke-width="1.2" stroke-dasharray="2 3"/>` +
        `<text x="${px(place.x)}" y="${px(place.y)}" text-anchor="${place.anchor}" font-size="${REF_FONT}" fill="#555">${escapeXml(r.label)}</text></g>`,
    );
  }
  panel.series.forEach((s, si) => {
    const color = PALETTE[(s.color ?? si) % PALETTE.length];
    const style = s.style ?? 'line';
    const visible = (i: number): boolean => {
      const xv = s.x[i];
      const yv = s.y[i];
      if (xv === null || yv === null) return false;
      return !(xScale.kind === 'log' && !(xv >= LOG_MIN)) && !(yScale.kind === 'log' && !(yv >= LOG_MIN));
    };
    out.push(`<g class="series" data-name="${escapeXml(s.name)}">`);
    if (style !== 'points') {
      // A gap (null or an omitted point) ends one sub-path and the next visible point starts another.
      let d = '';
      let pen = false;
      for (let i = 0; i < s.x.length; i++) {
        if (!visible(i)) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${px(X(s.x[i] as number))},${px(Y(s.y[i] as number))}`;
        pen = true;
      }
      if (d) {
        const dash = style === 'dashed' ? ' stroke-dasharray="6 4"' : '';
        out.push(`<path class="line" d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      }
    }
    if (style !== 'dashed') {
      for (let i = 0; i < s.x.length; i++) {
        if (!visible(i)) continue;
        out.push(`<circle class="point" cx="${px(X(s.x[i] as number))}" cy="${px(Y(s.y[i] as number))}" r="3" fill="${color}"/>`);
      }
    }
    out.push('</g>');
  });
  out.push('</g>');
  // The frame's top and right edges, drawn over the data so the plot area reads as a box.
  out.push(`<rect class="frame" x="${px(left)}" y="${px(top)}" width="${px(plotW)}" height="${px(plotH)}" fill="none" stroke="#bbb"/>`);

  if (omitted > 0) {
    out.push(
      `<text class="footnote" x="${px(left)}" y="${px(height - 4)}" font-size="10" fill="#555">${omitted} point${omitted === 1 ? '' : 's'} ≤ 0${tiny > 0 ? ' or below 1e-300' : ''} not shown on the log axis</text>`,
    );
  }

  // Legend, to the right of the plot area.
  const lx = left + plotW + 12;
  out.push(`<g class="legend" transform="translate(${px(lx)},${px(top)})">`);
  panel.series.forEach((s, si) => {
    const color = PALETTE[(s.color ?? si) % PALETTE.length];
    const style = s.style ?? 'line';
    const y = 8 + si * 18;
    let mark = '';
    if (style !== 'points') mark += `<line x1="0" y1="${y}" x2="24" y2="${y}" stroke="${color}" stroke-width="2"${style === 'dashed' ? ' stroke-dasharray="6 4"' : ''}/>`;
    if (style !== 'dashed') mark += `<circle cx="12" cy="${y}" r="3" fill="${color}"/>`;
    out.push(`<g class="legend-entry">${mark}<text x="30" y="${px(y + LEGEND_FONT * 0.35)}" font-size="${LEGEND_FONT}">${escapeXml(s.name)}</text></g>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** A short, stable id prefix from the title, so that two figures inlined in one page keep distinct clip ids. */
function idPrefix(title: string): string {
  let h = 2166136261;
  for (let i = 0; i < title.length; i++) h = Math.imul(h ^ title.charCodeAt(i), 16777619);
  return `f${(h >>> 0).toString(36)}`;
}

/** Render a validated spec to an SVG document. */
export function renderFigureKernel(spec: FigureSpec): string {
  const panelW = spec.panelWidth ?? 520;
  const height = spec.height ?? 360;
  const titleH = 30;
  const captionH = spec.caption ? 20 : 0;
  const width = panelW * spec.panels.length;
  const total = titleH + height + captionH;
  const prefix = idPrefix(spec.title);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" role="img" aria-label="${escapeXml(spec.title)}" font-family='${FONT}'>`,
  );
  out.push(`<title>${escapeXml(spec.title)}</title>`);
  if (spec.caption) out.push(`<desc>${escapeXml(spec.caption)}</desc>`);
  out.push(`<rect class="background" width="${width}" height="${total}" fill="white"/>`);
  out.push(`<text class="figure-title" x="${px(width / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`);
  spec.panels.forEach((p, i) => {
    out.push(`<g class="panel" transform="translate(${px(i * panelW)},${titleH})">`);
    out.push(drawPanel(p, panelW, height, `${prefix}-clip${i}`));
    out.push('</g>');
  });
  if (spec.caption) {
    out.push(`<text class="caption" x="8" y="${px(total - 6)}" font-size="10" fill="#555">${escapeXml(spec.caption)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
