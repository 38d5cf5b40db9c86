// Public exports of src/figures/: a dependency-free SVG renderer for the experiments' figures.
export type { FigureSpec, PanelSpec, AxisSpec, AxisScale, SeriesSpec, SeriesStyle, ReferenceLineSpec } from './FigureSpec.js';
export { renderFigure } from '../experiments/renderFigure.js';
export { figureSpecFor } from '../experiments/figureSpecFor.js';
