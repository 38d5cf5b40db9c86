/**
 * docs/guide/scaling-out.md, run as written: its two scripts (`anchor-shard.sh`, `anchor-merge.sh`)
 * are taken from the guide's code blocks and run with bash — N shard processes at once, as an array
 * job would start them, with `SHARD_INDEX`/`SHARD_COUNT` set as the Slurm and Kubernetes wrappers
 * set them — and the merged fit must equal the one-pass `lmtransfer anchor --json` fit.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { writeNpy } from '../../src/io/index.js';
import { createRng } from '../../src/random/createRng.js';

const ROOT = join(__dirname, '..', '..');
const GUIDE = readFileSync(join(ROOT, 'docs', 'guide', 'scaling-out.md'), 'utf8');

/** The guide's ```sh block whose second line names `script`. */
function scriptFromGuide(script: string): string {
  for (const m of GUIDE.matchAll(/```sh\n([\s\S]*?)```/g)) if (m[1].split('\n')[1]?.startsWith(`# ${script}`)) return m[1];
  throw new Error(`docs/guide/scaling-out.md has no sh block for ${script}`);
}

interface FitJson {
  label: string;
  bulkSize: number;
  fit: { anchor: number[]; intercept: number; rmse: number; r2: number };
}

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(args[0], args.slice(1), { cwd, env, timeout: 120000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('scaling out: N shard processes merged equal the one-pass fit', () => {
  let dir: string;
  let lmtransfer: string;
  const n = 400, d = 6, m = 90;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lmtransfer-shards-'));
    const bundle = join(dir, 'lmtransfer.cjs');
    // One CommonJS bundle of the CLI entry point (as test/cli/anchorCommand.test.ts does): each
    // process starts in ~0.1 s instead of compiling TypeScript again.
    buildSync({ entryPoints: [join(ROOT, 'src/cli/run.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'error' });
    lmtransfer = `${process.execPath} ${bundle}`;
    const rng = createRng('shards');
    mkdirSync(join(dir, 'data'));
    const mean = Float64Array.from({ length: d }, () => rng.normal() / 3);
    writeFileSync(join(dir, 'data', 'V.npy'), writeNpy({ rows: n, cols: d, data: Float64Array.from({ length: n * d }, (_, i) => mean[i % d] + rng.normal() / Math.sqrt(d)) }));
    writeFileSync(join(dir, 'data', 'H.npy'), writeNpy({ rows: m, cols: d, data: Float64Array.from({ length: m * d }, () => rng.normal()) }));
    writeFileSync(join(dir, 'anchor-shard.sh'), scriptFromGuide('anchor-shard.sh'));
    writeFileSync(join(dir, 'anchor-merge.sh'), scriptFromGuide('anchor-merge.sh'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const onePassFit = (): FitJson[] =>
    (JSON.parse(execFileSync(process.execPath, [...lmtransfer.split(' ').slice(1), 'anchor', '--embeddings', join(dir, 'data', 'V.npy'), '--hidden', join(dir, 'data', 'H.npy'), '--exclude-top', '0,10,100', '--json', '--quiet'], { encoding: 'utf8' })) as { results: FitJson[] }).results;

  it.each([3, 4])('%i shards, started at once, merge to the one-pass fit', async (N) => {
    const out = join(dir, `shards-${N}`);
    const env = { ...process.env, DATA: join(dir, 'data'), OUT: out, LMTRANSFER: lmtransfer, SHARD_COUNT: String(N) };
    // The array job: N processes at once, each with its own 1-based index.
    const shards = await Promise.all(Array.from({ length: N }, (_, i) => run(['bash', join(dir, 'anchor-shard.sh')], { ...env, SHARD_INDEX: String(i + 1) }, dir)));
    shards.forEach((s, i) => {
      expect(s.code).toBe(0);
      expect(s.stderr).toMatch(new RegExp(`^lmtransfer anchor: shard ${i + 1}/${N} \\(contexts \\d+–\\d+ of ${m}\\) written to .*shard-${i + 1}-of-${N}\\.json\\n$`));
    });
    expect(readdirSync(out).sort()).toEqual(Array.from({ length: N }, (_, i) => `shard-${i + 1}-of-${N}.json`).sort());

    const merge = await run(['bash', join(dir, 'anchor-merge.sh')], env, dir);
    expect(merge.code).toBe(0);
    expect(merge.stdout).toContain(`${N} shards of ${N}, ${m} contexts`);
    const merged = (JSON.parse(readFileSync(join(out, 'anchor-fit.json'), 'utf8')) as { results: FitJson[] }).results;

    const onePass = onePassFit();
    expect(merged.map((r) => [r.label, r.bulkSize])).toEqual(onePass.map((r) => [r.label, r.bulkSize]));
    expect(merged).toHaveLength(3);
    // Sums of the same terms in another order: equal to a few ulps of the statistics' scale.
    const tol = 1e-10;
    merged.forEach((r, j) => {
      const o = onePass[j].fit;
      r.fit.anchor.forEach((a, k) => expect(Math.abs(a - o.anchor[k])).toBeLessThanOrEqual(tol * (1 + Math.abs(o.anchor[k]))));
      expect(Math.abs(r.fit.intercept - o.intercept)).toBeLessThanOrEqual(tol * (1 + Math.abs(o.intercept)));
      expect(Math.abs(r.fit.rmse - o.rmse)).toBeLessThanOrEqual(tol * (1 + o.rmse));
      expect(Math.abs(r.fit.r2 - o.r2)).toBeLessThanOrEqual(tol);
    });
  }, 180000);

  it('a merge of fewer shards than were made is not the one-pass fit (the comparison has teeth)', async () => {
    const out = join(dir, 'partial');
    const env = { ...process.env, DATA: join(dir, 'data'), OUT: out, LMTRANSFER: lmtransfer, SHARD_COUNT: '3' };
    for (const i of [1, 2]) expect((await run(['bash', join(dir, 'anchor-shard.sh')], { ...env, SHARD_INDEX: String(i) }, dir)).code).toBe(0);
    const merge = await run(['bash', join(dir, 'anchor-merge.sh')], env, dir);
    expect(merge.code).toBe(0);
    expect(merge.stdout).toContain(`2 shards of 3, 60 contexts`);
    const partial = (JSON.parse(readFileSync(join(out, 'anchor-fit.json'), 'utf8')) as { results: FitJson[] }).results;
    const full = onePassFit();
    const gap = Math.max(...partial.map((r, j) => Math.abs(r.fit.intercept - full[j].fit.intercept)));
    expect(gap).toBeGreaterThan(1e-6);
  }, 180000);
});
