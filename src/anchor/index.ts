// Public exports of src/anchor/: bulk sets, the anchor fit, and the streaming accumulator (docs/theory.md#3-the-anchor-vector).
export { allWords } from './allWords.js';
export { bulkExcluding } from './bulkExcluding.js';
export { bulkExcludingTop } from './bulkExcludingTop.js';
export { meanWordProbabilities } from './meanWordProbabilities.js';
export type { MeanWordProbabilities, MeanWordProbabilitiesOptions } from './meanWordProbabilities.js';
export { bulkLogPartitions } from './bulkLogPartitions.js';
export type { BulkLogPartitionsOptions } from './bulkLogPartitions.js';
export { perContextBulkLogPartitions } from './perContextBulkLogPartitions.js';
export type { PerContextBulkLogPartitionsOptions } from './perContextBulkLogPartitions.js';
export { fitAnchor } from './fitAnchor.js';
export { fitAnchorFromLogPartition } from './fitAnchorFromLogPartition.js';
export { anchorResiduals } from './anchorResiduals.js';
export { AnchorAccumulator } from './AnchorAccumulator.js';
export type { AnchorAccumulatorJSON, AnchorAddOptions } from './AnchorAccumulator.js';
export type { AnchorFit, AnchorFitOptions, AnchorMetrics, AnchorResidualMetrics, AnchorSolveOptions, AnchorStatsFit } from './types.js';
