import fc from 'fast-check';
import { wasmSoftmaxCrossEntropy } from '../../src/backend/wasmRows.js';
import type { RowPassArgs } from '../../src/backend/backend.js';
import { tryAcceleratedSoftmaxCrossEntropy } from '../../src/backend/accelerate.js';
import { setStageBytes, STAGE_BYTES } from '../../src/backend/heap.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { setThreads } from '../../src/backend/setThreads.js';
import type { FloatArray } from '../../src/core/matrix.js';
import { countDifferences, randomArray } from './helpers.js';

const { exp, log, abs, max } = Math;

/** Float64 two-pass reference of one row: lse, loss and the gradient scale·(softmax − onehot). */
function referenceRow(z: FloatArray, off: number, n: number, t: number, scale: number): { lse: number; loss: number; g: Float64Array; zmax: number } {
  let m = -Infinity;
  let zmax = 0;
  for (let j = 0; j < n; j++) {
    m = max(m, z[off + j]);
    zmax = max(zmax, abs(z[off + j]));
  }
  let s = 0;
  for (let j = 0; j < n; j++) s += exp(z[off + j] - m);
  const lse = m + log(s);
  const g = new Float64Array(n);
  for (let j = 0; j < n; j++) g[j] = scale * exp(z[off + j] - lse);
  if (t >= 0) g[t] -= scale;
  return { lse, loss: t >= 0 ? lse - z[off + t] : NaN, g, zmax };
}

afterAll(() => {
  setStageBytes(STAGE_BYTES);
  setThreads('auto');
  setBackend('auto');
});

