/**
 * The checkpoint type on its own, so that the options (which accept one) and the checkpoint format
 * (which needs the options) do not import each other.
 */
import type { OptimizerName } from './optimizerKernel.js';
import type { ScheduleName } from './learningRateAt.js';

/** A JSON-serialisable snapshot from which `train` resumes bit for bit. */
export interface TrainCheckpoint {
  /** Always `'lmtransfer/train-checkpoint'`. */
  readonly format: 'lmtransfer/train-checkpoint';
  /**
   * Format version: 2 (written) records `config.data`, the fingerprint of the training data; 1 (still
   * read) does not, so a version-1 checkpoint resumes without the data check.
   */
  readonly version: 1 | 2;
  /** Steps completed. */
  readonly step: number;
  /** Loss of the last step taken, or `null` before any step. */
  readonly lastLoss: number | null;
  /**
   * What must match on resume for the continuation to equal an uninterrupted run: the batch order
   * (seed, batch size, number of examples), the architecture (with the dtype of a float32 learner),
   * the optimiser and its hyper-parameters, and the learning-rate schedule (defaults filled in).
   * `train` rejects a checkpoint whose configuration differs in any field.
   */
  readonly config: {
    readonly seed: string;
    readonly batchSize: number;
    readonly optimizer: OptimizerName;
    readonly examples: number;
    readonly architecture: string;
    readonly steps: number;
    readonly lr: number;
    readonly schedule: ScheduleName;
    readonly warmupSteps: number;
    readonly minLr: number;
    readonly weightDecay: number;
    readonly momentum: number;
    readonly beta1: number;
    readonly beta2: number;
    readonly eps: number;
    /**
     * `'sha256:<hex>'` of the training data: the kind of targets, the dtype, shape and bytes of `X`
     * and of the targets (`words`, `targets`, or `H` with the world's `V`). Resuming on other data
     * would silently continue a different run, so `train` rejects it. Absent in version 1.
     */
    readonly data?: string;
  };
  /** The learner's parameters: base64 of little-endian bytes in the learner's dtype (float64, or float32 for a float32 learner). */
  readonly params: string;
  /** Optimiser state buffers (momentum; Adam's first and second moments), same encoding and dtype. */
  readonly optimizerState: readonly string[];
}
