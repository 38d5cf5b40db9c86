/**
 * The anchor benchmarks run (at a small size: the lead times them on a quiet machine), and the
 * command computes the same numbers as the library calls it stands for.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { anchorSweep, fitAnchorFromLogPartition } from '../../src/anchor/index.js';
import { anchorCommand } from '../../src/cli/anchorCommand.js';
import { writeNpy } from '../../src/io/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';
import { logPartition } from '../../src/softmax/logPartition.js';

const ROOT = resolve(__dirname, '../..');

function tsx(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 300000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function randn(seed: string, r: number, c: number, scale: number): Matrix<Float32Array> {
  const rng = createRng(seed);
  const data = new Float32Array(r * c);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows: r, cols: c, data };
}

describe('anchor benchmarks', () => {
  it('bench/anchorGpt2.bench.ts runs beside the NumPy peer and reports passes, phases, memory and the ratio', async () => {
    const r = await tsx('bench/anchorGpt2.bench.ts', { N: '400', D: '12', M: '150', KS: '0,5,50' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lmtransfer anchor +2 /m);
    expect(r.stdout).toMatch(/^numpy \S+ +2 /m);
    expect(r.stdout).toMatch(/ratio lmtransfer \/ numpy .*: \d+\.\d\d×; phases \d+\.\d\d×/);
    expect(r.stdout).toMatch(/log Z pass: .* GFLOP\/s, \d+ % of an assumed 110 GFLOP\/s/);
    // The same R² from both, to the printed 6 digits.
    for (const k of [0, 5, 50]) {
      const m = new RegExp(`k=${k} +R² lmtransfer (\\S+) \\(rank (\\d+)\\), numpy (\\S+) \\(rank (\\d+)\\)`).exec(r.stdout);
      expect(m).not.toBeNull();
      expect(m![1]).toBe(m![3]);
      expect(m![2]).toBe(m![4]);
    }
  });

  it('bench/anchorCli.bench.ts runs and finds the same numbers', async () => {
    const r = await tsx('bench/anchorCli.bench.ts', { N: '300', D: '8', M: '60', REPS: '2' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ratio command \/ library: \d+\.\d{3} \(target ≤ 1\.10\)/);
    expect(r.stdout).toMatch(/max \|Δ anchor\| \/ max \|anchor\| = 0\.00e\+0, \|Δ intercept\| = 0\.00e\+0, \|Δ R²\| = 0\.00e\+0/);
  });
});

describe('lmtransfer anchor computes the numbers of the library calls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-anchor-same-'));
  const V = randn('same-V', 2000, 32, 0.1);
  const H = randn('same-H', 128, 32, 1);
  writeFileSync(join(dir, 'V.npy'), writeNpy(V));
  writeFileSync(join(dir, 'H.npy'), writeNpy(H));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (args: string[]): Promise<{ results: { fit: { anchor: number[]; intercept: number; r2: number; mse: number; heldOut?: { mse: number; selfNormalizationMse: number } } }[] }> => {
    const out: string[] = [];
    expect(await anchorCommand(['--embeddings', join(dir, 'V.npy'), '--hidden', join(dir, 'H.npy'), '--json', '--quiet', ...args], { isTTY: false, stdout: (t) => out.push(t), stderr: () => {} })).toBe(0);
    return JSON.parse(out.join('')) as never;
  };

  it('k = 0: bitwise logPartition + fitAnchorFromLogPartition (float32, the fused kernel)', async () => {
    const doc = await run([]);
    const ref = fitAnchorFromLogPartition(H, logPartition(V, H));
    expect(doc.results[0].fit.anchor).toEqual(Array.from(ref.anchor));
    expect(doc.results[0].fit.intercept).toBe(ref.intercept);
    expect(doc.results[0].fit.mse).toBe(ref.mse);
  });

  it('a sweep with a held-out part: bitwise the library anchorSweep', async () => {
    const doc = await run(['--exclude-top', '0,10,100', '--holdout', '0.25', '--seed', 'x']);
    const lib = anchorSweep(V, H, [0, 10, 100], { holdout: 0.25, seed: 'x' });
    lib.bulks.forEach((b, j) => {
      expect(doc.results[j].fit.anchor).toEqual(Array.from(b.fit.anchor));
      expect(doc.results[j].fit.heldOut!.mse).toBe(b.fit.heldOut!.mse);
      expect(doc.results[j].fit.heldOut!.selfNormalizationMse).toBe(b.fit.heldOut!.selfNormalizationMse);
    });
  });
});
