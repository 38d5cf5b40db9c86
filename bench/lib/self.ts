// lmtransfer candidates: the library's kernels through its internal entry points, into preallocated
// outputs, as the training loop uses them (the public matmul/crossEntropy add argument validation
// and allocate their outputs). The training-step rows run `train`'s own step (a learner from
// `createLearner` in the row's dtype, the step of `TrainSession`), see prepareSelf.
import { gemm } from '../../src/linalg/gemm.js';
import { setBackend } from '../../src/backend/index.js';
import { setRequestedThreads } from '../../src/backend/config.js';
import { tryAcceleratedLogPartition, tryAcceleratedSoftmaxCrossEntropy } from '../../src/backend/accelerate.js';
import { rowCrossEntropyIndex } from '../../src/kernels/crossEntropyKernel.js';
import { logPartitionBlocks } from '../../src/softmax/logPartitionBlocks.js';
import type { FloatArray } from '../../src/core/matrix.js';
import { createLearner } from '../../src/train/createLearner.js';
import type { Learner } from '../../src/train/Learner.js';
import { resolveTrainPlan } from '../../src/train/trainOptions.js';
import type { TrainData, TrainOptions } from '../../src/train/trainOptions.js';
import { TrainSession } from '../../src/train/TrainSession.js';
import { makeProblem } from './data.js';
import type { Candidate, DType, Runner, Size, Task } from './types.js';

/** Fused softmax cross-entropy, loss per row and gradient G = (softmax(Z) − onehot)/B. */
function crossEntropyRows(Z: FloatArray, B: number, n: number, t: Int32Array, G: FloatArray, perRow: Float64Array, scratch: Float64Array, tmp2: Float64Array): number {
  const scale = 1 / B;
  if (!tryAcceleratedSoftmaxCrossEntropy({ z: Z, zOff: 0, ldz: n, rows: B, n, targets: t, tOff: 0, lse: null, loss: perRow, grad: G, gOff: 0, ldg: n, scale })) {
    for (let i = 0; i < B; i++) perRow[i] = rowCrossEntropyIndex(Z, i * n, n, t[i], scratch, tmp2, G, i * n, scale);
  }
  let s = 0;
  for (let i = 0; i < B; i++) s += perRow[i];
  return s / B;
}

function prepareSelf(task: Task, dtype: DType, s: Size): Runner {
  if (task === 'step' || task === 'smallStep') return trainStepRow(dtype, s);
  const { B, d, n } = s;
  const p = makeProblem(dtype, s, task === 'ce');
  const F = dtype === 'float32' ? Float32Array : Float64Array;
  switch (task) {
    case 'matmul': {
      const Z = new F(B * n);
      return { run: () => gemm(false, true, B, n, d, 1, p.H, 0, d, p.V, 0, d, 0, Z, 0, n) };
    }
    case 'ce': {
      const G = new F(B * n);
      const perRow = new Float64Array(B);
      const scratch = new Float64Array(n);
      const tmp2 = new Float64Array(2);
      return { run: () => void crossEntropyRows(p.Z, B, n, p.targets, G, perRow, scratch, tmp2) };
    }
    case 'logPartition': {
      const out = new Float64Array(B);
      return {
        run: () => {
          if (!tryAcceleratedLogPartition(p.V, n, d, p.H, B, p.bulk, out)) {
            logPartitionBlocks({ rows: n, cols: d, data: p.V }, { rows: B, cols: d, data: p.H }, p.bulk, out);
          }
        },
      };
    }
  }
}

/**
 * The training-step rows: one step of the public `train` on a learner of the row's dtype:
 * `createLearner({ dtype })` with the linear map ĥ = W1 x (x = the problem's H, W1 d × d, no bias)
 * and V̂ = the problem's V; sampled-word targets; plain SGD (momentum 0), as the peers' step.
 * `train(learner, data, opts)` is `resolveTrainPlan` + `TrainSession` + `step()` per step; the row
 * calls `step()` directly so that the validation, data fingerprint and buffer allocation a real run
 * pays once are not timed per step (test/train/benchStep.test.ts checks that `k` runs of the row
 * leave the learner bitwise where `train(learner, data, { ...opts, steps: k })` leaves it). Work
 * beyond the peers' Z, CE, dV, dH: the map's forward and weight gradient, 2·2·B·d² flop (1.7 % of
 * the counted 6·B·n·d at the reference size, 2 % for the small step), and the finiteness scan of
 * the parameters.
 */
export function trainStepRow(dtype: DType, s: Size): Runner & { learner: Learner; data: TrainData; opts: TrainOptions } {
  const { B, d, n } = s;
  const p = makeProblem(dtype, s, false);
  const learner = createLearner({ n, d, featureDim: d, bias: false, V: { rows: n, cols: d, data: Float64Array.from(p.V) }, dtype, seed: 1 });
  const data: TrainData = { X: { rows: B, cols: d, data: p.H }, words: p.targets };
  const opts: TrainOptions = { steps: 2 ** 30, batchSize: B, lr: 0.01, optimizer: 'sgd', momentum: 0 };
  const session = new TrainSession('train', learner, resolveTrainPlan('train', learner, data, opts), opts);
  return { learner, data, opts, run: () => void session.step() };
}

/** lmtransfer with a given backend and thread count. */
export function selfCandidate(name: string, backend: 'wasm' | 'js', threads: number): Candidate {
  return {
    name,
    family: 'self',
    supports: () => true,
    activate: () => {
      setBackend(backend);
      // The internal setter, not setThreads: setThreads(1) would stop the worker pool, and the
      // interleaved rounds would then pay a thread start on every 2-thread run.
      setRequestedThreads(threads);
    },
    prepare: (task, dtype, size) => prepareSelf(task, dtype, size),
  };
}
