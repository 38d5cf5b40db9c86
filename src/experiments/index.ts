// Public exports of src/experiments/: the three experiments of docs/theory.md#8-the-experiments, their results, the
// report writer, and the figure renderer (src/figures has no dependencies, so re-exporting it from
// here keeps `import 'lmtransfer'` light).
export { runAnchorSweep } from './runAnchorSweep.js';
export type { AnchorSweepOptions } from './runAnchorSweep.js';
export { runTransferCurve, checkpointSteps } from './runTransferCurve.js';
export type { TransferCurveOptions } from './runTransferCurve.js';
export { runRareWordSweep } from './runRareWordSweep.js';
export type { RareWordSweepOptions } from './runRareWordSweep.js';
export type { PretrainingOptions } from './pretrainingSetup.js';
export type { ContextRoles } from './contextRoles.js';
export type { ExperimentProgress } from './progressTypes.js';
export type {
  AnchorFitSummary,
  AnchorSweepModel,
  AnchorSweepResult,
  AnchorSweepRow,
  ExperimentResult,
  RareWordRow,
  RareWordSweepResult,
  ReproduceResults,
  RunInfo,
  TransferCheckpoint,
  TransferCurveResult,
  TransferTaskId,
  TransferTaskInfo,
  TransferTaskPoint,
} from './results.js';
export { assessResults, ASSESSMENT_THRESHOLDS } from './assessResults.js';
export type { Verdict, TrendSummary } from './assessResults.js';
export { renderReport } from './renderReport.js';
export type { ReportFigures } from './renderReport.js';
export { reproducePreset } from './reproducePresets.js';
export type { ReproducePreset } from './reproducePresets.js';
export { renderFigure } from './renderFigure.js';
export { figureSpecFor } from './figureSpecFor.js';
export type { FigureSpec, PanelSpec, AxisSpec, AxisScale, SeriesSpec, SeriesStyle, ReferenceLineSpec } from '../figures/FigureSpec.js';
