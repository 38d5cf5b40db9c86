/**
 * `lmtransfer anchor`'s held-out protocol end to end on files: the held-out rows of `--hidden`
 * change neither the ranking nor the fit; `--holdout` that leaves either part empty names the flag;
 * progress counts the bulks right, shows the fit phase with an ETA, and ends with the total.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdoutSplit } from '../../src/anchor/fitAnchorKernel.js';
import { meanWordProbabilities } from '../../src/anchor/meanWordProbabilities.js';
import { anchorCommand } from '../../src/cli/anchorCommand.js';
import { UsageError, type CliIO } from '../../src/cli/io.js';
import type { Matrix } from '../../src/core/matrix.js';
import { writeNpy } from '../../src/io/index.js';
import { createRng } from '../../src/random/createRng.js';

function capture(isTTY = false): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, isTTY, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

function randn(seed: string, r: number, c: number, scale = 1): Matrix<Float64Array> {
  const rng = createRng(seed);
  const data = new Float64Array(r * c);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows: r, cols: c, data };
}

interface Doc {
  contexts: { heldOutIndices: number[]; usedFor: { ranking: string } };
  results: { excludedWords?: number[]; excludedMass: number; fit: { anchor: number[]; intercept: number; mse: number; heldOut: { mse: number } } }[];
}

describe('lmtransfer anchor: the held-out protocol on files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-protocol-'));
  const f = (x: string): string => join(dir, x);
  const n = 60;
  const d = 4;
  const m = 80;
  const V = randn('protocol-V', n, d, 0.8);
  const H = randn('protocol-H', m, d);
  writeFileSync(f('V.npy'), writeNpy(V));
  writeFileSync(f('H.npy'), writeNpy(H));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (hidden: string, holdout: string, seed: string): Promise<Doc> => {
    const io = capture();
    expect(await anchorCommand(['--embeddings', f('V.npy'), '--hidden', hidden, '--exclude-top', '0,3,8', '--holdout', holdout, '--seed', seed, '--json', '--quiet'], io, { chunkRows: 7 })).toBe(0);
    return JSON.parse(io.out.join('')) as Doc;
  };

  it('held-out rows of --hidden, permuted and corrupted, leave the excluded words and every anchor bitwise the same', async () => {
    // The rarest word among those that h = c·V_w makes the most likely (|V_w|² > ⟨V_u, V_w⟩ for all u ≠ w).
    const { mean } = meanWordProbabilities(V, H);
    const dot = (u: number, w: number): number => V.data.slice(u * d, u * d + d).reduce((s, x, j) => s + x * V.data[w * d + j], 0);
    let rare = -1;
    for (let w = 0; w < n; w++) {
      let wins = true;
      for (let u = 0; u < n; u++) if (u !== w && dot(u, w) >= dot(w, w)) wins = false;
      if (wins && (rare < 0 || mean[w] < mean[rare])) rare = w;
    }
    expect(rare).toBeGreaterThanOrEqual(0);
    expect(Array.from(mean).filter((p) => p > mean[rare]).length).toBeGreaterThanOrEqual(8); // not excluded unless held-out rows leak
    let run0 = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('0.2', '0.3', '0.45'), fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim() !== '' && !s.startsWith('-')), async (holdout, seed) => {
        const a = await run(f('H.npy'), holdout, seed);
        const test = holdoutSplit('test', m, Number(holdout), seed).test;
        expect(a.contexts.heldOutIndices).toEqual(Array.from(test));
        // Reverse the held-out rows among themselves, then push every other one towards the rarest word.
        const H2: Matrix = { rows: m, cols: d, data: H.data.slice() };
        for (let t = 0; t < test.length; t++) H2.data.set(H.data.subarray(test[test.length - 1 - t] * d, test[test.length - 1 - t] * d + d), test[t] * d);
        for (let t = 0; t < test.length; t += 2) for (let j = 0; j < d; j++) H2.data[test[t] * d + j] = 8 * V.data[rare * d + j];
        const name = f(`H2-${run0++}.npy`);
        writeFileSync(name, writeNpy(H2));
        const b = await run(name, holdout, seed);
        for (let j = 0; j < 3; j++) {
          expect(b.results[j].excludedWords).toEqual(a.results[j].excludedWords);
          expect(b.results[j].excludedMass).toBe(a.results[j].excludedMass);
          expect(b.results[j].fit.anchor).toEqual(a.results[j].fit.anchor); // JSON round-trips doubles exactly
          expect(b.results[j].fit.intercept).toBe(a.results[j].fit.intercept);
          expect(b.results[j].fit.mse).toBe(a.results[j].fit.mse);
        }
        // Teeth: the corruption reaches the held-out scores, and a ranking over all contexts of
        // the corrupted file would exclude the rare word at k = 8.
        expect(b.results[0].fit.heldOut.mse).not.toBe(a.results[0].fit.heldOut.mse);
        const all = meanWordProbabilities(V, H2).mean;
        expect(Array.from(all).filter((p) => p > all[rare]).length).toBeLessThan(8);
        expect(b.results[2].excludedWords).not.toContain(rare);
      }),
      { seed: 1415, numRuns: 6 },
    );
  });

  it.each([
    [['--exclude-top', '0,2'], '0.001', /^--holdout: must leave at least one context in each part of the 80 contexts; got 0\.001 \(0 held out, 80 for training\)$/],
    [['--exclude-top', '0,2'], '0.995', /^--holdout: must leave at least one context in each part of the 80 contexts; got 0\.995 \(80 held out, 0 for training\)$/],
    [['--log-partition-mode'], '0.995', /^--holdout: must leave at least one context in each part of the 80 contexts; got 0\.995 \(80 held out, 0 for training\)$/],
  ])('%p --holdout %s that leaves a part empty names --holdout', async (extra, holdout, message) => {
    writeFileSync(f('z.npy'), writeNpy(new Float64Array(m).fill(1), [m]));
    const args = extra[0] === '--log-partition-mode' ? ['--log-partition', f('z.npy'), '--hidden', f('H.npy')] : ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), ...extra];
    const call = anchorCommand([...args, '--holdout', holdout], capture());
    await expect(call).rejects.toThrow(UsageError);
    await expect(anchorCommand([...args, '--holdout', holdout], capture())).rejects.toThrow(message);
  });

  it('progress: the bulks counted right (fixed and per-context), every phase with an ETA, the fit phase included, then the total', async () => {
    const io = capture(false);
    const args = ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,1,2', '--exclude-top-per-context', '1', '--holdout', '0.25'];
    expect(await anchorCommand(args, io, { progressWork: 0, chunkRows: 4 })).toBe(0);
    const err = io.err.join('');
    const phases = [
      'anchor: ranking words by mean probability over 60 training contexts',
      'anchor: log Z_B for 4 bulks over 80 contexts',
      'anchor: fitting 4 bulks (d = 4; statistics of 60 training contexts)',
      'anchor: scoring 4 bulks on 80 contexts',
    ];
    for (const p of phases) {
      expect(err).toContain(`${p}: started (`);
      // Intermediate lines with the elapsed time and an ETA (chunks of 4 contexts: several per phase).
      const lines = err.split('\n').filter((l) => l.startsWith(`${p}: `) && / \d+% \(\d+\/\d+\) \S+ elapsed, ETA \S+/.test(l));
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(err).toMatch(new RegExp(`${p.replace(/[()]/g, '\\$&')}: done in `));
    }
    expect(err).toMatch(/\nanchor: total \d+(\.\d)?(s|m\d\ds|h\d\dm)\n$/);
  });
});