describe.each([
  ['float32', true],
  ['float64', false],
])('fused softmax cross-entropy row pass, %s', (_name, f32) => {
  // Bounds. float64: each exp is within 1 ulp (fastExp.test.ts), the sum of n terms in [0, 1] with
  // the largest 1 has relative error ≤ n·u (Higham §4.2), so log(sum) is within (n + 2)·u; adding
  // the maximum and subtracting z[t] round on the scale of the operands (they can cancel), so lse
  // and loss are within (n + 4)·u·(1 + |lse| + max|z|), u = 2^-53; each gradient entry within
  // (n + 4)·u·scale plus scale·p·δ for an error δ of the (reference's) lse, p ≤ 1. float32: exps
  // are float32 (within 1 float32 ulp ≤ 2^-23 relative), summed in float64, so lse within
  // 2^-22·(1 + |lse| + max|z|); the gradient is a float32 product of two float32-rounded factors:
  // within 4·2^-24·scale plus the same scale·δ.
  const lseTol = (n: number, r: { lse: number; zmax: number }) => (f32 ? 2 ** -22 : (n + 4) * 2 ** -53) * (1 + abs(r.lse) + r.zmax);
  const gTol = (n: number, scale: number, r: { lse: number; zmax: number }) => ((f32 ? 4 * 2 ** -24 : (n + 4) * 2 ** -53) + lseTol(n, r)) * scale;

  it('matches the float64 reference: lse, loss and gradient, with strides, offsets and targets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 60, max: 300 })),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(0.5, 8, 40),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (rows, n, pad, spread, withTargets, seed) => {
          const ldz = n + pad;
          const zOff = pad;
          const z = randomArray(f32, zOff + rows * ldz, `z${seed}`, spread);
          const zIn = z.slice();
          const targets = withTargets ? Int32Array.from({ length: rows }, (_, i) => (i * 7 + seed) % n) : null;
          const grad = f32 ? new Float32Array(1 + rows * ldz) : new Float64Array(1 + rows * ldz);
          const lse = new Float64Array(rows);
          const loss = new Float64Array(rows);
          const scale = 1 / rows;
          wasmSoftmaxCrossEntropy(1, { z, zOff, ldz, rows, n, targets, tOff: 0, lse, loss: targets ? loss : null, grad, gOff: 1, ldg: ldz, scale });
          expect(countDifferences(z, zIn)).toBe(0);
          for (let i = 0; i < rows; i++) {
            const r = referenceRow(z, zOff + i * ldz, n, targets ? targets[i] : -1, scale);
            expect(abs(lse[i] - r.lse)).toBeLessThanOrEqual(lseTol(n, r));
            if (targets) expect(abs(loss[i] - r.loss)).toBeLessThanOrEqual(lseTol(n, r));
            let worst = 0;
            for (let j = 0; j < n; j++) worst = max(worst, abs(grad[1 + i * ldz + j] - r.g[j]));
            expect(worst).toBeLessThanOrEqual(gTol(n, scale, r));
          }
        },
      ),
      { seed: f32 ? 31 : 32, numRuns: 80 },
    );
  });

  it('works in place (gradient written over the logits)', () => {
    const rows = 5;
    const n = 37;
    const z = randomArray(f32, rows * n, 'inplace', 10);
    const zIn = z.slice();
    const targets = Int32Array.from([0, 36, 5, 5, 17]);
    const loss = new Float64Array(rows);
    wasmSoftmaxCrossEntropy(1, { z, zOff: 0, ldz: n, rows, n, targets, tOff: 0, lse: null, loss, grad: z, gOff: 0, ldg: n, scale: 1 });
    for (let i = 0; i < rows; i++) {
      const r = referenceRow(zIn, i * n, n, targets[i], 1);
      expect(abs(loss[i] - r.loss)).toBeLessThanOrEqual(lseTol(n, r));
      for (let j = 0; j < n; j++) expect(abs(z[i * n + j] - r.g[j])).toBeLessThanOrEqual(gTol(n, 1, r));
    }
  });

  it('gives bitwise identical results with 1 and 2 threads and with row blocks staged separately', () => {
    const rows = 70;
    const n = 1000; // 70 000 elements: above the threading threshold
    const z = randomArray(f32, rows * n, 'thr', 20);
    const targets = Int32Array.from({ length: rows }, (_, i) => (i * 13) % n);
    const run = (threads: number): RowPassArgs => {
      const p: RowPassArgs = {
        z, zOff: 0, ldz: n, rows, n, targets, tOff: 0,
        lse: new Float64Array(rows), loss: new Float64Array(rows),
        grad: f32 ? new Float32Array(rows * n) : new Float64Array(rows * n), gOff: 0, ldg: n, scale: 1 / rows,
      };
      wasmSoftmaxCrossEntropy(threads, p);
      return p;
    };
    const one = run(1);
    const two = run(2);
    setStageBytes(16 * 1024); // 2 or 4 rows per staged block
    const staged = run(2);
    setStageBytes(STAGE_BYTES);
    for (const other of [two, staged]) {
      expect(countDifferences(other.grad as FloatArray, one.grad as FloatArray)).toBe(0);
      expect(countDifferences(other.loss as Float64Array, one.loss as Float64Array)).toBe(0);
      expect(countDifferences(other.lse as Float64Array, one.lse as Float64Array)).toBe(0);
    }
  });
});

describe('tryAcceleratedSoftmaxCrossEntropy', () => {
  const rows = 8;
  const n = 600;
  const args = (grad: FloatArray | null): RowPassArgs => ({
    z: randomArray(true, rows * n, 'hook'), zOff: 0, ldz: n, rows, n, targets: null, tOff: 0,
    lse: new Float64Array(rows), loss: null, grad, gOff: 0, ldg: n, scale: 1,
  });

  it('runs on the wasm backend and declines on js, below the size threshold and on mixed precision', () => {
    setBackend('auto');
    expect(tryAcceleratedSoftmaxCrossEntropy(args(new Float32Array(rows * n)))).toBe(true);
    expect(tryAcceleratedSoftmaxCrossEntropy(args(new Float64Array(rows * n)))).toBe(false);
    expect(tryAcceleratedSoftmaxCrossEntropy({ ...args(null), rows: 1, n: 10 })).toBe(false);
    setBackend('js');
    expect(tryAcceleratedSoftmaxCrossEntropy(args(new Float32Array(rows * n)))).toBe(false);
    setBackend('auto');
  });
});
