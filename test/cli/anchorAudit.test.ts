/** `lmtransfer anchor --json` as an audit record, `--residuals`, and the swapped-files warning. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorSweep, meanWordProbabilities } from '../../src/anchor/index.js';
import { anchorCommand } from '../../src/cli/anchorCommand.js';
import type { CliIO } from '../../src/cli/io.js';
import { bfloat16ToFloat, floatToBfloat16 } from '../../src/io/halfFloat.js';
import { readNpy, writeNpy, writeSafetensors } from '../../src/io/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';

function capture(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, isTTY: false, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

function randn(seed: string, r: number, c: number, scale = 1): Matrix<Float64Array> {
  const rng = createRng(seed);
  const data = new Float64Array(r * c);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows: r, cols: c, data };
}

describe('lmtransfer anchor: the JSON audit record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmtransfer-audit-'));
  const f = (x: string): string => join(dir, x);
  const V = randn('audit-V', 80, 5, 0.7);
  const H = randn('audit-H', 120, 5);
  writeFileSync(f('V.npy'), writeNpy(V));
  writeFileSync(f('H.npy'), writeNpy(H));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records version, command line, stored dtypes, excluded words and mass, and which contexts did what', async () => {
    const io = capture();
    const argv = ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,4', '--holdout', '0.25', '--seed', 'a b', '--json', '--residuals', f('res.npy')];
    expect(await anchorCommand(argv, io)).toBe(0);
    const doc = JSON.parse(io.out.join('')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(doc.version).toBe(pkg.version);
    expect(doc.commandLine).toBe(`lmtransfer anchor --embeddings ${f('V.npy')} --hidden ${f('H.npy')} --exclude-top 0,4 --holdout 0.25 --seed 'a b' --json --residuals ${f('res.npy')}`);
    expect(doc.inputs.embeddings).toMatchObject({ rows: 80, cols: 5, dtype: 'float64' });
    expect(doc.inputs.hidden).toMatchObject({ rows: 120, cols: 5, dtype: 'float64' });
    const lib = anchorSweep(V, H, [0, 4], { holdout: 0.25, seed: 'a b', residuals: true });
    expect(doc.contexts).toMatchObject({ total: 120, training: 90, heldOut: 30, heldOutIndices: Array.from(lib.contexts.heldOut) });
    expect(doc.contexts.usedFor.ranking).toBe('training contexts only');
    expect(doc.contexts.usedFor.fitting).toBe('training contexts only');
    expect(doc.passes).toEqual({ logits: 2, hidden: 4 });
    expect(Object.keys(doc.seconds).sort()).toEqual(['fit', 'logPartition', 'rank', 'total']);
    expect(doc.results[1].excludedWords).toEqual(Array.from(lib.bulks[1].excludedWords!));
    // The excluded mass is the training contexts' mean probability of the excluded words.
    const train: Matrix = { rows: 90, cols: 5, data: new Float64Array(90 * 5) };
    lib.contexts.training.forEach((i, t) => train.data.set(H.data.subarray(i * 5, i * 5 + 5), t * 5));
    const { mean } = meanWordProbabilities(V, train);
    const mass = doc.results[1].excludedWords.reduce((s: number, w: number) => s + mean[w], 0);
    expect(Math.abs(doc.results[1].excludedMass - mass)).toBeLessThan(1e-14);
    expect(doc.results[0].excludedMass).toBe(0);
    // --residuals: (m, K, 2) float64, log Z_B and the residual of every context.
    const res = readNpy(readFileSync(f('res.npy')));
    expect(res.shape).toEqual([120, 2, 2]);
    const r = res.data as Float64Array;
    for (let i = 0; i < 120; i++) {
      for (let j = 0; j < 2; j++) {
        expect(r[(i * 2 + j) * 2]).toBe(lib.logPartitions[j][i]);
        expect(r[(i * 2 + j) * 2 + 1]).toBe(lib.residuals![j][i]);
      }
    }
  });

  it('--log-partition with --residuals: log Z_B as given and e(s) = ζ(s) − ⟨v0, h(s)⟩ − c of the fitted anchor, per context and column', async () => {
    const z = new Float64Array(120 * 2);
    const rng = createRng('audit-z');
    for (let i = 0; i < 120; i++) {
      z[i * 2] = 0.3 * H.data[i * 5] - 0.2 * H.data[i * 5 + 3] + 0.1 * rng.normal();
      z[i * 2 + 1] = 1 + 0.05 * rng.normal();
    }
    writeFileSync(f('z2.npy'), writeNpy(z, [120, 2]));
    const io = capture();
    expect(await anchorCommand(['--log-partition', f('z2.npy'), '--hidden', f('H.npy'), '--holdout', '0.2', '--json', '--residuals', f('rz.npy')], io)).toBe(0);
    const doc = JSON.parse(io.out.join('')) as { results: { fit: { anchor: number[]; intercept: number } }[] };
    const res = readNpy(readFileSync(f('rz.npy')));
    expect(res.shape).toEqual([120, 2, 2]);
    const r = res.data as Float64Array;
    for (let i = 0; i < 120; i++) {
      for (let j = 0; j < 2; j++) {
        expect(r[(i * 2 + j) * 2]).toBe(z[i * 2 + j]);
        const { anchor, intercept } = doc.results[j].fit;
        let f0 = intercept;
        for (let c = 0; c < 5; c++) f0 += anchor[c] * H.data[i * 5 + c];
        // Same terms, possibly another order: a few ulps of the largest term (|ζ| < 10 here).
        expect(Math.abs(r[(i * 2 + j) * 2 + 1] - (z[i * 2 + j] - f0))).toBeLessThan(1e-13);
      }
    }
  });

  it('records the STORED dtype of a bfloat16 / float16 embedding tensor, and fits the widened values', async () => {
    const V16: Matrix<Float32Array> = { rows: 80, cols: 5, data: Float32Array.from(V.data, (x) => bfloat16ToFloat(floatToBfloat16(x))) };
    writeFileSync(f('Vbf16.safetensors'), writeSafetensors({ 'lm_head.weight': { data: V16, dtype: 'BF16' } }));
    writeFileSync(f('Vf16.safetensors'), writeSafetensors({ 'lm_head.weight': { data: V16, dtype: 'F16' } }));
    writeFileSync(f('V16.npy'), writeNpy(V16));
    const json = async (emb: string): Promise<Record<string, any>> => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const io = capture();
      expect(await anchorCommand(['--embeddings', emb, '--hidden', f('H.npy'), '--exclude-top', '0,3', '--json'], io)).toBe(0);
      return JSON.parse(io.out.join('')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const bf = await json(f('Vbf16.safetensors'));
    const hf = await json(f('Vf16.safetensors'));
    const ref = await json(f('V16.npy'));
    expect(bf.inputs.embeddings).toMatchObject({ source: `${f('Vbf16.safetensors')}:lm_head.weight`, rows: 80, cols: 5, dtype: 'bfloat16' });
    expect(hf.inputs.embeddings.dtype).toBe('float16'); // bfloat16 values have 8 significant bits: exact in float16 at this scale
    expect(ref.inputs.embeddings.dtype).toBe('float32');
    expect(bf.results).toEqual(ref.results);
    expect(hf.results).toEqual(ref.results);
  });

  it('warns when the files look swapped (V with fewer rows than d), and not otherwise', async () => {
    writeFileSync(f('Vt.npy'), writeNpy(randn('audit-small', 4, 5)));
    const io = capture();
    expect(await anchorCommand(['--embeddings', f('Vt.npy'), '--hidden', f('H.npy'), '--quiet'], io)).toBe(0);
    expect(io.err.join('')).toMatch(/^lmtransfer anchor: warning: --embeddings .*Vt\.npy has fewer rows \(4\) than columns \(5\): .*are --embeddings and --hidden swapped\?\n$/);
    const fine = capture();
    expect(await anchorCommand(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--quiet'], fine)).toBe(0);
    expect(fine.err).toEqual([]);
  });
});
