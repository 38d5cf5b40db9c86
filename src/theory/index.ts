// Public exports of src/theory/: the lemmas and theorems of docs/theory.md as functions, and the
// constructions of Theorems 2 and 3.
export { pinskerBound } from './pinskerBound.js';
export { logStabilityBound } from './logStabilityBound.js';
export { binaryKl } from './binaryKl.js';
export { binaryKlFromLogProb } from './binaryKlFromLogProb.js';
export { binaryKlLogRatioBound } from './binaryKlLogRatioBound.js';
export { binaryKlLogRatioBoundFromLogProb } from './binaryKlLogRatioBoundFromLogProb.js';
export { transferErrorDecomposition } from './transferErrorDecomposition.js';
export type { TransferDecomposition, TransferDecompositionOptions } from './transferErrorDecomposition.js';
export type { TransferTerms } from './transferKernel.js';
export { transferBound } from './transferBound.js';
export type { TransferBoundParams, TransferBoundResult } from './transferBound.js';
export { certifiedTransferBound } from './certifiedTransferBound.js';
export type { CertifiedTransferBound } from './certifiedTransferBound.js';
export { bestPredictorError } from './bestPredictorError.js';
export { gaussLegendre } from './gaussLegendre.js';
export type { QuadratureRule } from './gaussLegendre.js';
export { gaussHermite } from './gaussHermite.js';
export { rareWordConstruction } from './rareWordConstruction.js';
export type { RareWordConstruction, RareWordOptions } from './rareWordConstruction.js';
export { invisibleDirectionConstruction } from './invisibleDirectionConstruction.js';
export type { InvisibleDirectionConstruction, InvisibleDirectionOptions } from './invisibleDirectionConstruction.js';
export type { Anchor, ModelOnContexts, TransferInstance } from './types.js';
