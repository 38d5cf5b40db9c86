/**
 * `lmtransfer anchor` against the library calls it stands for (issue 11): `logPartition` +
 * `fitAnchorFromLogPartition` (what `fitAnchor(V, H, allWords(n))` does) on the same inputs,
 * n = 20,000, d = 256, m = 512, float32. The target: the command within 10 % of the library, with
 * the same numbers. The command runs in this process (`anchorCommand`, `--json --quiet`, files
 * written to the temp directory first), so the comparison leaves out process start-up but includes
 * reading the files.
 *
 * Printed: the medians of REPS runs of each (interleaved), their ratio, and the largest difference
 * between the anchors and between the log Z values (test/cli/anchorCommand.test.ts asserts the
 * same numbers at a smaller size).
 *
 * Run: `npx tsx bench/anchorCli.bench.ts` (env N, D, M, REPS).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitAnchorFromLogPartition } from '../src/anchor/fitAnchorFromLogPartition.js';
import { anchorCommand } from '../src/cli/anchorCommand.js';
import { writeNpy } from '../src/io/index.js';
import type { Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/random/createRng.js';
import { logPartition } from '../src/softmax/logPartition.js';

const N = Number(process.env.N ?? 20_000);
const D = Number(process.env.D ?? 256);
const M = Number(process.env.M ?? 512);
const REPS = Number(process.env.REPS ?? 5);

function randomMatrix(rows: number, cols: number, scale: number, seed: string): Matrix<Float32Array> {
  const rng = createRng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows, cols, data };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const V = randomMatrix(N, D, 0.1, 'cli-bench-V');
const H = randomMatrix(M, D, 1, 'cli-bench-H');
const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-anchor-cli-'));
try {
  writeFileSync(join(dir, 'V.npy'), writeNpy(V));
  writeFileSync(join(dir, 'H.npy'), writeNpy(H));
  console.log(`lmtransfer anchor vs logPartition + fitAnchorFromLogPartition: n = ${N}, d = ${D}, m = ${M}, float32, ${REPS} runs each; load average ${loadavg()[0].toFixed(2)}`);
  const lib: number[] = [];
  const cli: number[] = [];
  let libFit: ReturnType<typeof fitAnchorFromLogPartition> | null = null;
  let cliDoc: { results: { fit: { anchor: number[]; intercept: number; r2: number } }[] } | null = null;
  for (let r = 0; r < REPS; r++) {
    let t0 = performance.now();
    const z = logPartition(V, H);
    libFit = fitAnchorFromLogPartition(H, z);
    lib.push(performance.now() - t0);
    t0 = performance.now();
    const out: string[] = [];
    const code = await anchorCommand(['--embeddings', join(dir, 'V.npy'), '--hidden', join(dir, 'H.npy'), '--json', '--quiet'], { isTTY: false, stdout: (t) => out.push(t), stderr: () => {} });
    cli.push(performance.now() - t0);
    if (code !== 0) throw new Error(`lmtransfer anchor exited with ${code}`);
    cliDoc = JSON.parse(out.join('')) as typeof cliDoc;
  }
  const a = cliDoc!.results[0].fit;
  let diff = 0;
  let scale = 0;
  libFit!.anchor.forEach((x, j) => {
    diff = Math.max(diff, Math.abs(x - a.anchor[j]));
    scale = Math.max(scale, Math.abs(x));
  });
  console.log(`library (logPartition + fit): median ${median(lib).toFixed(1)} ms  [${lib.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`lmtransfer anchor (in process): median ${median(cli).toFixed(1)} ms  [${cli.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`ratio command / library: ${(median(cli) / median(lib)).toFixed(3)} (target ≤ 1.10)`);
  console.log(`same numbers: max |Δ anchor| / max |anchor| = ${(diff / scale).toExponential(2)}, |Δ intercept| = ${Math.abs(libFit!.intercept - a.intercept).toExponential(2)}, |Δ R²| = ${Math.abs(libFit!.r2 - a.r2).toExponential(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
