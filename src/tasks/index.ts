// Public exports of src/tasks/: downstream tasks and probes (docs/theory.md#1-definitions).
export { linearTask } from './linearTask.js';
export type { LinearTaskOptions } from './linearTask.js';
export { wordTask } from './wordTask.js';
export type { WordTaskOptions } from './wordTask.js';
export { contrastTask } from './contrastTask.js';
export type { ContrastTaskOptions } from './contrastTask.js';
export { classificationTask } from './classificationTask.js';
export type { ClassificationTask, ClassificationTaskOptions } from './classificationTask.js';
export { fitRidgeProbe } from './fitRidgeProbe.js';
export type { RidgeProbe, RidgeProbeOptions } from './fitRidgeProbe.js';
export { fitLogisticProbe } from './fitLogisticProbe.js';
export type { LogisticProbe, LogisticProbeOptions } from './fitLogisticProbe.js';
export { transferProbe } from './transferProbe.js';
export type { TransferProbe } from './transferProbe.js';
export type { RandomSource, Task, WordTask } from './types.js';
