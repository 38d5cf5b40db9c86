/**
 * The package as a user gets it: `npm pack` (of the dist/ that `npm test` builds first), installed
 * into a fresh ES-module TypeScript project with its dependencies from the npm registry; then a
 * program that uses the public API is type-checked under `strict` and run, a CommonJS file loads the
 * package through require(esm), and the `lmtransfer` binary answers. The install must run no
 * script of ours and print no allowScripts warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };

/** The user's program: the public API, type-checked under strict and run. */
const PROGRAM = `import {
  createRng, matrix, fromRows, logPartition, logSoftmaxRows, crossEntropy, solveLeastSquares,
  bulkExcludingTop, fitAnchor, AnchorAccumulator, binaryKl, pinskerBound, DomainError, LmTransferError,
  type Matrix, type AnchorFit,
} from 'lmtransfer';

const rng = createRng(7);
const n = 300, d = 8, m = 120;
const V: Matrix = matrix(n, d, Float64Array.from({ length: n * d }, () => rng.normal() / Math.sqrt(d)));
const H: Matrix = matrix(m, d, Float64Array.from({ length: m * d }, () => rng.normal()));
const logZ: Float64Array = logPartition(V, H);
const fit = solveLeastSquares(H, logZ, { intercept: true });
const bulk: Int32Array = bulkExcludingTop(V, H, 10);
const anchor: AnchorFit = fitAnchor(V, H, bulk);
const acc = new AnchorAccumulator(d).add(V, H, bulk);
const merged = AnchorAccumulator.fromJSON(JSON.stringify(acc)).fit();
const rows = logSoftmaxRows(fromRows([[0, 0], [1, 2]]));
const { loss } = crossEntropy(matrix(1, 3, [1, 2, 3]), new Int32Array([2]), { reduction: 'mean' });
let typed = false;
try {
  binaryKl(2, 0.5);
} catch (e) {
  typed = e instanceof DomainError && e instanceof LmTransferError;
}
console.log(JSON.stringify({
  logZ: logZ.length, rss: Number.isFinite(fit.residualSumOfSquares), anchorDim: anchor.anchor.length,
  sameFit: Math.abs(merged.intercept - anchor.intercept) < 1e-9, rowSum: Math.exp(rows.data[2]) + Math.exp(rows.data[3]),
  loss, pinsker: pinskerBound(0.02), typed,
}));
`;

/** execFileSync that puts the child's output into the error, so that a failing tsc says why. */
function run(file: string, args: string[], cwd: string): string {
  try {
    return execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

describe('the packed package in a fresh project', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lmtransfer-consumer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs, installs without running scripts, type-checks under strict, runs (ESM, CommonJS, the binary)', () => {
    // No install-time script: npm would run it on every install of the tarball (and npm 11 warns).
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[s]).toBeUndefined();
    expect(existsSync(join(ROOT, 'dist', 'index.js'))).toBe(true);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
    const paths = packed[0].files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'bin/lmtransfer.js', 'docs/theory.md', 'README.md', 'LICENSE']));
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('node_modules/'))).toEqual([]);

    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // npm writes its warnings to stderr: look at both streams.
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel', 'warn', join(dir, packed[0].filename)], { cwd: app, encoding: 'utf8', timeout: 180000 });
    expect(install.status).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/allowScripts|install scripts/i);

    writeFileSync(join(app, 'main.ts'), PROGRAM);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true, target: 'ES2022', lib: ['ES2022'], module: 'nodenext', moduleResolution: 'nodenext',
          noEmit: false, outDir: 'out', skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['main.ts'],
      }),
    );
    // The repository's TypeScript compiles the user's project; the package's own .d.ts are checked too (skipLibCheck off).
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
    const result = JSON.parse(run(process.execPath, [join(app, 'out', 'main.js')], app)) as Record<string, unknown>;
    expect(result).toMatchObject({ logZ: 120, rss: true, anchorDim: 8, sameFit: true, typed: true });
    expect(result.rowSum as number).toBeCloseTo(1, 12);
    expect(result.loss as number).toBeCloseTo(Math.log(1 + Math.exp(-1) + Math.exp(-2)), 12);

    // CommonJS: require(esm) on Node ≥ 20.19, as the README says.
    writeFileSync(join(app, 'use.cjs'), "const lm = require('lmtransfer'); console.log(typeof lm.logSumExp, lm.logSumExp(Float64Array.of(0, 0)));\n");
    expect(run(process.execPath, [join(app, 'use.cjs')], app)).toBe(`function ${Math.LN2}\n`);

    const version = run(join(app, 'node_modules', '.bin', 'lmtransfer'), ['--version'], app);
    expect(version).toBe(`lmtransfer ${pkg.version}\n`);
  }, 240000);
});
