/**
 * Where the time of a training step goes (`tsx bench/profile.ts [--quick] [--dtype float32]`): the
 * step of bench/run.ts (B = 1024, d = 256, n = 10,000) split into its phases, with the
 * WebAssembly backend on 2 threads and on 1, plus the cost of staging a product through the shared
 * heap (the same product run on data already in the heap, without copies). Medians of 5 runs
 * after a warm-up; the 1-minute load average is printed.
 */
import { loadavg } from 'node:os';
import { gemm } from '../src/linalg/gemm.js';
import { setBackend } from '../src/backend/index.js';
import { setRequestedThreads } from '../src/backend/config.js';
import { tryAcceleratedSoftmaxCrossEntropy } from '../src/backend/accelerate.js';
import { alloc, getHeap, resetArena, wasmKernels } from '../src/backend/heap.js';
import { makeProblem } from './lib/data.js';
import type { DType } from './lib/types.js';

const quick = process.argv.includes('--quick');
const dtype = (process.argv.includes('--dtype') ? process.argv[process.argv.indexOf('--dtype') + 1] : 'float32') as DType;
const B = quick ? 256 : 1024;
const d = quick ? 64 : 256;
const n = quick ? 2000 : 10_000;
const REPS = 5;

function med(f: () => void): number {
  f();
  const t: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  t.sort((x, y) => x - y);
  return t[REPS >> 1];
}

const p = makeProblem(dtype, { B, d, n, bulk: n }, false);
const F = dtype === 'float32' ? Float32Array : Float64Array;
const elt = dtype === 'float32' ? 4 : 8;
const Z = new F(B * n);
const dV = new F(n * d);
const dH = new F(B * d);
const loss = new Float64Array(B);
setBackend('wasm');
console.log(`step phases, B=${B} d=${d} n=${n} ${dtype}; load average ${loadavg()[0].toFixed(2)}`);
for (const threads of [2, 1]) {
  setRequestedThreads(threads);
  const zt = med(() => gemm(false, true, B, n, d, 1, p.H, 0, d, p.V, 0, d, 0, Z, 0, n));
  const ce = med(() => {
    tryAcceleratedSoftmaxCrossEntropy({ z: Z, zOff: 0, ldz: n, rows: B, n, targets: p.targets, tOff: 0, lse: null, loss, grad: Z, gOff: 0, ldg: n, scale: 1 / B });
  });
  const dv = med(() => gemm(true, false, n, d, B, 1, Z, 0, n, p.H, 0, d, 0, dV, 0, d));
  const dh = med(() => gemm(false, false, B, d, n, 1, Z, 0, n, p.V, 0, d, 0, dH, 0, d));
  const sgd = med(() => {
    for (let i = 0; i < p.V.length; i++) p.V[i] -= 1e-9 * dV[i];
    for (let i = 0; i < p.H.length; i++) p.H[i] -= 1e-9 * dH[i];
  });
  const g = (ms: number) => ((2 * B * n * d) / ms / 1e6).toFixed(1);
  console.log(
    `${threads} thread(s): Z = H·Vᵀ ${zt.toFixed(1)} ms (${g(zt)} GFLOP/s) | CE ${ce.toFixed(1)} ms | dV = Gᵀ·H ${dv.toFixed(1)} ms (${g(dv)}) | ` +
      `dH = G·V ${dh.toFixed(1)} ms (${g(dh)}) | SGD ${sgd.toFixed(1)} ms | sum ${(zt + ce + dv + dh + sgd).toFixed(1)} ms`,
  );
}
// Staging cost: the logits product on operands already in the heap (one thread, no copies).
getHeap();
const h = wasmKernels();
resetArena();
const w = alloc(h.exports.gemmWorkspaceBytes());
const pa = alloc(B * d * elt);
const pb = alloc(n * d * elt);
const pc = alloc(B * n * elt);
const raw = med(() => (dtype === 'float32' ? h.exports.sgemm : h.exports.dgemm)(0, 1, B, n, d, 1, pa, d, pb, d, 0, pc, n, w));
setRequestedThreads(1);
const staged = med(() => gemm(false, true, B, n, d, 1, p.H, 0, d, p.V, 0, d, 0, Z, 0, n));
console.log(`logits product, 1 thread: kernel on heap data ${raw.toFixed(1)} ms; staged from user arrays ${staged.toFixed(1)} ms (copies and blocking ${(((staged - raw) / raw) * 100).toFixed(0)} %)`);
console.log(`load average after ${loadavg()[0].toFixed(2)}`);
