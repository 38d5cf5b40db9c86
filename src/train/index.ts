// Public exports of src/train/: learners, training, the learning-rate schedule and the exact excess loss.
export { Learner, DISTRIBUTION_SUM_TOLERANCE } from './Learner.js';
export type { ParameterBlock } from './Learner.js';
export { createLearner } from './createLearner.js';
export type { LearnerOptions } from './createLearner.js';
export type { Activation, LearnerShape } from './learnerKernel.js';
export { train } from './train.js';
export type { TrainData, TrainMetrics, TrainCheckpoint, TrainOptions, TrainResult, TrainResultWithExcessLoss, OptimizerName } from './train.js';
export { learningRateAt } from './learningRateAt.js';
export type { ScheduleName, ScheduleOptions } from './learningRateAt.js';
export { excessLoss } from './excessLoss.js';
export type { ExcessLossContexts, TruthModel } from './excessLoss.js';
