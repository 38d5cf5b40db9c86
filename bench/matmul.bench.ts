/**
 * Benchmark of the logits product `Z = H·Vᵀ` at the project's reference size:
 * H 1024×256, V 10,000×256 (2·M·N·K = 5.24 GFLOP), in float64 and float32, through the public
 * `matmulTransposeB`, once on the TypeScript kernel (backend 'js') and once on the active backend
 * ('auto': WebAssembly SIMD where available). Median of REPS timed calls after one warm-up call.
 *
 * The TypeScript row is single-threaded: the bench calls `setBackend('js')` and `setThreads(1)`
 * itself, because under `'js'` with more than one thread allowed (`LMTRANSFER_THREADS` unset means
 * one per core) `gemm` hands products above 2^20 multiply-adds to the TypeScript kernel running in
 * worker threads (`src/backend/accelerate.ts`), which would not be the single-threaded figure the
 * foundation issue asks for. `LMTRANSFER_BACKEND` does not matter here for the same reason. The
 * active-backend row uses `setThreads('auto')`.
 *
 * Run: `npx tsx bench/matmul.bench.ts` (optional env: REPS=9, BACKENDS=js to time only the
 * TypeScript kernel). The machine is shared, so the
 * 1-minute load average is printed before and after; wall-clock numbers taken under load are slower.
 * The process CPU time of each call is printed too: GFLOP per CPU-second is less sensitive to being
 * descheduled by other processes (it still suffers from shared caches), and for the multi-threaded
 * WASM backend it is the throughput per core rather than per call.
 */
import { loadavg, cpus } from 'node:os';
import { setBackend, setThreads } from '../src/backend/index.js';
import { matmulTransposeB } from '../src/linalg/matmulTransposeB.js';
import type { Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/random/createRng.js';

const M = 1024;
const N = 10_000;
const K = 256;
const REPS = Math.max(5, Number(process.env.REPS ?? 5));
const FLOP = 2 * M * N * K;

function randomMatrix(rows: number, cols: number, f32: boolean, seed: string): Matrix {
  const rng = createRng(seed);
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.1;
  return { rows, cols, data };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function run(backend: 'js' | 'auto', f32: boolean): void {
  setBackend(backend);
  setThreads(backend === 'js' ? 1 : 'auto');
  const H = randomMatrix(M, K, f32, 'bench-H');
  const V = randomMatrix(N, K, f32, 'bench-V');
  matmulTransposeB(H, V); // warm-up: JIT tier-up, scratch allocation, WASM instantiation
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    matmulTransposeB(H, V);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const med = median(times);
  const cpuMed = median(cpuTimes);
  const label = `${backend === 'js' ? 'TypeScript kernel, 1 thread' : 'active backend, auto threads'} ${f32 ? 'float32' : 'float64'}`;
  console.log(
    `${label}: median ${med.toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${REPS} reps)  ` +
      `${(FLOP / med / 1e6).toFixed(2)} GFLOP/s wall; CPU time ${cpuMed.toFixed(1)} ms, ${(FLOP / cpuMed / 1e6).toFixed(2)} GFLOP per CPU-second`,
  );
}

console.log(`matmulTransposeB ${M}×${K} · (${N}×${K})ᵀ = ${(FLOP / 1e9).toFixed(2)} GFLOP; node ${process.version}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
console.log(`load average (1 min) before: ${loadavg()[0].toFixed(2)}`);
const backends = (process.env.BACKENDS ?? 'js,auto').split(',').filter((b): b is 'js' | 'auto' => b === 'js' || b === 'auto');
for (const backend of backends) for (const f32 of [false, true]) run(backend, f32);
setBackend('auto');
setThreads('auto');
console.log(`load average (1 min) after: ${loadavg()[0].toFixed(2)}`);
