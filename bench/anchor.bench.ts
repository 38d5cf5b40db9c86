/**
 * Benchmark of the anchor pipeline at GPT-2 size (issue 4): n = 50,257 words, d = 768, m = 2,048
 * contexts, random float32 V (N(0, 0.1²)) and H (N(0, 1)), so the logits have a spread of about 3.
 *
 * Times, once each (every step is one or two full products H·Vᵀ of 2·m·n·d = 158 GFLOP):
 *   - `logPartition(V, H)`: log Z over all words (the softmax kernel);
 *   - `fitAnchor(V, H, allWords(n))`: the same product plus the fit;
 *   - the fit alone, `fitAnchorFromLogPartition(H, ζ)`: statistics (m·d²/2 multiply-adds) and the
 *     d × d symmetric eigendecomposition;
 *   - the CLI's sweep `--exclude-top 0,10,100,1000`: `anchorSweep` (a ranking pass, then one pass
 *     for every bulk through the fused kernel, and fits sharing one decomposition), with the
 *     seconds of each phase.
 *
 * First, the memory of `readNpy` on a 50,000 × 768 float32 file (written to the temp directory): the
 * issue asks for at most about twice the file's size; the array is a view of the file's bytes.
 *
 * Run: `npx tsx bench/anchor.bench.ts` (env N, D, M to change the sizes). The machine is shared: the
 * 1-minute load average is printed before and after, and process CPU time beside wall time.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../src/io/index.js';
import { allWords, anchorSweep, fitAnchor, fitAnchorFromLogPartition } from '../src/anchor/index.js';
import { getBackendInfo } from '../src/backend/getBackendInfo.js';
import type { Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/random/createRng.js';
import { logPartition } from '../src/softmax/logPartition.js';

const N = Number(process.env.N ?? 50_257);
const D = Number(process.env.D ?? 768);
const M = Number(process.env.M ?? 2_048);

function randomMatrix(rows: number, cols: number, scale: number, seed: string): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows, cols, data };
}

function time<T>(label: string, f: () => T, flop?: number): T {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  const rate = flop ? `, ${(flop / ms / 1e6).toFixed(1)} GFLOP/s wall` : '';
  console.log(`${label.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(8)} s wall, ${(cpu / 1000).toFixed(2).padStart(8)} s CPU${rate}`);
  return out;
}

const info = getBackendInfo();
console.log(`anchor bench: n = ${N}, d = ${D}, m = ${M}, float32; node ${process.version}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
console.log(`backend ${info.backend} (requested ${info.requested}, threads ${info.threads}); load average (1 min) before: ${loadavg()[0].toFixed(2)}`);
{
  const path = join(tmpdir(), `lmtransfer-bench-${process.pid}.npy`);
  writeFileSync(path, writeNpy(new Float32Array(50_000 * 768), [50_000, 768]));
  const mb = (x: number): string => (x / 2 ** 20).toFixed(1);
  const before = process.memoryUsage().arrayBuffers;
  const bytes = readFileSync(path);
  const arr = readNpy(bytes);
  const after = process.memoryUsage().arrayBuffers;
  rmSync(path);
  console.log(
    `readNpy 50000×768 float32: file ${mb(bytes.length)} MB, array buffers +${mb(after - before)} MB (${((after - before) / bytes.length).toFixed(2)}× the file), zero-copy view: ${arr.data.buffer === bytes.buffer}`,
  );
}
const V = randomMatrix(N, D, 0.1, 'bench-anchor-V');
const H = randomMatrix(M, D, 1, 'bench-anchor-H');
const flop = 2 * M * N * D;

const zeta = time('logPartition(V, H)', () => logPartition(V, H), flop);
const fit = time('fitAnchor(V, H, allWords(n))', () => fitAnchor(V, H, allWords(N)), flop);
time('  of which the fit: fitAnchorFromLogPartition(H, ζ)', () => fitAnchorFromLogPartition(H, zeta));
const sweep = time('CLI sweep: anchorSweep(V, H, [0, 10, 100, 1000])', () => anchorSweep(V, H, [0, 10, 100, 1000]), 2 * flop);
const sec = sweep.seconds;
console.log(`  ${sweep.passes.logits} passes over V·H: ranking ${sec.rank.toFixed(2)} s, every bulk's log Z ${sec.logPartition.toFixed(2)} s, the four fits ${sec.fit.toFixed(2)} s`);
console.log(`fit: rank ${fit.rank}/${D + 1}, condition ${fit.conditionNumber.toExponential(2)}, RMSE ${fit.rmse.toExponential(3)}, R² ${fit.r2.toFixed(4)}`);
console.log(`load average (1 min) after: ${loadavg()[0].toFixed(2)}`);
process.exit(0);
