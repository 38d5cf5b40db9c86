// Public exports of src/model/: the log-linear model, sampling from it, and synthetic ground truths.
export { LogLinearModel } from './LogLinearModel.js';
export { sampleNextWords } from './sampleNextWords.js';
export { generateWorld } from './generateWorld.js';
export type { World, WorldOptions, WorldPreset, WorldContexts, WorldCorpus, FeatureRoles } from './generateWorld.js';
