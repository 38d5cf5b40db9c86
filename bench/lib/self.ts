// lmtransfer candidates: the library's kernels through its internal entry points, into preallocated
// outputs, as the training loop uses them (the public matmul/crossEntropy add argument validation
// and allocate their outputs).
import { gemm } from '../../src/linalg/gemm.js';
import { setBackend } from '../../src/backend/index.js';
import { setRequestedThreads } from '../../src/backend/config.js';
import { tryAcceleratedLogPartition, tryAcceleratedSoftmaxCrossEntropy } from '../../src/backend/accelerate.js';
import { rowCrossEntropyIndex } from '../../src/loss/crossEntropyKernel.js';
import { logPartitionKernel } from '../../src/softmax/logPartitionKernel.js';
import type { FloatArray } from '../../src/matrix/matrix.js';
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
            logPartitionKernel({ rows: n, cols: d, data: p.V }, { rows: B, cols: d, data: p.H }, p.bulk, out);
          }
        },
      };
    }
    case 'step':
    case 'smallStep': {
      // One SGD step of the log-linear model on (H, V): Z = H·Vᵀ, fused CE with G in place of Z,
      // dV = Gᵀ·H, dH = G·V, V −= lr·dV, H −= lr·dH. Buffers are allocated once.
      const Z = new F(B * n);
      const dV = new F(n * d);
      const dH = new F(B * d);
      const perRow = new Float64Array(B);
      const scratch = new Float64Array(n);
      const tmp2 = new Float64Array(2);
      const lr = 0.01;
      const { H, V } = p;
      return {
        run: () => {
          gemm(false, true, B, n, d, 1, H, 0, d, V, 0, d, 0, Z, 0, n);
          crossEntropyRows(Z, B, n, p.targets, Z, perRow, scratch, tmp2);
          gemm(true, false, n, d, B, 1, Z, 0, n, H, 0, d, 0, dV, 0, d);
          gemm(false, false, B, d, n, 1, Z, 0, n, V, 0, d, 0, dH, 0, d);
          for (let i = 0; i < V.length; i++) V[i] -= lr * dV[i];
          for (let i = 0; i < H.length; i++) H[i] -= lr * dH[i];
        },
      };
    }
  }
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
