import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { ANCHOR_HELP, ANCHOR_MERGE_OPTIONS, ANCHOR_OPTIONS, anchorCommand } from '../../src/cli/anchorCommand.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { holdoutSplit } from '../../src/anchor/fitAnchorKernel.js';
import { bulkExcludingTop, fitAnchor, fitAnchorFromLogPartition, meanWordProbabilities, perContextBulkLogPartitions } from '../../src/anchor/index.js';
import { writeNpy, writeSafetensors } from '../../src/io/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';
import { logPartition } from '../../src/softmax/logPartition.js';

const ROOT = resolve(__dirname, '../..');

function capture(isTTY = false): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, isTTY, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

/**
 * Run `lmtransfer anchor …` in a child process. With `bundle`, the entry point `src/cli/run.ts`
 * bundled once by esbuild (tsx's own compiler) into one CommonJS file and run by plain `node`:
 * the same code as `bin/lmtransfer.js` runs after `npm run build`, but a child starts in ~0.1 s
 * instead of the 1–5 s that `node --import tsx` needs on this shared machine, so every exit-2 case
 * can run in its own process within the time budget. Without it, `node --import tsx src/cli/run.ts`.
 */
function runCli(args: string[], bundle?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = bundle ? [bundle, 'anchor', ...args] : ['--import', 'tsx', 'src/cli/run.ts', 'anchor', ...args];
  return new Promise((res) => {
    execFile(process.execPath, argv, { cwd: ROOT, timeout: 60000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

/** Run jobs at most two at a time (the machine has two cores). */
async function pool<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

function randn(seed: string, r: number, c: number, f32 = false): Matrix {
  const rng = createRng(seed);
  const data = f32 ? new Float32Array(r * c) : new Float64Array(r * c);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows: r, cols: c, data };
}

describe('lmtransfer anchor', () => {
  let dir: string;
  let bundle: string;
  const V = randn('cli-V', 60, 4, true);
  const H = randn('cli-H', 50, 4, true);
  const f = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lmtransfer-anchor-'));
    bundle = join(dir, 'lmtransfer.cjs');
    buildSync({ entryPoints: [join(ROOT, 'src/cli/run.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'error' });
    writeFileSync(f('V.npy'), writeNpy(V));
    writeFileSync(f('H.npy'), writeNpy(H));
    writeFileSync(f('V64.npy'), writeNpy({ rows: 60, cols: 4, data: Float64Array.from(V.data) }));
    writeFileSync(f('H64.npy'), writeNpy({ rows: 50, cols: 4, data: Float64Array.from(H.data) }));
    writeFileSync(f('H3.npy'), writeNpy(randn('cli-H3', 50, 3)));
    writeFileSync(f('Hint.npy'), writeNpy(new Int32Array(8), [2, 4]));
    writeFileSync(f('model.safetensors'), writeSafetensors({ 'h.0.mlp.weight': { data: randn('x', 4, 4) }, 'wte.weight': { data: V } }));
    const st = writeSafetensors({ 'wte.weight': { data: V } });
    // Corrupt the offsets: claim the tensor ends 8 bytes after the data section does.
    const text = new TextDecoder().decode(st.subarray(8, 8 + Number(new DataView(st.buffer).getBigUint64(0, true))));
    writeFileSync(f('bad.safetensors'), Buffer.concat([Buffer.alloc(8), Buffer.from(text.replace('[0,960]', '[8,968]'))]));
    const b = readFileSync(f('bad.safetensors'));
    b.writeBigUInt64LE(BigInt(b.length - 8), 0);
    writeFileSync(f('bad.safetensors'), Buffer.concat([b, Buffer.from(st.subarray(st.length - 960))]));
    const good = writeNpy(H);
    writeFileSync(f('truncated.npy'), good.subarray(0, good.length - 10));
    writeFileSync(f('z.npy'), writeNpy(logPartition(V, H)));
    writeFileSync(f('z49.npy'), writeNpy(logPartition(V, H).subarray(0, 49)));
    writeFileSync(f('notjson.json'), '{"format": ');
    writeFileSync(f('H.bin'), Buffer.from('not a tensor file at all'));
    writeFileSync(f('V3.npy'), writeNpy(randn('cli-V3', 60, 3)));
    writeFileSync(f('V40.npy'), writeNpy(randn('cli-V40', 40, 4)));
    const w = randn('cli-w', 50, 1).data.map((x) => 1 + Math.abs(x));
    writeFileSync(f('w.npy'), writeNpy(w, [50]));
    writeFileSync(f('w2.npy'), writeNpy(w.map((x, i) => (i === 7 ? x + 1 : x)), [50]));
    writeFileSync(f('wneg.npy'), writeNpy(w.map((x, i) => (i === 3 ? -1 : x)), [50]));
    // Zero on every held-out context of (holdout 0.2, seed 3).
    const { test: held } = holdoutSplit('test', 50, 0.2, '3');
    writeFileSync(f('wtest0.npy'), writeNpy(w.map((x, i) => (held.includes(i) ? 0 : x)), [50]));
    // Same shape and dtype as H, one value changed: only the checksum tells them apart.
    writeFileSync(f('Hb.npy'), writeNpy({ rows: 50, cols: 4, data: H.data.map((x, i) => (i === 17 ? x + 1 : x)) }));
    // The same H under another directory, as on another machine.
    mkdirSync(f('elsewhere'));
    writeFileSync(f('elsewhere/H.npy'), writeNpy(H));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('end to end in a child process: the table with the self-normalisation baseline beside the anchor fit', async () => {
    const r = await runCli(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,5', '--holdout', '0.2', '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`lmtransfer anchor: V 60×4 from ${f('V.npy')}; H 50×4 from ${f('H.npy')}`);
    expect(lines[1]).toBe('contexts: 40 fitted, 10 held out (holdout 0.2, seed 3); ridge 0');
    expect(lines[3]).toMatch(/^bulk +\|B\| +rank +cond +‖v0‖ +c +RMSE +self-norm RMSE +R² +max\|e\| +│ +held-out RMSE +self-norm RMSE +R² +max\|e\|$/);
    const fit0 = fitAnchor(V, H, bulkExcludingTop(V, H, 0), { holdout: 0.2, seed: '3' });
    const cells = lines[4].split(/ +/);
    expect(cells.slice(0, 3)).toEqual(['k=0', '60', '5/5']);
    expect(Number(cells[6])).toBeCloseTo(fit0.rmse, 3); // printed with 4 significant digits
    expect(Number(cells[7])).toBeCloseTo(Math.sqrt(fit0.selfNormalizationMse), 3);
    expect(lines[5].startsWith('k=5 ')).toBe(true);
    expect(lines[5].split(/ +/)[1]).toBe('55');
  });

  it('the bundled entry point behaves like the tsx one (exit code and output)', async () => {
    const args = ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,5', '--holdout', '0.2', '--seed', '3'];
    const [a, b] = await Promise.all([runCli(args, bundle), runCli(['--hidden', f('H.npy')], bundle)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('contexts: 40 fitted, 10 held out (holdout 0.2, seed 3); ridge 0');
    expect(b.code).toBe(2);
  });

  it('--log-partition --json end to end in a child process: the output parses and is the library fit', async () => {
    const r = await runCli(['--log-partition', f('z.npy'), '--hidden', f('H.npy'), '--json', '--holdout', '0.2'], bundle);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { command: string; results: { label: string; fit: { anchor: number[]; heldOut: { rmse: number } } }[] };
    expect(doc.command).toBe('anchor');
    // z.npy holds float64 values and H is float32 in both: the same inputs, the same arithmetic.
    const ref = fitAnchorFromLogPartition(H, logPartition(V, H), { holdout: 0.2 });
    expect(doc.results[0].label).toBe('z');
    expect(doc.results[0].fit.anchor).toEqual(Array.from(ref.anchor));
    expect(doc.results[0].fit.heldOut.rmse).toBe(ref.heldOut!.rmse);
  });

  it('every exit-2 case, in child processes: one line on stderr naming the problem', async () => {
    // Shard files to merge: compatible halves, and shards of other runs (another shard count,
    // another d, other bulks, another vocabulary size) and a corrupt accumulator.
    const shard = async (out: string, args: string[]): Promise<void> => {
      expect(await anchorCommand([...args, '--out', f(out)], capture())).toBe(0);
    };
    await shard('a1.json', ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--shard', '1/2']);
    await shard('b2of3.json', ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--shard', '2/3']);
    await shard('d3.json', ['--embeddings', f('V3.npy'), '--hidden', f('H3.npy'), '--shard', '2/2']);
    await shard('k5.json', ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,5', '--shard', '2/2']);
    await shard('n40.json', ['--embeddings', f('V40.npy'), '--hidden', f('H.npy'), '--shard', '2/2']);
    // Shards accumulated differently: other weights, ridge, rcond, input mode, H contents.
    await shard('w2of2.json', ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--weights', f('w.npy'), '--shard', '2/2']);
    await shard('w1of2.json', ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--weights', f('w2.npy'), '--shard', '1/2']);
    await shard('r2.json', ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--ridge', '0.5', '--shard', '2/2']);
    await shard('rc2.json', ['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--rcond', '1e-6', '--shard', '2/2']);
    await shard('z2.json', ['--log-partition', f('z.npy'), '--hidden', f('H.npy'), '--shard', '2/2']);
    await shard('hb2.json', ['--embeddings', f('V.npy'), '--hidden', f('Hb.npy'), '--shard', '2/2']);
    await shard('h64.json', ['--embeddings', f('V.npy'), '--hidden', f('H64.npy'), '--shard', '2/2']);
    const badOptions = JSON.parse(readFileSync(f('r2.json'), 'utf8')) as { options: unknown };
    badOptions.options = { ridge: -1, rcond: null };
    writeFileSync(f('badoptions.json'), JSON.stringify(badOptions));
    const corrupt = JSON.parse(readFileSync(f('a1.json'), 'utf8')) as { shard: { index: number }; results: { accumulator: { comomentCross: unknown } }[] };
    corrupt.shard.index = 2;
    corrupt.results[0].accumulator.comomentCross = [1, 2];
    writeFileSync(f('corrupt.json'), JSON.stringify(corrupt));
    const badShard = JSON.parse(readFileSync(f('a1.json'), 'utf8')) as { shard: unknown };
    badShard.shard = { index: 3, count: 2 };
    writeFileSync(f('badshard.json'), JSON.stringify(badShard));
    const cases: [string[], RegExp][] = [
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--bogus'], /^lmtransfer anchor: --bogus: unknown option \(try 'lmtransfer anchor --help'\)\n$/],
      [['--embeddings', f('V.npy')], /^lmtransfer anchor: --hidden: is required; give the final hidden states, e\.g\. --hidden H\.npy \(try 'lmtransfer anchor --help'\)\n$/],
      [['--hidden', f('H.npy')], /^lmtransfer anchor: --embeddings: is required; give the output embeddings, e\.g\. --embeddings V\.npy \(or --log-partition z\.npy\)/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--holdout', '1.5'], /^lmtransfer anchor: --holdout: must be a fraction in \[0, 1\); got '1\.5'\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,ten'], /^lmtransfer anchor: --exclude-top: must be a comma-separated list of integers/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '60'], /^lmtransfer anchor: --exclude-top: must list values below the vocabulary size 60 \(the bulk would be empty\); got 60\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--shard', '3/2'], /^lmtransfer anchor: --shard: must be I\/N with 1 ≤ I ≤ N, e\.g\. 2\/4; got '3\/2'\n$/],
      [['--embeddings', f('missing.npy'), '--hidden', f('H.npy')], /^lmtransfer anchor: --embeddings: cannot read '.*missing\.npy': no such file\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('truncated.npy')], /^lmtransfer anchor: --hidden .*truncated\.npy: openNpyFile: argument 'path' must be a valid \.npy file; got 790 data bytes but shape \(50, 4\) × 4 bytes needs 800 \(truncated data\) at byte 918\n$/],
      [['--embeddings', f('bad.safetensors'), '--hidden', f('H.npy')], /^lmtransfer anchor: --embeddings .*bad\.safetensors: openSafetensorsTensor: .*data_offsets \[8, 968\]/],
      [['--embeddings', f('V.npy'), '--hidden', f('Hint.npy')], /^lmtransfer anchor: --hidden .*Hint\.npy: openNpyFile: argument 'path' must be a \.npy file of a 1-D or 2-D float array \(float16, float32 or float64\); got int32 with shape \(2, 4\)\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H3.npy')], /^lmtransfer anchor: --embeddings: mismatched dimensions: .*V\.npy is 60×4 but --hidden .*H3\.npy is 50×3; the number of columns d must agree\n$/],
      [['--log-partition', f('z49.npy'), '--hidden', f('H.npy')], /^lmtransfer anchor: --log-partition: mismatched dimensions: .*z49\.npy has 49 rows but --hidden .*H\.npy has 50; one value per context\n$/],
      [['merge', f('notjson.json')], /^lmtransfer anchor: merge .*notjson\.json: must be a shard file \(JSON\); got a parse error/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--shard', '0/2'], /^lmtransfer anchor: --shard: must be I\/N with 1 ≤ I ≤ N, e\.g\. 2\/4; got '0\/2'\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--shard', 'half'], /^lmtransfer anchor: --shard: must be I\/N/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top=-1'], /^lmtransfer anchor: --exclude-top: must be a comma-separated list of integers ≥ 0/],
      // A negative value after a space reaches the flag's own check (not Node's "argument is ambiguous").
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '-1'], /^lmtransfer anchor: --exclude-top: must be a comma-separated list of integers ≥ 0, e\.g\. 0,10,100; got '-1'\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--ridge', '-1'], /^lmtransfer anchor: --ridge: must be a number ≥ 0; got '-1'\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--rcond', '-1e-3'], /^lmtransfer anchor: --rcond: must be a number in \(0, 1\); got '-1e-3'\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--holdout', '0.001'], /^lmtransfer anchor: --holdout: must leave at least one context in each part of the 50 contexts; got 0\.001 \(0 held out, 50 for training\)\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--weights', f('wneg.npy')], /^lmtransfer anchor: --weights: must hold finite weights ≥ 0; got -1 at \[3\] of .*wneg\.npy\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--weights', f('wtest0.npy'), '--holdout', '0.2', '--seed', '3'], /^lmtransfer anchor: --weights: must be positive on some held-out context; got all zeros on the 10 held-out contexts\n$/],
      [['merge', dir], /^lmtransfer anchor: merge: '.*' must be a shard file written by 'lmtransfer anchor --shard I\/N --out FILE'; got a directory/],
      [['--embeddings', f('elsewhere'), '--hidden', f('H.npy')], /^lmtransfer anchor: --embeddings .*: openSafetensorsTensor: argument 'path' must be a safetensors file, an index file or a directory holding model\.safetensors\.index\.json or model\.safetensors; got the directory/],
      [['--embeddings', f('V.npy'), '--hidden', dir], /^lmtransfer anchor: --hidden: cannot read '.*': it is a directory \(expected a \.npy file\)\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--holdout'], /^lmtransfer anchor: --holdout: needs a value \(try 'lmtransfer anchor --help'\)\n$/],
      [['--log-partition', f('z.npy'), '--hidden', f('H.npy'), '--exclude-top', '3'], /^lmtransfer anchor: --exclude-top: needs --embeddings/],
      [['--log-partition', f('z.npy'), '--hidden', f('H.npy'), '--exclude-top-per-context', '3'], /^lmtransfer anchor: --exclude-top-per-context: needs --embeddings/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top-per-context', '60'], /^lmtransfer anchor: --exclude-top-per-context: must list values below the vocabulary size 60 \(the bulk would be empty\); got 60\n$/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top-per-context', '1,x'], /^lmtransfer anchor: --exclude-top-per-context: must be a comma-separated list of integers ≥ 0, e.g. 0,10,100; got '1,x'\n$/],
      [['--embeddings', f('V.npy'), '--log-partition', f('z.npy'), '--hidden', f('H.npy')], /^lmtransfer anchor: --log-partition: excludes --embeddings \(give one of them/],
      [['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--weights', f('z49.npy')], /^lmtransfer anchor: --weights: mismatched dimensions: .*z49\.npy has 49 entries but --hidden has 50 rows/],
      [['--embeddings', f('V.npy'), '--hidden', f('missing.npy')], /^lmtransfer anchor: --hidden: cannot read '.*missing\.npy': no such file\n$/],
      [['--embeddings', f('notjson.json'), '--hidden', f('H.npy')], /^lmtransfer anchor: --embeddings .*notjson\.json: openSafetensorsTensor: argument 'path' must be a safetensors index \(JSON\); got .* with a parse error/],
      [['--embeddings', f('H.bin'), '--hidden', f('H.npy')], /^lmtransfer anchor: --embeddings .*H\.bin: must be a \.npy file or a safetensors file; got a file that starts with neither/],
      [['merge'], /^lmtransfer anchor: merge: needs at least one shard file/],
      [['merge', f('a1.json'), f('missing.json')], /^lmtransfer anchor: merge: cannot read '.*missing\.json': no such file\n$/],
      [['merge', f('a1.json'), f('a1.json')], /^lmtransfer anchor: merge: shard 1\/2 is given twice/],
      [['merge', f('a1.json'), f('b2of3.json')], /^lmtransfer anchor: merge: '.*b2of3\.json' is shard 2\/3 of 50 contexts but '.*a1\.json' is of 2 shards of 50: not the same run\n$/],
      [['merge', f('a1.json'), f('d3.json')], /^lmtransfer anchor: merge: mismatched dimensions: '.*d3\.json' has d = 3 but the other shards have d = 4\n$/],
      [['merge', f('a1.json'), f('k5.json')], /^lmtransfer anchor: merge: '.*k5\.json' has bulks k=0,k=5 but '.*a1\.json' has k=0\n$/],
      [['merge', f('a1.json'), f('n40.json')], /^lmtransfer anchor: merge: '.*n40\.json' has \|B\| = 40 for k=0 but '.*a1\.json' has 60 \(different vocabularies\?\)\n$/],
      [['merge', f('a1.json'), f('corrupt.json')], /^lmtransfer anchor: merge .*corrupt\.json: AnchorAccumulator\.fromJSON: argument 'json' must have 'comomentCross' an array of 4 numbers; got an array of length 2\n$/],
      [['merge', f('badshard.json')], /^lmtransfer anchor: merge .*badshard\.json: must have 'shard' \{index, count\} with 1 ≤ index ≤ count/],
      [['merge', f('a1.json'), f('w2of2.json')], /^lmtransfer anchor: merge: '.*w2of2\.json' was made with --weights .*w\.npy but '.*a1\.json' without --weights: not the same run\n$/],
      [['merge', f('w1of2.json'), f('w2of2.json')], /^lmtransfer anchor: merge: '.*w2of2\.json' has --weights .*w\.npy \(sha256 [0-9a-f]{12}…\) but '.*w1of2\.json' has .*w2\.npy \(sha256 [0-9a-f]{12}…\): not the same data\n$/],
      [['merge', f('a1.json'), f('r2.json')], /^lmtransfer anchor: merge: '.*r2\.json' was made with --ridge 0\.5 but '.*a1\.json' with --ridge 0: not the same run\n$/],
      [['merge', f('a1.json'), f('rc2.json')], /^lmtransfer anchor: merge: '.*rc2\.json' was made with --rcond 0\.000001 but '.*a1\.json' with no --rcond: not the same run\n$/],
      [['merge', f('a1.json'), f('z2.json')], /^lmtransfer anchor: merge: '.*z2\.json' was made with --log-partition but '.*a1\.json' with --embeddings: not the same run\n$/],
      [['merge', f('a1.json'), f('hb2.json')], /^lmtransfer anchor: merge: '.*hb2\.json' has --hidden .*Hb\.npy \(sha256 [0-9a-f]{12}…\) but '.*a1\.json' has .*H\.npy \(sha256 [0-9a-f]{12}…\): not the same data\n$/],
      [['merge', f('a1.json'), f('h64.json')], /^lmtransfer anchor: merge: '.*h64\.json' has --hidden .*H64\.npy 50×4 float64 but '.*a1\.json' has .*H\.npy 50×4 float32: not the same inputs\n$/],
      [['merge', f('a1.json'), f('badoptions.json')], /^lmtransfer anchor: merge .*badoptions\.json: must have 'options' \{ridge, rcond\} with ridge ≥ 0/],
    ];
    const results = await pool(cases.map(([args]) => () => runCli(args, bundle)));
    results.forEach((r, i) => {
      expect({ args: cases[i][0], code: r.code }).toEqual({ args: cases[i][0], code: 2 });
      expect(r.stderr).toMatch(cases[i][1]);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  });

  it('--help documents every flag', async () => {
    const io = capture();
    expect(await main(['anchor', '--help'], io)).toBe(0);
    const help = io.out.join('');
    expect(help).toBe(ANCHOR_HELP);
    // Every flag the parser accepts (taken from its configuration, so a new flag without help fails
    // here) starts a line of the help, with its short form where it has one.
    const flags = [...Object.keys(ANCHOR_OPTIONS).map((k) => `--${k}`), 'merge'];
    expect(flags).toHaveLength(17);
    for (const flag of flags) {
      expect(help).toMatch(new RegExp(`^ +(?:-h, )?${flag.replace(/-/g, '\\-')}\\b`, 'm'));
    }
    expect(help).toMatch(/^ +-h, --help\b/m);
    const m = capture();
    expect(await main(['anchor', 'merge', '--help'], m)).toBe(0);
    const mergeHelp = m.out.join('');
    expect(mergeHelp).toContain('lmtransfer anchor merge shard1.json');
    for (const k of Object.keys(ANCHOR_MERGE_OPTIONS)) expect(mergeHelp).toContain(`--${k}`);
  });

  it('--json gives the fits of fitAnchor, anchors included', async () => {
    const io = capture();
    const code = await anchorCommand(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,3', '--json', '--ridge', '0.01'], io);
    expect(code).toBe(0);
    const doc = JSON.parse(io.out.join('')) as { results: { label: string; bulkSize: number; fit: { anchor: number[]; intercept: number; rmse: number; rank: number; maxAbsResidual: number } }[]; contexts: unknown };
    expect(doc.contexts).toMatchObject({ total: 50, training: 50, heldOut: 0, heldOutIndices: [] });
    expect(doc.results.map((r) => [r.label, r.bulkSize])).toEqual([['k=0', 60], ['k=3', 57]]);
    const ref = fitAnchor(V, H, bulkExcludingTop(V, H, 3), { ridge: 0.01 });
    // float32 V and H: the CLI's one-pass log Z_B and logPartition differ by float32 rounding of
    // the logits, which moves the fit by ~1e-6.
    expect(doc.results[1].fit.anchor.map((x, j) => Math.abs(x - ref.anchor[j])).every((e) => e < 1e-5)).toBe(true);
    expect(doc.results[1].fit.rmse).toBeCloseTo(ref.rmse, 5);
    expect(doc.results[1].fit.rank).toBe(5);
  });

  it('--exclude-top-per-context fits log Z without each context\'s own top k, marked outside Theorem 1; shards merge', async () => {
    const io = capture();
    expect(await anchorCommand(['--embeddings', f('V64.npy'), '--hidden', f('H64.npy'), '--exclude-top', '3', '--exclude-top-per-context', '0,3', '--json'], io)).toBe(0);
    type Doc = { results: { label: string; excludeTop?: number; perContextTop?: number; bulkSize: number; fit: { anchor: number[]; mse: number } }[] };
    const doc = JSON.parse(io.out.join('')) as Doc;
    expect(doc.results.map((r) => [r.label, r.excludeTop, r.perContextTop, r.bulkSize])).toEqual([
      ['k=3', 3, undefined, 57],
      ['k=0 per context', undefined, 0, 60],
      ['k=3 per context', undefined, 3, 57],
    ]);
    const V64: Matrix = { rows: 60, cols: 4, data: Float64Array.from(V.data) };
    const H64: Matrix = { rows: 50, cols: 4, data: Float64Array.from(H.data) };
    const [z3] = perContextBulkLogPartitions(V64, H64, [3]);
    const ref = fitAnchorFromLogPartition(H64, z3);
    expect(doc.results[2].fit.anchor).toEqual(Array.from(ref.anchor));
    expect(doc.results[2].fit.mse).toBe(ref.mse);
    // Only per-context rows were asked for: no fixed-bulk row; the table says why Theorem 1 does not apply.
    const t = capture();
    expect(await anchorCommand(['--embeddings', f('V64.npy'), '--hidden', f('H64.npy'), '--exclude-top-per-context', '5'], t)).toBe(0);
    const table = t.out.join('');
    expect(table).toMatch(/\n\s*k=5 per context +55 /);
    expect(table).not.toMatch(/\n\s*k=0 /);
    expect(table).toContain('Theorem 1 needs a\nbulk fixed across contexts (--exclude-top) and does not apply to them');
    // Shards carry the per-context rows and merge like the others.
    for (const i of [1, 2]) {
      expect(await anchorCommand(['--embeddings', f('V64.npy'), '--hidden', f('H64.npy'), '--exclude-top-per-context', '5', '--shard', `${i}/2`, '--out', f(`pc${i}.json`)], capture())).toBe(0);
    }
    const merged = capture();
    expect(await anchorCommand(['merge', f('pc1.json'), f('pc2.json'), '--json'], merged)).toBe(0);
    const m = JSON.parse(merged.out.join('')) as Doc;
    const one = fitAnchorFromLogPartition(H64, perContextBulkLogPartitions(V64, H64, [5])[0]);
    expect(m.results[0].perContextTop).toBe(5);
    expect(Math.max(...m.results[0].fit.anchor.map((x, j) => Math.abs(x - one.anchor[j])))).toBeLessThan(1e-10 * Math.max(...Array.from(one.anchor, Math.abs)));
  });

  it('picks the embedding tensor of a safetensors file, by name or by the known names', async () => {
    const a = capture();
    expect(await anchorCommand(['--embeddings', f('model.safetensors'), '--hidden', f('H.npy'), '--json'], a)).toBe(0);
    const b = capture();
    expect(await anchorCommand(['--embeddings', `${f('model.safetensors')}:wte.weight`, '--hidden', f('H.npy'), '--json'], b)).toBe(0);
    const c = capture();
    expect(await anchorCommand(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--json'], c)).toBe(0);
    const fitOf = (io: { out: string[] }): unknown => (JSON.parse(io.out.join('')) as { results: { fit: unknown }[] }).results[0].fit;
    expect(fitOf(a)).toEqual(fitOf(c));
    expect(fitOf(b)).toEqual(fitOf(c));
    await expect(anchorCommand(['--embeddings', `${f('model.safetensors')}:nope`, '--hidden', f('H.npy')], capture())).rejects.toThrow("has no tensor 'nope'");
  });

  it('--log-partition fits log Z_B computed elsewhere, with weights', async () => {
    const w = Float64Array.from({ length: 50 }, (_, i) => 1 + (i % 3));
    writeFileSync(f('w.npy'), writeNpy(w));
    const io = capture();
    expect(await anchorCommand(['--log-partition', f('z.npy'), '--hidden', f('H.npy'), '--weights', f('w.npy'), '--json'], io)).toBe(0);
    const got = (JSON.parse(io.out.join('')) as { results: { label: string; fit: { anchor: number[]; mse: number } }[] }).results[0];
    const ref = fitAnchorFromLogPartition(H, logPartition(V, H), { weights: w });
    expect(got.label).toBe('z');
    expect(got.fit.anchor).toEqual(Array.from(ref.anchor));
    expect(got.fit.mse).toBe(ref.mse);
  });

  it('--shard I/N then merge equals one pass (relative difference ≤ 1e-10), with a warning for a missing shard', async () => {
    for (const i of [1, 2, 3]) {
      const io = capture();
      expect(await anchorCommand(['--embeddings', f('V64.npy'), '--hidden', f('H64.npy'), '--exclude-top', '0,4', '--shard', `${i}/3`, '--out', f(`s${i}.json`)], io)).toBe(0);
      expect(io.err.join('')).toMatch(new RegExp(`^lmtransfer anchor: shard ${i}/3 \\(contexts \\d+–\\d+ of 50\\) written to `));
    }
    const merged = capture();
    expect(await anchorCommand(['merge', f('s1.json'), f('s2.json'), f('s3.json'), '--json'], merged)).toBe(0);
    const one = capture();
    expect(await anchorCommand(['--embeddings', f('V64.npy'), '--hidden', f('H64.npy'), '--exclude-top', '0,4', '--json'], one)).toBe(0);
    type Doc = { results: { label: string; fit: { anchor: number[]; intercept: number; rmse: number } }[] };
    const a = JSON.parse(merged.out.join('')) as Doc;
    const b = JSON.parse(one.out.join('')) as Doc;
    expect(a.results.map((r) => r.label)).toEqual(['k=0', 'k=4']);
    for (let j = 0; j < 2; j++) {
      const x = a.results[j].fit;
      const y = b.results[j].fit;
      const scale = Math.max(...y.anchor.map(Math.abs));
      // Float64 inputs: the shards' log Z_B equal the one-pass values to rounding (with float32 inputs
      // the logits of differently sized row blocks may round differently, ~1e-7), and the merged
      // statistics equal one pass, so the fits agree to 1e-10.
      expect(Math.max(...x.anchor.map((v, k) => Math.abs(v - y.anchor[k]))) / scale).toBeLessThanOrEqual(1e-10);
      expect(Math.abs(x.intercept - y.intercept) / Math.abs(y.intercept)).toBeLessThanOrEqual(1e-10);
      // The merged RMSE comes from the statistics, the one-pass RMSE from residuals: 1e-8 relative.
      expect(Math.abs(x.rmse - y.rmse) / y.rmse).toBeLessThan(1e-8);
    }
    const table = capture();
    expect(await anchorCommand(['merge', f('s1.json'), f('s3.json')], table)).toBe(0);
    expect(table.err.join('')).toBe('lmtransfer anchor merge: warning: shards 2 of 3 are missing; fitting on the contexts present\n');
    expect(table.out.join('')).toMatch(/^lmtransfer anchor merge: 2 shards of 3, \d+ contexts, d = 4; ridge 0\n/);
    expect(table.out.join('')).toMatch(/\n\s*k=0 .* —\n/); // no max|e| without the data
    await expect(anchorCommand(['merge', f('s1.json'), f('s1.json')], capture())).rejects.toThrow('merge: shard 1/3 is given twice');
    // A shard records its inputs' checksums, its weights (null: none) and its fit options.
    const s1 = JSON.parse(readFileSync(f('s1.json'), 'utf8')) as { version: number; inputs: Record<string, { sha256?: string } | null>; options: unknown };
    expect(s1.version).toBe(2);
    expect(s1.inputs.weights).toBeNull();
    expect(s1.inputs.embeddings!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s1.inputs.hidden!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s1.options).toEqual({ ridge: 0, rcond: null });
    await expect(anchorCommand(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--shard', '1/2', '--holdout', '0.1'], capture())).rejects.toThrow('--shard: excludes --holdout');
  });

  it('merge compares what changes the fit: same files at other paths merge, weights and ridge carry over, older shards still merge with a warning', async () => {
    const run = async (args: string[]): Promise<void> => {
      expect(await anchorCommand([...args, '--quiet'], capture())).toBe(0);
    };
    const base = ['--embeddings', f('V64.npy'), '--exclude-top', '0,4'];
    // The same H read from another directory: equal checksums, so the shards merge.
    await run([...base, '--hidden', f('H.npy'), '--shard', '1/2', '--out', f('p1.json')]);
    await run([...base, '--hidden', f('elsewhere/H.npy'), '--shard', '2/2', '--out', f('p2.json')]);
    const ok = capture();
    expect(await anchorCommand(['merge', f('p1.json'), f('p2.json')], ok)).toBe(0);
    expect(ok.err.join('')).toBe('');
    // Weighted shards with a ridge: the merge fits with the shards' ridge and equals the weighted one-pass fit.
    const wr = ['--weights', f('w.npy'), '--ridge', '0.25'];
    await run([...base, '--hidden', f('H64.npy'), ...wr, '--shard', '1/2', '--out', f('q1.json')]);
    await run([...base, '--hidden', f('H64.npy'), ...wr, '--shard', '2/2', '--out', f('q2.json')]);
    const merged = capture();
    expect(await anchorCommand(['merge', f('q1.json'), f('q2.json'), '--json'], merged)).toBe(0);
    const one = capture();
    expect(await anchorCommand([...base, '--hidden', f('H64.npy'), ...wr, '--json'], one)).toBe(0);
    type Doc = { options: { ridge: number }; results: { fit: { anchor: number[] } }[] };
    const [a, b] = [JSON.parse(merged.out.join('')) as Doc, JSON.parse(one.out.join('')) as Doc];
    expect(a.options.ridge).toBe(0.25);
    a.results.forEach((r, j) => r.fit.anchor.forEach((x, i) => expect(Math.abs(x - b.results[j].fit.anchor[i])).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(x)))));
    const table = capture();
    expect(await anchorCommand(['merge', f('q1.json'), f('q2.json'), '--ridge', '0'], table)).toBe(0);
    expect(table.out.join('')).toMatch(/^lmtransfer anchor merge: 2 shards of 2, 50 contexts, d = 4; ridge 0\n/);
    // A version-1 shard (no weights, options or checksums) still merges, with a warning on stderr.
    const old = JSON.parse(readFileSync(f('p1.json'), 'utf8')) as { version: number; options?: unknown; inputs: Record<string, { source: string; sha256?: string } | null | undefined> };
    old.version = 1;
    delete old.options;
    delete old.inputs.weights;
    for (const k of Object.keys(old.inputs)) delete old.inputs[k]!.sha256;
    writeFileSync(f('old1.json'), JSON.stringify(old));
    const warned = capture();
    expect(await anchorCommand(['merge', f('old1.json'), f('p2.json')], warned)).toBe(0);
    expect(warned.err.join('')).toMatch(/^lmtransfer anchor merge: warning: '.*old1\.json' records no --weights, --ridge\/--rcond or input checksums \(written by an older lmtransfer\); those were not compared\n$/);
    // …but its file names and shapes are still compared.
    old.inputs.hidden!.source = f('Hb.npy');
    writeFileSync(f('old1b.json'), JSON.stringify(old));
    await expect(anchorCommand(['merge', f('old1b.json'), f('p2.json')], capture())).rejects.toThrow(/^merge: '.*p2\.json' has --hidden .*H\.npy but '.*old1b\.json' has .*Hb\.npy: not the same inputs$/);
  });

  it('shows progress as plain lines off a TTY when the work is long', async () => {
    const io = capture(false);
    expect(await anchorCommand(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '0,2'], io, { progressWork: 0 })).toBe(0);
    const err = io.err.join('');
    expect(err).toContain('anchor: ranking words by mean probability over 50 training contexts: started (50 steps)\n');
    // Both bulks (k = 0 and k = 2) in one pass, counted right.
    expect(err).toMatch(/anchor: log Z_B for 2 bulks over 50 contexts: done in /);
    expect(err).toMatch(/anchor: fitting 2 bulks \(d = 4; statistics of 50 training contexts\): done in /);
    expect(err).toMatch(/anchor: scoring 2 bulks on 50 contexts: done in /);
    expect(err).toMatch(/\nanchor: total \d/);
    expect(err).not.toContain('\r');
    const quiet = capture(false);
    expect(await anchorCommand(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--quiet'], quiet, { progressWork: 0 })).toBe(0);
    expect(quiet.err).toEqual([]);
  });

  it('does not modify the input files', async () => {
    const before = readFileSync(f('V.npy'));
    await anchorCommand(['--embeddings', f('V.npy'), '--hidden', f('H.npy'), '--exclude-top', '3'], capture());
    expect(readFileSync(f('V.npy')).equals(before)).toBe(true);
    // The ranking used by the command is the library's.
    expect(meanWordProbabilities(V, H).mean).toHaveLength(60);
  });
});
