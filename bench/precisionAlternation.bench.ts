/**
 * Does a program that alternates float32 and float64 calls pay for it on the threaded `'js'`
 * backend? The TypeScript row kernels (`rowCrossEntropyIndex`, the log-partition's
 * `logPartitionRowBlocks` and the GEMM's packing, in src/kernels/) are one function each for both
 * precisions, on the calling thread and in the worker. Once a compiled loop has seen a
 * Float64Array and then receives a Float32Array, V8 de-optimises it ("wrong map", visible with
 * `node --trace-deopt`) and recompiles it with a type check on every element access; a program
 * that uses one precision only never pays that.
 *
 * Three child processes, so that each starts with fresh compiled code (`f64`: float64 calls only;
 * `f32`: float32 calls only; `alt`: a float64 call then a float32 call, repeated), each making the
 * same pair of calls per repetition: `logPartition` (V n×d, H m×d) and `crossEntropy` with its
 * gradient (rows×n logits, index targets), on `setBackend('js')` with 2 threads. The children run
 * in ROUNDS interleaved rounds (round r runs f64, f32, alt), so that load bursts on a shared
 * machine hit all three alike. Printed: per mode the median time of one call of each precision,
 * and the ratio `alt / mono` = (time of an alternating float64 + float32 pair) / (the float64-only
 * call + the float32-only call): 1 means alternating costs nothing.
 *
 * Run: `npx tsx bench/precisionAlternation.bench.ts` (env: ROUNDS=3, REPS=7 timed repetitions per
 * child after WARM=5 untimed ones, SMALL=1 for a few-second smoke test of the code, not a timing).
 * The 1-minute load average is printed before and after: numbers taken under load are not
 * comparable with a quiet run.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getBackendInfo, setBackend, setThreads } from '../src/backend/index.js';
import { crossEntropy } from '../src/loss/crossEntropy.js';
import { logPartition } from '../src/softmax/logPartition.js';
import type { Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/random/createRng.js';

const SMALL = process.env.SMALL === '1';
const n = SMALL ? 2000 : 10_000;
const d = SMALL ? 32 : 64;
const m = SMALL ? 128 : 512;
const rows = SMALL ? 32 : 256;
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? (SMALL ? 1 : 3)));
const REPS = Math.max(3, Number(process.env.REPS ?? (SMALL ? 3 : 7)));
const WARM = Math.max(1, Number(process.env.WARM ?? (SMALL ? 2 : 5)));
const MODES = ['f64', 'f32', 'alt'] as const;
type Mode = (typeof MODES)[number];

interface ChildResult {
  /** Median ms of one repetition's float64 calls and float32 calls (0 when the mode has none). */
  f64: number;
  f32: number;
  threads: number;
  backend: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function matrixOf(f32: boolean, r: number, c: number, seed: string, scale: number): Matrix {
  const rng = createRng(seed);
  const data = f32 ? new Float32Array(r * c) : new Float64Array(r * c);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows: r, cols: c, data };
}

/** One child: the calls of `mode`, timed per precision. */
function child(mode: Mode): ChildResult {
  setBackend('js');
  setThreads(2);
  const inputs = [false, true].map((f32) => ({
    V: matrixOf(f32, n, d, 'V', 0.3),
    H: matrixOf(f32, m, d, 'H', 0.3),
    Z: matrixOf(f32, rows, n, 'Z', 2),
  }));
  const rng = createRng('targets');
  const targets = Int32Array.from({ length: rows }, () => rng.int(n));
  const precisions = mode === 'alt' ? [0, 1] : mode === 'f32' ? [1] : [0];
  const times: number[][] = [[], []];
  let sink = 0;
  for (let r = 0; r < WARM + REPS; r++) {
    for (const p of precisions) {
      const { V, H, Z } = inputs[p];
      const t0 = performance.now();
      sink += logPartition(V, H)[0];
      sink += crossEntropy(Z, targets, { grad: true }).loss;
      if (r >= WARM) times[p].push(performance.now() - t0);
    }
  }
  if (!Number.isFinite(sink)) throw new Error('precisionAlternation: a result was not finite');
  const info = getBackendInfo();
  return { f64: median(times[0]), f32: median(times[1]), threads: info.threads, backend: info.backend };
}

function main(): void {
  console.log(`precision alternation on the 'js' backend, 2 threads: logPartition ${n}×${d} · (${m}×${d})ᵀ and crossEntropy ${rows}×${n} with gradient per call`);
  console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; 1-min load average before: ${loadavg()[0].toFixed(2)}`);
  const self = fileURLToPath(import.meta.url);
  const runs: Record<Mode, ChildResult[]> = { f64: [], f32: [], alt: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      // process.execArgv carries tsx's loader, so the child runs this file the way the parent does.
      const out = spawnSync(process.execPath, [...process.execArgv, self, '--child', mode], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 });
      if (out.status !== 0) throw new Error(`precisionAlternation: the ${mode} child failed: ${out.stderr}`);
      runs[mode].push(JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as ChildResult);
    }
  }
  const med = (mode: Mode, key: 'f64' | 'f32'): number => median(runs[mode].map((r) => r[key]));
  const first = runs.alt[0];
  console.log(`backend ${first.backend}, ${first.threads} threads; ${ROUNDS} rounds × ${REPS} timed repetitions per mode (median of the rounds' medians)`);
  console.log('| mode | float64 calls (ms) | float32 calls (ms) |');
  console.log('|---|---|---|');
  for (const mode of MODES) console.log(`| ${mode} | ${mode === 'f32' ? '–' : med(mode, 'f64').toFixed(1)} | ${mode === 'f64' ? '–' : med(mode, 'f32').toFixed(1)} |`);
  const mono = med('f64', 'f64') + med('f32', 'f32');
  const alt = med('alt', 'f64') + med('alt', 'f32');
  console.log(`ratio alt / mono = ${(alt / mono).toFixed(3)}  (float64 ${(med('alt', 'f64') / med('f64', 'f64')).toFixed(3)}, float32 ${(med('alt', 'f32') / med('f32', 'f32')).toFixed(3)})`);
  console.log(`1-min load average after: ${loadavg()[0].toFixed(2)}`);
}

const at = process.argv.indexOf('--child');
if (at >= 0) {
  const mode = process.argv[at + 1] as Mode;
  if (!MODES.includes(mode)) throw new Error(`precisionAlternation: unknown mode '${mode}'`);
  process.stdout.write(`${JSON.stringify(child(mode))}\n`);
  // The pool's workers would keep the child alive until their idle timeout.
  process.exit(0);
} else {
  main();
}
