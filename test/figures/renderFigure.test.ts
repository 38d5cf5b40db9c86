import fc from 'fast-check';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import type { FigureSpec } from '../../src/figures/FigureSpec.js';
import { renderFigure } from '../../src/experiments/renderFigure.js';
import { referenceLabelPlacement } from '../../src/figures/renderFigureKernel.js';
import { byClass, num, parseSvg, text } from './svgDom.js';

const k = [0, 5, 10, 20, 50, 100, 200];
const SPEC: FigureSpec = {
  title: 'Anchor & baseline <E1>',
  caption: 'seed 1',
  panels: [
    {
      title: 'trained',
      x: { title: 'excluded top words k' },
      y: { title: 'MSE of log Z_B' },
      series: [
        { name: 'anchor', x: k, y: k.map((v) => 0.1 / (v + 1)) },
        { name: 'constant Z', x: k, y: k.map(() => 0.5), style: 'dashed' },
      ],
    },
    {
      x: { title: 'ε', scale: 'log' },
      y: { title: 'error', scale: 'linear' },
      series: [{ name: 'probe', x: [1e-6, 1e-4, 1e-2], y: [0.34, 0.335, 0.338], style: 'points' }],
      referenceLines: [{ axis: 'y', value: 1 / 3, label: 'floor 1/3' }],
    },
  ],
};

