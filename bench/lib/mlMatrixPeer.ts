// ml-matrix peer (float64 only: it stores rows as Float64Array). CE is written with its row-wise
// methods, as a user of the library would.
import { Matrix } from 'ml-matrix';
import { makeProblem } from './data.js';
import type { Candidate, DType, Runner, Size, Task } from './types.js';

function ce(Z: Matrix, t: Int32Array, B: number): { loss: number; G: Matrix } {
  const m = Z.max('row');
  const E = Z.clone().subColumnVector(m).exp();
  const s = E.sum('row');
  let loss = 0;
  for (let i = 0; i < B; i++) loss += Math.log(s[i]) + m[i] - Z.get(i, t[i]);
  const G = E.divColumnVector(s);
  for (let i = 0; i < B; i++) G.set(i, t[i], G.get(i, t[i]) - 1);
  G.div(B);
  return { loss: loss / B, G };
}

function prepareMl(task: Task, dtype: DType, s: Size): Runner {
  const { B, d, n } = s;
  const p = makeProblem(dtype, s, task === 'ce');
  const H = Matrix.from1DArray(B, d, p.H);
  const V = Matrix.from1DArray(n, d, p.V);
  const Z = task === 'ce' ? Matrix.from1DArray(B, n, p.Z) : null;
  return {
    run: () => {
      switch (task) {
        case 'matmul':
          H.mmul(V.transpose());
          break;
        case 'ce':
          ce(Z as Matrix, p.targets, B);
          break;
        case 'logPartition': {
          const rows = Array.from(p.bulk);
          const L = H.mmul(V.selection(rows, Array.from({ length: d }, (_, k) => k)).transpose());
          const m = L.max('row');
          L.subColumnVector(m).exp().sum('row').map((v, i) => Math.log(v) + m[i]);
          break;
        }
        case 'step':
        case 'smallStep': {
          const logits = H.mmul(V.transpose());
          const { G } = ce(logits, p.targets, B);
          const dV = G.transpose().mmul(H);
          const dH = G.mmul(V);
          V.sub(dV.mul(0.01));
          H.sub(dH.mul(0.01));
          break;
        }
      }
    },
  };
}

export function mlMatrixCandidate(): Candidate {
  return { name: 'ml-matrix', family: 'ml-matrix', supports: (_t, dtype) => dtype === 'float64', prepare: prepareMl };
}
