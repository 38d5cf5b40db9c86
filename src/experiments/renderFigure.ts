import type { ExperimentResult } from './results.js';
import { describeValue, domainError } from '../core/check.js';
import type { FigureSpec } from '../figures/FigureSpec.js';
import { figureSpecForAs } from './figureSpecFor.js';
import { renderFigureKernel } from '../figures/renderFigureKernel.js';
import { validateFigureSpec } from '../figures/validateFigureSpec.js';

/**
 * Draw a figure as a standalone SVG document, synchronously and without a browser: axes with tick
 * labels and titles, a legend per panel, log scales where the data span two decades or more (or
 * where the spec asks), dashed series for bounds and baselines, and labelled reference lines.
 *
 * The input is either a {@link FigureSpec} or an experiment result (`runAnchorSweep`,
 * `runTransferCurve`, `runRareWordSweep`), which is drawn as {@link figureSpecFor} describes. The
 * output is deterministic: the same input gives the same bytes.
 *
 * Points that a log axis cannot show (`≤ 0`) are left out and counted in a footnote on the figure;
 * `null` coordinates are gaps in a line.
 *
 * @example
 * ```ts
 * const svg = renderFigure({
 *   title: 'Decay',
 *   panels: [{ x: { title: 'step' }, y: { title: 'loss', scale: 'log' },
 *              series: [{ name: 'train', x: [0, 1, 2], y: [1, 0.1, 0.01] }] }],
 * });
 * // svg starts with '<svg xmlns="http://www.w3.org/2000/svg"'
 * ```
 * @throws DomainError when the spec is malformed (the message gives the path of the field, for
 *   example `spec.panels[0].series[1].y[3]`), a value is NaN or infinite, or a log axis has no
 *   positive value
 * @throws ShapeError when a series' `x` and `y` differ in length
 */
export function renderFigure(input: FigureSpec | ExperimentResult): string {
  if (input === null || typeof input !== 'object') {
    throw domainError('renderFigure', 'input', 'a FigureSpec or an experiment result', describeValue(input));
  }
  const spec = 'kind' in input ? figureSpecForAs('renderFigure', input) : input;
  validateFigureSpec('renderFigure', 'kind' in input ? 'result' : 'spec', spec);
  return renderFigureKernel(spec);
}
