/**
 * Validation of a {@link FigureSpec}, with messages in the library's template that point at the
 * offending field by its path (for example `spec.panels[0].series[2].y[5]`).
 *
 * @internal
 */
import { describeValue, domainError, shapeError } from '../core/check.js';
import type { FigureSpec } from './FigureSpec.js';

const SCALES = ['linear', 'log', 'auto'];
const STYLES = ['line', 'dashed', 'points'];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkString(fn: string, name: string, v: unknown): void {
  if (typeof v !== 'string') throw domainError(fn, name, 'a string', describeValue(v));
}

function checkPositive(fn: string, name: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 100) throw domainError(fn, name, 'a finite number ≥ 100 (pixels)', describeValue(v));
}

/** Check `spec` (named `name` in messages) and throw the first problem found. */
export function validateFigureSpec(fn: string, name: string, spec: unknown): asserts spec is FigureSpec {
  if (!isObject(spec)) throw domainError(fn, name, 'a FigureSpec object', describeValue(spec));
  checkString(fn, `${name}.title`, spec.title);
  checkPositive(fn, `${name}.panelWidth`, spec.panelWidth);
  checkPositive(fn, `${name}.height`, spec.height);
  if (spec.caption !== undefined) checkString(fn, `${name}.caption`, spec.caption);
  const panels = spec.panels;
  if (!Array.isArray(panels) || panels.length === 0) {
    throw domainError(fn, `${name}.panels`, 'a non-empty array of panels', describeValue(panels));
  }
  panels.forEach((p: unknown, pi) => {
    const pn = `${name}.panels[${pi}]`;
    if (!isObject(p)) throw domainError(fn, pn, 'a panel object', describeValue(p));
    if (p.title !== undefined) checkString(fn, `${pn}.title`, p.title);
    const scales: Record<'x' | 'y', string> = { x: 'auto', y: 'auto' };
    for (const ax of ['x', 'y'] as const) {
      const a = p[ax];
      if (!isObject(a)) throw domainError(fn, `${pn}.${ax}`, 'an axis object { title, scale? }', describeValue(a));
      checkString(fn, `${pn}.${ax}.title`, a.title);
      if (a.scale !== undefined && (typeof a.scale !== 'string' || !SCALES.includes(a.scale))) {
        throw domainError(fn, `${pn}.${ax}.scale`, "one of 'linear', 'log', 'auto'", describeValue(a.scale));
      }
      if (a.includeZero !== undefined && typeof a.includeZero !== 'boolean') {
        throw domainError(fn, `${pn}.${ax}.includeZero`, 'a boolean', describeValue(a.includeZero));
      }
      scales[ax] = a.scale ?? 'auto';
    }
    const series = p.series;
    if (!Array.isArray(series) || series.length === 0) {
      throw domainError(fn, `${pn}.series`, 'a non-empty array of series', describeValue(series));
    }
    const drawn = { x: [] as number[], y: [] as number[] };
    series.forEach((s: unknown, si) => {
      const sn = `${pn}.series[${si}]`;
      if (!isObject(s)) throw domainError(fn, sn, 'a series object { name, x, y }', describeValue(s));
      checkString(fn, `${sn}.name`, s.name);
      if (!Array.isArray(s.x)) throw domainError(fn, `${sn}.x`, 'an array of numbers or nulls', describeValue(s.x));
      if (!Array.isArray(s.y)) throw domainError(fn, `${sn}.y`, 'an array of numbers or nulls', describeValue(s.y));
      if (s.x.length !== s.y.length) {
        throw shapeError(fn, `${sn}.y`, `of the same length as x (${s.x.length})`, `length ${s.y.length}`);
      }
      for (const ax of ['x', 'y'] as const) {
        const arr = s[ax] as unknown[];
        arr.forEach((v, i) => {
          // null is a deliberate gap; NaN and ±Infinity are not, so they are refused rather than drawn as nothing.
          if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
            throw domainError(fn, `${sn}.${ax}[${i}]`, 'a finite number or null', describeValue(v));
          }
        });
      }
      for (let i = 0; i < s.x.length; i++) {
        const xv = s.x[i] as number | null;
        const yv = s.y[i] as number | null;
        if (xv !== null && yv !== null) {
          drawn.x.push(xv);
          drawn.y.push(yv);
        }
      }
      if (s.style !== undefined && (typeof s.style !== 'string' || !STYLES.includes(s.style))) {
        throw domainError(fn, `${sn}.style`, "one of 'line', 'dashed', 'points'", describeValue(s.style));
      }
      if (s.color !== undefined && (typeof s.color !== 'number' || !Number.isInteger(s.color) || s.color < 0)) {
        throw domainError(fn, `${sn}.color`, 'a non-negative integer palette index', describeValue(s.color));
      }
    });
    const refs = p.referenceLines;
    if (refs !== undefined) {
      if (!Array.isArray(refs)) throw domainError(fn, `${pn}.referenceLines`, 'an array of reference lines', describeValue(refs));
      refs.forEach((r: unknown, ri) => {
        const rn = `${pn}.referenceLines[${ri}]`;
        if (!isObject(r)) throw domainError(fn, rn, 'a reference line { label, axis, value }', describeValue(r));
        checkString(fn, `${rn}.label`, r.label);
        if (r.axis !== 'x' && r.axis !== 'y') throw domainError(fn, `${rn}.axis`, "'x' or 'y'", describeValue(r.axis));
        if (typeof r.value !== 'number' || !Number.isFinite(r.value)) throw domainError(fn, `${rn}.value`, 'a finite number', describeValue(r.value));
        if (scales[r.axis] === 'log' && r.value <= 0) throw domainError(fn, `${rn}.value`, 'positive on a log axis', describeValue(r.value));
        drawn[r.axis].push(r.value);
      });
    }
    for (const ax of ['x', 'y'] as const) {
      if (drawn[ax].length === 0) {
        throw domainError(fn, `${pn}.series`, 'at least one point with both coordinates non-null', 'none');
      }
      if (scales[ax] === 'log' && !drawn[ax].some((v) => v > 0)) {
        throw domainError(fn, `${pn}.${ax}.scale`, 'a scale with at least one positive value to show (log)', 'no positive value');
      }
    }
  });
}