describe('renderFigure', () => {
  it('writes well-formed SVG with axes, tick labels, axis titles and a legend in every panel', () => {
    const root = parseSvg(renderFigure(SPEC));
    expect(root.tagName).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(text(byClass(root, 'figure-title')[0])).toBe('Anchor & baseline <E1>');
    const panels = byClass(root, 'panel');
    expect(panels).toHaveLength(2);
    const expectTitles = [
      ['excluded top words k', 'MSE of log Z_B'],
      ['ε', 'error'],
    ];
    panels.forEach((p, i) => {
      for (const [ax, j] of [['x-axis', 0], ['y-axis', 1]] as const) {
        const axis = byClass(p, `axis ${ax}`);
        expect(axis).toHaveLength(1);
        expect(byClass(axis[0], 'domain')).toHaveLength(1);
        const labels = byClass(axis[0], 'tick-label').map(text);
        expect(labels.length).toBeGreaterThanOrEqual(3);
        expect(labels.every((l) => l.length > 0)).toBe(true);
        expect(text(byClass(axis[0], 'axis-title')[0])).toBe(expectTitles[i][j]);
      }
      const legend = byClass(p, 'legend');
      expect(legend).toHaveLength(1);
      expect(byClass(legend[0], 'legend-entry').map(text)).toEqual(SPEC.panels[i].series.map((s) => s.name));
    });
    expect(byClass(panels[1], 'reference-line').map(text)).toEqual(['floor 1/3']);
    expect(text(byClass(root, 'caption')[0])).toBe('seed 1');
  });

  it('puts a reference line\'s label where it covers no data point (the E3 floor under points just above it)', () => {
    // Points just above the floor at the right end: the label goes under the line instead of over them.
    const spec: FigureSpec = {
      title: 't',
      panels: [
        {
          x: { title: 'ε', scale: 'log' },
          y: { title: 'error' },
          series: [
            { name: 'on the floor', x: [1e-12, 1e-8, 1e-4, 1e-2], y: [1 / 3, 1 / 3, 1 / 3, 1 / 3] },
            { name: 'just above', x: [1e-12, 1e-8, 1e-4, 1e-2], y: [0.338, 0.338, 0.338, 0.338], style: 'points' },
            { name: 'range', x: [1e-12], y: [0], style: 'points' },
          ],
          referenceLines: [{ axis: 'y', value: 1 / 3, label: 'floor Var(z) = 0.333' }],
        },
      ],
    };
    const root = parseSvg(renderFigure(spec));
    const ref = byClass(root, 'reference-line')[0];
    const line = ref.getElementsByTagName('line')[0];
    const label = ref.getElementsByTagName('text')[0];
    expect(num(label, 'y')).toBeGreaterThan(num(line, 'y1')); // below the line (SVG y grows downwards)
    // With no data near the line, the label keeps its usual place: right end, above the line.
    const free = parseSvg(renderFigure({ ...spec, panels: [{ ...spec.panels[0], series: [{ name: 'far', x: [1e-12, 1e-2], y: [0, 0.1] }] }] }));
    const ref2 = byClass(free, 'reference-line')[0];
    expect(num(ref2.getElementsByTagName('text')[0], 'y')).toBeLessThan(num(ref2.getElementsByTagName('line')[0], 'y1'));
    expect(ref2.getElementsByTagName('text')[0].getAttribute('text-anchor')).toBe('end');
  });

  it('referenceLabelPlacement picks the place that covers the fewest marks and never leaves the plot', () => {
    const area = { left: 0, top: 0, plotW: 200, plotH: 100 };
    // A mark right above the line at the right end, another right below it: the left end wins.
    const p = referenceLabelPlacement('y', 50, 'floor', area, [
      [190, 47],
      [190, 58],
    ]);
    expect(p).toEqual({ x: 4, y: 46, anchor: 'start' });
    // A line at the very top: "above" would leave the plot, so the label goes below.
    expect(referenceLabelPlacement('y', 2, 'top', area, [])).toEqual({ x: 196, y: 16, anchor: 'end' });
    // Vertical lines: top right of the line unless a mark is there.
    expect(referenceLabelPlacement('x', 100, 'L*', area, [])).toEqual({ x: 104, y: 12, anchor: 'start' });
    expect(referenceLabelPlacement('x', 100, 'L*', area, [[106, 8]])).toEqual({ x: 96, y: 12, anchor: 'end' });
  });

  it('uses a log axis when the data span two decades, with decade tick labels', () => {
    const root = parseSvg(renderFigure(SPEC));
    const [p0, p1] = byClass(root, 'panel');
    expect(byClass(p0, 'x-axis')[0].getAttribute('data-scale')).toBe('linear'); // k includes 0
    expect(byClass(p0, 'y-axis')[0].getAttribute('data-scale')).toBe('log'); // 0.1/201 … 0.5 spans > 2 decades
    expect(byClass(byClass(p0, 'y-axis')[0], 'tick-label').map(text)).toEqual(['0.0001', '0.001', '0.01', '0.1', '1']);
    expect(byClass(byClass(p1, 'x-axis')[0], 'tick-label').map(text)).toEqual(['1e-6', '1e-5', '0.0001', '0.001', '0.01']);
    expect(byClass(p1, 'y-axis')[0].getAttribute('data-scale')).toBe('linear');
  });

  it('places points by their values: the extremes of a nice domain land on the frame', () => {
    const svg = renderFigure({
      title: 't',
      panels: [{ x: { title: 'x', scale: 'linear' }, y: { title: 'y', scale: 'linear' }, series: [{ name: 's', x: [0, 5, 10], y: [0, 50, 100] }] }],
    });
    const root = parseSvg(svg);
    const frame = byClass(root, 'frame')[0];
    const [fx, fy, fw, fh] = ['x', 'y', 'width', 'height'].map((a) => num(frame, a));
    const pts = byClass(root, 'point').map((c) => [num(c, 'cx'), num(c, 'cy')]);
    // Coordinates are rounded to 0.01 px in the file.
    expect(pts[0][0]).toBeCloseTo(fx, 1);
    expect(pts[0][1]).toBeCloseTo(fy + fh, 1);
    expect(pts[1][0]).toBeCloseTo(fx + fw / 2, 1);
    expect(pts[1][1]).toBeCloseTo(fy + fh / 2, 1);
    expect(pts[2][0]).toBeCloseTo(fx + fw, 1);
    expect(pts[2][1]).toBeCloseTo(fy, 1);
  });

  it('breaks a line at null and says how many points a log axis could not show', () => {
    const root = parseSvg(
      renderFigure({
        title: 'gaps',
        panels: [{ x: { title: 'x' }, y: { title: 'y', scale: 'log' }, series: [{ name: 's', x: [1, 2, 3, 4, 5, 6], y: [1, 10, null, 100, 0, 1000] }] }],
      }),
    );
    const d = byClass(root, 'line')[0].getAttribute('d') ?? '';
    expect(d.match(/M/g)).toHaveLength(3); // [1,2] | [4] | [6]: split at the null and at the omitted 0
    expect(byClass(root, 'point')).toHaveLength(4);
    expect(text(byClass(root, 'footnote')[0])).toBe('1 point ≤ 0 not shown on the log axis');
  });

  it('is deterministic and does not mutate its input', () => {
    const before = JSON.stringify(SPEC);
    const a = renderFigure(SPEC);
    const b = renderFigure(JSON.parse(before) as FigureSpec);
    expect(a).toBe(b);
    expect(JSON.stringify(SPEC)).toBe(before);
  });

  it('renders any finite series as valid SVG with every point inside the frame (property, 150 runs, seed 61)', () => {
    const value = fc.oneof(fc.double({ min: -1e8, max: 1e8, noNaN: true }), fc.double({ min: 1e-12, max: 1e12, noNaN: true }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 20 })), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('linear', 'log', 'auto'),
        fc.constantFrom('linear', 'auto'),
        (series, ys, xs) => {
          const spec: FigureSpec = {
            title: 'p',
            panels: [
              {
                x: { title: 'x', scale: xs },
                y: { title: 'y', scale: ys },
                series: series.map(([name, pts]) => ({ name, x: pts.map((p) => p[0]), y: pts.map((p) => p[1]) })),
              },
            ],
          };
          // An explicit log axis needs one positive value; the renderer refuses otherwise (tested below).
          if (ys === 'log' && !series.some(([, pts]) => pts.some((p) => p[1] > 0))) return;
          const root = parseSvg(renderFigure(spec));
          const frame = byClass(root, 'frame')[0];
          const [fx, fy, fw, fh] = ['x', 'y', 'width', 'height'].map((a) => num(frame, a));
          for (const c of byClass(root, 'point')) {
            // 0.02 px: both sides are rounded to 0.01 px.
            expect(num(c, 'cx')).toBeGreaterThanOrEqual(fx - 0.02);
            expect(num(c, 'cx')).toBeLessThanOrEqual(fx + fw + 0.02);
            expect(num(c, 'cy')).toBeGreaterThanOrEqual(fy - 0.02);
            expect(num(c, 'cy')).toBeLessThanOrEqual(fy + fh + 0.02);
          }
          expect(byClass(root, 'legend-entry').map(text)).toEqual(series.map(([name]) => name.trim()));
        },
      ),
      { seed: 61, numRuns: 150 },
    );
  });

  describe('bad input', () => {
    const panel = SPEC.panels[0];
    const cases: [string, unknown, typeof DomainError | typeof ShapeError, string][] = [
      ['not an object', 42, DomainError, "renderFigure: argument 'input' must be a FigureSpec or an experiment result; got 42"],
      ['no panels', { title: 't', panels: [] }, DomainError, "renderFigure: argument 'spec.panels' must be a non-empty array of panels; got an array of length 0"],
      ['missing title', { panels: [panel] }, DomainError, "renderFigure: argument 'spec.title' must be a string; got undefined"],
      [
        'a NaN value',
        { title: 't', panels: [{ ...panel, series: [{ name: 's', x: [1, 2], y: [1, NaN] }] }] },
        DomainError,
        "renderFigure: argument 'spec.panels[0].series[0].y[1]' must be a finite number or null; got NaN",
      ],
      [
        'an infinite value',
        { title: 't', panels: [{ ...panel, series: [{ name: 's', x: [Infinity], y: [1] }] }] },
        DomainError,
        "renderFigure: argument 'spec.panels[0].series[0].x[0]' must be a finite number or null; got Infinity",
      ],
      [
        'x and y of different lengths',
        { title: 't', panels: [{ ...panel, series: [{ name: 's', x: [1, 2, 3], y: [1, 2] }] }] },
        ShapeError,
        "renderFigure: argument 'spec.panels[0].series[0].y' must be of the same length as x (3); got length 2",
      ],
      [
        'an unknown scale',
        { title: 't', panels: [{ ...panel, y: { title: 'y', scale: 'sqrt' } }] },
        DomainError,
        "renderFigure: argument 'spec.panels[0].y.scale' must be one of 'linear', 'log', 'auto'; got \"sqrt\"",
      ],
      [
        'a log axis with nothing positive',
        { title: 't', panels: [{ x: { title: 'x' }, y: { title: 'y', scale: 'log' }, series: [{ name: 's', x: [1, 2], y: [0, -1] }] }] },
        DomainError,
        "renderFigure: argument 'spec.panels[0].y.scale' must be a scale with at least one positive value to show (log); got no positive value",
      ],
      [
        'only nulls',
        { title: 't', panels: [{ x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1], y: [null] }] }] },
        DomainError,
        "renderFigure: argument 'spec.panels[0].series' must be at least one point with both coordinates non-null; got none",
      ],
      [
        'an unknown style',
        { title: 't', panels: [{ ...panel, series: [{ name: 's', x: [1], y: [1], style: 'bars' }] }] },
        DomainError,
        "renderFigure: argument 'spec.panels[0].series[0].style' must be one of 'line', 'dashed', 'points'; got \"bars\"",
      ],
      [
        'a reference line at 0 on a log axis',
        { title: 't', panels: [{ ...panel, y: { title: 'y', scale: 'log' }, referenceLines: [{ axis: 'y', value: 0, label: 'zero' }] }] },
        DomainError,
        "renderFigure: argument 'spec.panels[0].referenceLines[0].value' must be positive on a log axis; got 0",
      ],
      ['a tiny panel', { ...SPEC, panelWidth: 10 }, DomainError, "renderFigure: argument 'spec.panelWidth' must be a finite number ≥ 100 (pixels); got 10"],
      [
        'an unknown result kind',
        { kind: 'nope' },
        DomainError,
        "renderFigure: argument 'result' must be an experiment result with kind 'anchorSweep', 'transferCurve' or 'rareWordSweep'; got kind \"nope\"",
      ],
    ];
    it.each(cases)('%s', (_name, input, cls, message) => {
      const call = (): string => renderFigure(input as FigureSpec);
      expect(call).toThrow(cls);
      expect(call).toThrow(message);
    });
  });
});
