import { runAnchorSweep } from '../../src/experiments/runAnchorSweep.js';
import { runRareWordSweep } from '../../src/experiments/runRareWordSweep.js';
import { runTransferCurve } from '../../src/experiments/runTransferCurve.js';
import { figureSpecFor } from '../../src/experiments/figureSpecFor.js';
import { renderFigure } from '../../src/experiments/renderFigure.js';
import { TINY_E1, TINY_E2 } from '../experiments/fixtures.js';
import { byClass, parseSvg, text } from './svgDom.js';

describe('figures of the experiments', () => {
  it('E1: one panel per model, anchor and constant-Z series in and out of sample, log y when the MSEs span decades', () => {
    const r = runAnchorSweep(TINY_E1);
    const spec = figureSpecFor(r);
    expect(spec.panels.map((p) => p.title?.split(' (')[0])).toEqual(r.models.map((m) => m.model));
    const root = parseSvg(renderFigure(r));
    for (const p of byClass(root, 'panel')) {
      expect(byClass(byClass(p, 'legend')[0], 'legend-entry').map(text)).toEqual(['anchor, in-sample', 'anchor, held out', 'constant Z, in-sample', 'constant Z, held out']);
      expect(text(byClass(byClass(p, 'x-axis')[0], 'axis-title')[0])).toBe('excluded top words k');
    }
  });

  it('E2: transfer-probe errors with the bounds of (a) and (b), ridge errors, and ε against the step', () => {
    const r = runTransferCurve(TINY_E2);
    const spec = figureSpecFor(r);
    expect(spec.panels).toHaveLength(3);
    expect(spec.panels[0].series.map((s) => s.name)).toEqual([
      '(a) frequent words',
      '(b) contrast',
      '(c) rare word',
      'bound, (a) frequent words',
      'bound, (b) contrast',
    ]);
    expect(spec.panels[0].series.slice(3).every((s) => s.style === 'dashed')).toBe(true);
    // A bound shares its task's colour, so the pairing reads at a glance.
    expect(spec.panels[0].series[3].color).toBe(spec.panels[0].series[0].color);
    expect(spec.panels[2].series[0].x).toEqual(r.checkpoints.map((c) => c.step));
    const root = parseSvg(renderFigure(r));
    // ε spans decades along the run, so the ε axes are logarithmic.
    expect(byClass(byClass(root, 'panel')[0], 'x-axis')[0].getAttribute('data-scale')).toBe('log');
  });

  it('E3: ε and its χ² bound against L, and the probe errors against ε with the 1/3 floor drawn', () => {
    const r = runRareWordSweep({ seed: 1, L: [0, 4, 8, 12], nodes: 8 });
    const root = parseSvg(renderFigure(r));
    const [left, right] = byClass(root, 'panel');
    expect(byClass(left, 'y-axis')[0].getAttribute('data-scale')).toBe('log');
    expect(byClass(right, 'x-axis')[0].getAttribute('data-scale')).toBe('log');
    expect(byClass(right, 'reference-line').map(text)).toEqual(['floor Var(z) = 0.333']);
    // The error axis starts at 0, so that 0.332 against 0.333 does not look like a gap.
    expect(byClass(byClass(right, 'y-axis')[0], 'tick-label').map(text)[0]).toBe('0');
  });
});
