import fc from 'fast-check';
import { renderFigure } from '../../src/experiments/index.js';
import { linearScale, logScale, shift10 } from '../../src/figures/axisScale.js';

/** A one-panel figure of one series. */
function figure(x: number[], y: number[], xScale: 'linear' | 'log' | 'auto' = 'linear', yScale: 'linear' | 'log' | 'auto' = 'auto') {
  return { title: 't', panels: [{ x: { title: 'x', scale: xScale }, y: { title: 'y', scale: yScale }, series: [{ name: 's', x, y }] }] };
}

/** Every number written into the SVG (attributes and labels): none may be NaN or infinite. */
function expectFiniteSvg(svg: string): void {
  expect(svg).not.toMatch(/NaN|Infinity/);
  for (const m of svg.matchAll(/\s(?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"/g)) {
    expect(Number.isFinite(Number(m[1]))).toBe(true);
  }
}

function tickLabels(svg: string): string[] {
  return [...svg.matchAll(/class="tick-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
}

describe('renderFigure at the ends of float64 (issue 13 item 2)', () => {
  it('y = [1e308, −1e308, 0] draws with finite coordinates and labels ±1e308', () => {
    const svg = renderFigure(figure([0, 1, 2], [1e308, -1e308, 0]));
    expectFiniteSvg(svg);
    expect(tickLabels(svg)).toEqual(expect.arrayContaining(['-1e308', '0', '1e308']));
  });

  it('subnormal x = [5e-324, 1e-323, 0] on a linear axis draws, with labels in subnormal units', () => {
    const svg = renderFigure(figure([5e-324, 1e-323, 0], [1, 2, 3]));
    expectFiniteSvg(svg);
    expect(tickLabels(svg)).toEqual(expect.arrayContaining(['0', '1e-323']));
  });

  it('values up to Number.MAX_VALUE on linear and log axes: the tick past MAX_VALUE is left out', () => {
    for (const scale of ['linear', 'log'] as const) {
      const svg = renderFigure(figure([1, 2, 3], [Number.MAX_VALUE, 1e308, 1e300], 'linear', scale));
      expectFiniteSvg(svg);
    }
    const s = logScale(1e300, Number.MAX_VALUE);
    expect(s.ticks.every(Number.isFinite)).toBe(true);
    expect(s.unit(Number.MAX_VALUE)).toBeLessThanOrEqual(1);
    expect(s.unit(1e300)).toBeGreaterThanOrEqual(0);
    // Nine decades are labelled every second one, so the domain is 10^300 … 10^310 (neither end
    // need be a float64): the map runs over the decade exponents, 1e308 sits at 8/10.
    expect(s.unit(1e308)).toBeCloseTo(8 / 10, 12);
  });

  it('a linear scale over huge or subnormal ranges maps its data into [0, 1] and keeps labels distinct', () => {
    for (const [a, b] of [[-Number.MAX_VALUE, Number.MAX_VALUE], [5e-324, 1e-323], [0, 5e-324], [1e200, 1e200 * (1 + 1e-12)], [-1e-310, 3e-310]]) {
      const s = linearScale(a, b);
      for (const v of [a, b]) {
        const u = s.unit(v);
        expect(u).toBeGreaterThanOrEqual(-1e-9);
        expect(u).toBeLessThanOrEqual(1 + 1e-9);
      }
      expect(new Set(s.labels).size).toBe(s.labels.length);
      expect(s.ticks.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(s.lo) && Number.isFinite(s.hi)).toBe(true);
    }
  });

  it('shift10 moves between subnormal, ordinary and huge magnitudes without overflow (exact for powers in range)', () => {
    expect(shift10(5e-324, 324)).toBeCloseTo(4.94065645841247, 12);
    expect(shift10(1.7976931348623157e308, -308)).toBeCloseTo(1.7976931348623157, 14);
    expect(shift10(1.5, 308)).toBe(1.5e308);
    expect(shift10(3, -5)).toBe(3e-5);
  });

  it('any finite series, huge or subnormal, on any scale, gives an SVG without NaN or Infinity (property, 300 runs, seed 13)', () => {
    const extreme = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, 1e308, -1e308, 5e-324, -5e-324, 1e-323, 2.2e-308, 0, 1e-300),
      fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(extreme, extreme), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('linear', 'log', 'auto'),
        fc.constantFrom('linear', 'log', 'auto'),
        (pts, xs, ys) => {
          const x = pts.map((p) => p[0]);
          const y = pts.map((p) => p[1]);
          let svg: string;
          try {
            svg = renderFigure(figure(x, y, xs, ys));
          } catch (e) {
            // The only refusal allowed here: a log axis with no positive value to show.
            expect((e as Error).message).toMatch(/^renderFigure: argument 'spec\.panels\[0\]\.[xy]\.scale' must be a scale with at least one positive value/);
            return;
          }
          expectFiniteSvg(svg);
        },
      ),
      { seed: 13, numRuns: 300 },
    );
  });
});
