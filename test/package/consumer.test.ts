/**
 * The package as a user gets it: `npm pack` (of the dist/ that `npm test` builds first), installed
 * into a fresh ES-module TypeScript project with its dependencies from the npm registry; then a
 * program that uses the public API is type-checked under `strict` and run, a CommonJS file loads the
 * package through require(esm), and the `lmtransfer` binary answers. The program uses the new
 * vocabulary and each input type the API accepts (labels as Int32Array, Uint8Array, number[],
 * boolean[], Float64Array, BigInt64Array; multiclass labels; int64 indices via toInt32Indices;
 * crossEntropy's ignoreIndex; integer and typed-row matrices; ml-matrix and tfjs-shaped interop). The install must run no
 * script of ours and print no allowScripts warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };

/**
 * The user's program: the public API in its current vocabulary (`ridge`, `weights`, `coefficients`,
 * `predict` → labels / `predictProba` → probabilities) and every input type the API accepts,
 * type-checked under strict (no `!`, no cast) and run. Small sizes: it runs in well under a second.
 */
const PROGRAM = `import {
  createRng, matrix, fromRows, logPartition, logSoftmaxRows, crossEntropy, solveLeastSquares,
  bulkExcludingTop, fitAnchor, AnchorAccumulator, binaryKl, pinskerBound, DomainError, LmTransferError,
  fitRidgeProbe, fitLogisticProbe, fitSoftmaxProbe, toInt32Indices, readNpy, writeNpy,
  fromMlMatrix, toMlMatrix, fromTensor, toTensor, generateWorld, createLearner, train,
  type Matrix, type AnchorFit, type ClassLabels, type TensorLike, type TrainResultWithExcessLoss,
} from 'lmtransfer';
import { Matrix as MlMatrix } from 'ml-matrix';

const rng = createRng(7);
const n = 300, d = 8, m = 120;
const V: Matrix = matrix(n, d, Float64Array.from({ length: n * d }, () => rng.normal() / Math.sqrt(d)));
const H: Matrix = matrix(m, d, Float64Array.from({ length: m * d }, () => rng.normal()));
const logZ: Float64Array = logPartition(V, H);
const fit = solveLeastSquares(H, logZ, { intercept: true, ridge: 0 });
const bulk: Int32Array = bulkExcludingTop(V, H, 10);
const anchor: AnchorFit = fitAnchor(V, H, bulk, { ridge: 0 });
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

// Labels, as users have them: a separable-enough 0/1 rule on the first coordinate, in every type.
const bits: number[] = Array.from({ length: m }, (_, i) => (H.data[i * d] + 0.3 * H.data[i * d + 1] > 0 ? 1 : 0));
const labelTypes: ClassLabels[] = [
  Int32Array.from(bits), Uint8Array.from(bits), bits, bits.map((b) => b === 1), Float64Array.from(bits),
  BigInt64Array.from(bits.map((b) => BigInt(b))),
];
const probes = labelTypes.map((labels) => fitLogisticProbe(H, labels, { ridge: 1e-3 }));
const predicted: Int32Array = probes[0].predict(H);
const proba: Float64Array = probes[0].predictProba(H);
const sameAcrossTypes = probes.every((p) => p.coefficients.every((c, j) => c === probes[0].coefficients[j]));
const logisticAccuracy = probes[0].accuracy(H, bits);
// Multiclass: three classes from the sign pattern of two coordinates (softmax regression).
const classes = Int32Array.from({ length: m }, (_, i) => (H.data[i * d] > 0.5 ? 2 : H.data[i * d] > -0.5 ? 1 : 0));
const soft = fitSoftmaxProbe(H, classes, { ridge: 1e-3 });
const softLabels: Int32Array = soft.predict(H);
const softProba: Matrix = soft.predictProba(H);
const ridgeProbe = fitRidgeProbe(H, Float64Array.from(bits), { ridge: 1e-2, weights: new Float64Array(m).fill(1) });
// A NumPy int64 index file (np.save of an int64 array) arrives as a BigInt64Array.
const int64 = readNpy(writeNpy(BigInt64Array.of(3n, 1n, 2n)));
const indices: Int32Array = toInt32Indices(int64.data as BigInt64Array);
// Padding rows (-100, PyTorch's default ignore_index) contribute nothing.
const padded = crossEntropy(matrix(3, 3, [1, 2, 3, 1, 2, 3, 9, 9, 9]), Int32Array.of(2, -100, -100), { reduction: 'mean', ignoreIndex: -100 });
// Integer data and typed rows.
const fromInts: Matrix = matrix(2, 2, Int32Array.of(1, 2, 3, 4));
const fromTyped: Matrix = fromRows([Float64Array.of(1, 2), Float64Array.of(3, 4)]);
// ml-matrix and TensorFlow.js-shaped interop (a tensor is anything with shape, dtype and dataSync).
const ml: MlMatrix = toMlMatrix(fromTyped);
const back: Matrix = fromMlMatrix(new MlMatrix([[1, 2], [3, 4]]));
const tensor: TensorLike = { shape: [2, 2], dtype: 'float32', dataSync: () => Float32Array.of(1, 2, 3, 4) };
const fromTf: Matrix = fromTensor(tensor);
const factory = { tensor2d: (values: Float32Array, shape: [number, number], dtype: 'float32') => ({ values, shape, dtype }) };
const toTf = toTensor(fromInts, factory);
// Training against a world: the result is typed with its excess losses (no '!').
const world = generateWorld({ preset: 'tiny', seed: 1 });
const data = world.sampleContexts(256, createRng('train'));
const learner = createLearner({ world, hidden: 16, seed: 2 });
const trained: TrainResultWithExcessLoss = train(learner, data, { world, steps: 20, batchSize: 32, lr: 0.01 });
const drop: number = trained.initialExcessLoss - trained.excessLoss;

console.log(JSON.stringify({
  logZ: logZ.length, rss: Number.isFinite(fit.residualSumOfSquares), anchorDim: anchor.anchor.length,
  sameFit: Math.abs(merged.intercept - anchor.intercept) < 1e-9, rowSum: Math.exp(rows.data[2]) + Math.exp(rows.data[3]),
  loss, pinsker: pinskerBound(0.02), typed,
  labelTypes: probes.length, sameAcrossTypes, logisticAccuracy,
  predicted: [...new Set(predicted)].sort(), probaInUnit: proba.every((p) => p >= 0 && p <= 1),
  agree: predicted.every((l, i) => l === (proba[i] >= 0.5 ? 1 : 0)),
  softClasses: soft.classes, softAccuracy: soft.accuracy(H, classes), softRows: softProba.rows, softCols: softProba.cols,
  softAgree: softLabels.every((l, i) => softProba.data[i * 3 + l] === Math.max(softProba.data[i * 3], softProba.data[i * 3 + 1], softProba.data[i * 3 + 2])),
  ridgeCoefficients: ridgeProbe.coefficients.length, indices: Array.from(indices), padded: padded.loss,
  ints: Array.from(fromInts.data), typedRows: Array.from(fromTyped.data), ml: ml.to2DArray(), back: Array.from(back.data),
  fromTf: [fromTf.data instanceof Float32Array, Array.from(fromTf.data)], toTf: [toTf.shape, toTf.dtype, Array.from(toTf.values)],
  drop, finite: Number.isFinite(trained.excessLoss),
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
    // Every label type gives the same fit (bitwise), predict gives labels, predictProba probabilities.
    expect(result).toMatchObject({ labelTypes: 6, sameAcrossTypes: true, predicted: [0, 1], probaInUnit: true, agree: true });
    expect(result.logisticAccuracy as number).toBeGreaterThan(0.9);
    expect(result).toMatchObject({ softClasses: 3, softRows: 120, softCols: 3, softAgree: true, ridgeCoefficients: 8 });
    expect(result.softAccuracy as number).toBeGreaterThan(0.9);
    expect(result).toMatchObject({ indices: [3, 1, 2], ints: [1, 2, 3, 4], typedRows: [1, 2, 3, 4], ml: [[1, 2], [3, 4]], back: [1, 2, 3, 4] });
    // Only the first row counts: log(e + e² + e³) − 3.
    expect(result.padded as number).toBeCloseTo(Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 3, 12);
    expect(result).toMatchObject({ fromTf: [true, [1, 2, 3, 4]], toTf: [[2, 2], 'float32', [1, 2, 3, 4]], finite: true });
    expect(result.drop as number).toBeGreaterThan(0);

    // CommonJS: require(esm) on Node ≥ 20.19, as the README says.
    writeFileSync(join(app, 'use.cjs'), "const lm = require('lmtransfer'); console.log(typeof lm.logSumExp, lm.logSumExp(Float64Array.of(0, 0)));\n");
    expect(run(process.execPath, [join(app, 'use.cjs')], app)).toBe(`function ${Math.LN2}\n`);

    const version = run(join(app, 'node_modules', '.bin', 'lmtransfer'), ['--version'], app);
    expect(version).toBe(`lmtransfer ${pkg.version}\n`);
  }, 240000);
});
