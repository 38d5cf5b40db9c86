/**
 * Benchmark of one training step of the public `train` at the suite's reference size (bench/README.md):
 * a batch of B = 1024 contexts, d = 256, n = 10,000 words, for a float64 and a float32 learner
 * (`createLearner({ dtype })`). A step is everything `train` does per step: gather
 * the batch, forward (the linear map `ĥ = W1 x + b1` and the logits `ĥ V̂ᵀ`), the fused softmax
 * cross-entropy on sampled words with its gradient, backward (`∂V̂ = Gᵀ ĥ`, `∂ĥ = G V̂`, `∂W1`), and
 * the optimiser update (plain SGD, as in the suite's step; `OPTIMIZER=adam` for Adam).
 *
 * FLOP counted: the three big products 3·2·B·n·d = 15.73 GFLOP (the suite's count) plus the map's
 * forward and weight gradient 2·2·B·k·d = 0.27 GFLOP with k = 256 features; element-wise work
 * (softmax, update) is not counted. Each step is timed between consecutive `onProgress` calls; the
 * first step (JIT warm-up, buffer allocation) is dropped and the median of the rest is reported.
 *
 * Run: `npx tsx bench/trainStep.bench.ts` (env: REPS=5 timed steps, OPTIMIZER=sgd|adam,
 * DTYPES=float64,float32, SMALL=1 for B = 64, d = 32, n = 500, k = 32: a smoke test of the code, not a
 * timing). The machine is shared, so the 1-minute load average is printed before and after.
 */
import { loadavg, cpus } from 'node:os';
import { getBackendInfo, setBackend } from '../src/backend/index.js';
import { createLearner } from '../src/train/createLearner.js';
import { train } from '../src/train/train.js';
import type { OptimizerName } from '../src/train/train.js';
import type { DType } from '../src/core/matrix.js';
import { createRng } from '../src/random/createRng.js';

const SMALL = process.env.SMALL === '1';
const B = SMALL ? 64 : 1024;
const d = SMALL ? 32 : 256;
const n = SMALL ? 500 : 10_000;
const k = SMALL ? 32 : 256;
const DTYPES = (process.env.DTYPES ?? 'float64,float32').split(',') as DType[];
const m = 2 * B;
const REPS = Math.max(3, Number(process.env.REPS ?? 5));
const OPTIMIZER = (process.env.OPTIMIZER ?? 'sgd') as OptimizerName;
const FLOP = 3 * 2 * B * n * d + 2 * 2 * B * k * d;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function run(backend: 'js' | 'auto', dtype: DType): void {
  setBackend(backend);
  const rng = createRng('bench-train-step');
  const X = new Float64Array(m * k);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const words = new Int32Array(m);
  for (let i = 0; i < m; i++) words[i] = rng.int(n);
  const learner = createLearner({ n, d, featureDim: k, seed: 1, dtype });
  const stamps: number[] = [];
  const t0 = performance.now();
  train(learner, { X: { rows: m, cols: k, data: X }, words }, {
    steps: REPS + 1,
    batchSize: B,
    lr: 0.01,
    optimizer: OPTIMIZER,
    momentum: 0,
    onProgress: () => {
      stamps.push(performance.now());
    },
  });
  const times = stamps.slice(1).map((t, i) => t - stamps[i]);
  const med = median(times);
  const info = getBackendInfo();
  console.log(
    // The learner's own dtype (not the loop's), so the output shows which precision really ran.
    `${learner.dtype} learner, ${backend === 'js' ? 'TypeScript kernels' : `active backend (${info.backend}, ${info.threads} threads)`}: ` +
      `median ${med.toFixed(0)} ms/step (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, ${times.length} steps; ` +
      `first step ${(stamps[0] - t0).toFixed(0)} ms)  ${(FLOP / med / 1e6).toFixed(2)} GFLOP/s`,
  );
}

console.log(
  `training step B=${B}, d=${d}, n=${n}, k=${k}, ${OPTIMIZER}, ${DTYPES.join(' and ')}: ${(FLOP / 1e9).toFixed(2)} GFLOP counted; ` +
    `node ${process.version}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
);
console.log(`load average (1 min) before: ${loadavg()[0].toFixed(2)}`);
for (const dtype of DTYPES) for (const backend of ['js', 'auto'] as const) run(backend, dtype);
setBackend('auto');
console.log(`load average (1 min) after: ${loadavg()[0].toFixed(2)}`);
