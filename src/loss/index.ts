// Public exports of src/loss/: cross-entropy with its gradient, KL divergence and total variation.
export { crossEntropy } from './crossEntropy.js';
export type { CrossEntropyOptions, CrossEntropyResult, Reduction } from './crossEntropy.js';
export { klDivergenceRows } from './klDivergenceRows.js';
export { totalVariationRows } from './totalVariationRows.js';
