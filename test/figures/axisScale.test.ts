import fc from 'fast-check';
import { chooseScaleKind, formatExponential, formatNumber, linearScale, logScale, niceStep } from '../../src/figures/axisScale.js';

describe('axis scales', () => {
  it('niceStep rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(2.2)).toBe(2.5);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(0.013)).toBeCloseTo(0.02, 15);
  });

  it('chooseScaleKind picks log only for positive data spanning two decades or more', () => {
    expect(chooseScaleKind('auto', [1, 99])).toBe('linear');
    expect(chooseScaleKind('auto', [1, 100])).toBe('log');
    expect(chooseScaleKind('auto', [0, 1e6])).toBe('linear');
    expect(chooseScaleKind('auto', [-1, 1e6])).toBe('linear');
    expect(chooseScaleKind('log', [1, 2])).toBe('log');
    expect(chooseScaleKind('linear', [1e-9, 1])).toBe('linear');
    expect(chooseScaleKind('auto', [])).toBe('linear');
  });

  it('formatNumber prints tick values without float noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(0.25, 2)).toBe('0.25');
    expect(formatNumber(1e-6)).toBe('1e-6');
    expect(formatNumber(2.5e-7)).toBe('2.5e-7');
    expect(formatNumber(1e6)).toBe('1e6');
    expect(formatNumber(0.0001)).toBe('0.0001');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-3, 0)).toBe('-3');
    expect(formatExponential(99999.9999, 10)).toBe('9.99999999e4');
    expect(formatExponential(1e5, 10)).toBe('1e5');
  });

  it('a log scale ticks every decade and rounds its domain out to decades', () => {
    const s = logScale(3e-7, 0.2);
    expect(s.lo).toBe(1e-7);
    expect(s.hi).toBe(1);
    expect(s.ticks).toEqual([1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
    expect(s.labels).toEqual(['1e-7', '1e-6', '1e-5', '0.0001', '0.001', '0.01', '0.1', '1']);
    expect(s.unit(1e-7)).toBeCloseTo(0, 12);
    expect(s.unit(1)).toBeCloseTo(1, 12);
    expect(s.unit(1e-3)).toBeCloseTo(4 / 7, 12);
  });

  it('a short log range gets 2 and 5 ticks; a long one labels every k-th decade', () => {
    expect(logScale(0.2, 3).ticks).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
    const long = logScale(1e-20, 1);
    // Twenty decades: every third decade is labelled, aligned to multiples of 3 (so 1e-21 … 1).
    expect(long.ticks.length).toBeLessThanOrEqual(11);
    expect(long.ticks[0]).toBeLessThanOrEqual(1e-20);
    expect(long.ticks[long.ticks.length - 1]).toBeGreaterThanOrEqual(1);
    const exps = long.ticks.map((t) => Math.round(Math.log10(t)));
    for (let i = 1; i < exps.length; i++) expect(exps[i] - exps[i - 1]).toBe(3);
    expect(exps).toContain(0);
  });

  it('linear ticks cover the data, lie on the step grid and map the domain onto [0, 1] (property, 300 runs, seed 6)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        (a, width) => {
          const s = linearScale(a, a + width);
          // Domain contains the data, up to float rounding of the step arithmetic (1e-9 relative).
          const tol = 1e-9 * Math.max(1, Math.abs(a), Math.abs(a + width));
          expect(s.lo).toBeLessThanOrEqual(a + tol);
          expect(s.hi).toBeGreaterThanOrEqual(a + width - tol);
          expect(s.ticks.length).toBeGreaterThanOrEqual(2);
          expect(s.ticks.length).toBeLessThanOrEqual(13);
          for (let i = 1; i < s.ticks.length; i++) expect(s.ticks[i]).toBeGreaterThan(s.ticks[i - 1]);
          expect(s.unit(s.lo)).toBeCloseTo(0, 9);
          expect(s.unit(s.hi)).toBeCloseTo(1, 9);
          expect(new Set(s.labels).size).toBe(s.labels.length); // distinct labels: the format keeps enough digits
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });

  it('a single value gets a window around it', () => {
    const s = linearScale(5, 5);
    expect(s.lo).toBeLessThan(5);
    expect(s.hi).toBeGreaterThan(5);
    const z = linearScale(0, 0);
    expect(z.lo).toBeLessThan(0);
    expect(z.hi).toBeGreaterThan(0);
  });
});
