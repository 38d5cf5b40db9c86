/**
 * `lmtransfer anchor` at GPT-2 size beside a NumPy script doing the same (issue 14, item 4):
 * V 50,257 × 768 and H 4,096 × 768, float32, `--exclude-top 0,10,100,1000`.
 *
 * Both run as child processes on the same files, one after the other, in one run:
 *   - the CLI (bundled once by esbuild, as `bin/lmtransfer.js` runs after a build), `--json` for its
 *     passes over V·H and the seconds of each phase, and its peak resident memory (maxRSS);
 *   - `bench/numpy_peer.py anchor …`: the same two passes (blocked float32 products, float64
 *     sums), one eigendecomposition shared by the fits, and its own maxRSS.
 * Printed: passes over V·H, seconds per pass, fit time, total, peak memory, the ratio CLI / NumPy,
 * the product's rate in GFLOP/s and as a fraction of an assumed WebAssembly 128-bit SIMD peak
 * (env WASM_PEAK_GFLOPS, default 110: two cores of 128-bit mul+add without FMA on the project's
 * machine kind), and the R² of both side by side (the same numbers to float32 rounding).
 *
 * Run: `npx tsx bench/anchorGpt2.bench.ts` (env N, D, M to change the sizes; the check in
 * test/bench runs it at a small size only).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { writeNpy } from '../src/io/index.js';
import { createRng } from '../src/random/createRng.js';

const N = Number(process.env.N ?? 50_257);
const D = Number(process.env.D ?? 768);
const M = Number(process.env.M ?? 4_096);
const KS = process.env.KS ?? '0,10,100,1000';
const PEAK = Number(process.env.WASM_PEAK_GFLOPS ?? 110);
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function randomF32(count: number, scale: number, seed: string): Float32Array {
  const rng = createRng(seed);
  const a = new Float32Array(count);
  for (let i = 0; i < a.length; i++) a[i] = scale * rng.normal();
  return a;
}

const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-anchor-gpt2-'));
try {
  writeFileSync(join(dir, 'V.npy'), writeNpy(randomF32(N * D, 0.1, 'gpt2-V'), [N, D]));
  writeFileSync(join(dir, 'H.npy'), writeNpy(randomF32(M * D, 1, 'gpt2-H'), [M, D]));
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `import { main } from ${JSON.stringify(join(ROOT, 'src/cli/main.ts'))};
void (async () => {
  const code = await main(process.argv.slice(2), { stdout: (s) => void process.stdout.write(s), stderr: (s) => void process.stderr.write(s), isTTY: false });
  process.stdout.write('\\n' + JSON.stringify({ maxRSS: process.resourceUsage().maxRSS * 1024 }) + '\\n');
  process.exitCode = code;
})();\n`,
  );
  const bundle = join(dir, 'cli.cjs');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'error' });

  console.log(`anchor at GPT-2 size: V ${N}×${D}, H ${M}×${D}, float32, --exclude-top ${KS}; node ${process.version}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(`load average (1 min) before: ${loadavg()[0].toFixed(2)}`);

  const t0 = performance.now();
  const out = execFileSync(process.execPath, [bundle, 'anchor', '--embeddings', join(dir, 'V.npy'), '--hidden', join(dir, 'H.npy'), '--exclude-top', KS, '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const cliWall = (performance.now() - t0) / 1000;
  const lines = out.trimEnd().split('\n');
  const { maxRSS } = JSON.parse(lines.pop()!) as { maxRSS: number };
  const doc = JSON.parse(lines.join('\n')) as { passes: { logits: number }; seconds: { rank: number; logPartition: number; fit: number; total: number }; results: { excludeTop: number; fit: { r2: number; rank: number } }[] };

  const t1 = performance.now();
  const py = JSON.parse(execFileSync('python3', [join(ROOT, 'bench/numpy_peer.py'), 'anchor', join(dir, 'V.npy'), join(dir, 'H.npy'), KS], { encoding: 'utf8', maxBuffer: 1 << 26 })) as {
    numpy: string;
    passes: number;
    seconds: { rank: number; logPartition: number; fit: number; total: number };
    peakBytes: number;
    results: { k: number; r2: number; rank: number }[];
  };
  const pyWall = (performance.now() - t1) / 1000;

  const flop = 2 * N * D * M;
  const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
  const row = (label: string, passes: number, s: { rank: number; logPartition: number; fit: number; total: number }, wall: number, peak: number): string =>
    `${label.padEnd(22)} ${String(passes).padStart(6)} ${s.rank.toFixed(2).padStart(9)} ${s.logPartition.toFixed(2).padStart(9)} ${s.fit.toFixed(2).padStart(7)} ${s.total.toFixed(2).padStart(8)} ${wall.toFixed(2).padStart(8)} ${mb(peak).padStart(9)}`;
  console.log(`${'candidate'.padEnd(22)} ${'passes'.padStart(6)} ${'rank (s)'.padStart(9)} ${'logZ (s)'.padStart(9)} ${'fit (s)'.padStart(7)} ${'total'.padStart(8)} ${'wall'.padStart(8)} ${'peak RSS'.padStart(9)}`);
  console.log(row('lmtransfer anchor', doc.passes.logits, doc.seconds, cliWall, maxRSS));
  console.log(row(`numpy ${py.numpy}`, py.passes, py.seconds, pyWall, py.peakBytes));
  const rate = flop / doc.seconds.logPartition / 1e9;
  console.log(`ratio lmtransfer / numpy (wall, process start included): ${(cliWall / pyWall).toFixed(2)}×; phases ${(doc.seconds.total / py.seconds.total).toFixed(2)}×: rank ${(doc.seconds.rank / py.seconds.rank).toFixed(2)}×, log Z ${(doc.seconds.logPartition / py.seconds.logPartition).toFixed(2)}×, fit ${(doc.seconds.fit / py.seconds.fit).toFixed(2)}×`);
  console.log(`log Z pass: ${(flop / 1e9).toFixed(1)} GFLOP in ${doc.seconds.logPartition.toFixed(2)} s = ${rate.toFixed(1)} GFLOP/s, ${((100 * rate) / PEAK).toFixed(0)} % of an assumed ${PEAK} GFLOP/s WebAssembly SIMD peak`);
  for (const r of doc.results) {
    const p = py.results.find((x) => x.k === r.excludeTop);
    console.log(`k=${String(r.excludeTop).padEnd(5)} R² lmtransfer ${r.fit.r2.toFixed(6)} (rank ${r.fit.rank}), numpy ${p?.r2.toFixed(6) ?? '?'} (rank ${p?.rank ?? '?'})`);
  }
  console.log(`load average (1 min) after: ${loadavg()[0].toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
