// Public exports of src/softmax/: stable log-sum-exp, row-wise (log-)softmax and the log-partition.
export { logSumExp } from './logSumExp.js';
export { logSoftmaxRows } from './logSoftmaxRows.js';
export { softmaxRows } from './softmaxRows.js';
export { logPartition } from './logPartition.js';
