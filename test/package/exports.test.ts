/**
 * The public API contract: every name it lists must be exported from its entry of the
 * built package (the root `lmtransfer`, or a subpath `lmtransfer/io`, `/experiments`, `/figures`,
 * `/cli`), resolved through package.json's `exports` map exactly as a user's import would. `npm test`
 * builds `dist/` first (its `pretest` script).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..', '..');

const API_NAMES = [
  // Core numerics
  'matrix', 'fromRows', 'toRows', 'logSumExp', 'logSoftmaxRows', 'softmaxRows', 'logPartition', 'crossEntropy',
  'klDivergenceRows', 'totalVariationRows', 'matmul', 'matmulTransposeB', 'matmulTransposeA', 'solveLeastSquares',
  // Randomness and sampling
  'createRng', 'sampleCategorical', 'sampleNextWords',
  // Errors
  'LmTransferError', 'ShapeError', 'DomainError', 'NumericalError', 'FormatError',
  // Models and pre-training
  'LogLinearModel', 'generateWorld', 'createLearner', 'train', 'excessLoss',
  // Downstream tasks and probes
  'linearTask', 'wordTask', 'contrastTask', 'fitRidgeProbe', 'fitLogisticProbe', 'fitSoftmaxProbe', 'transferProbe',
  // Anchor vector
  'bulkExcludingTop', 'fitAnchor', 'AnchorAccumulator',
  // Theory
  'pinskerBound', 'logStabilityBound', 'binaryKlLogRatioBound', 'transferBound', 'transferErrorDecomposition',
  'rareWordConstruction', 'invisibleDirectionConstruction',
  // Files (in memory: bytes in, bytes out)
  'readNpy', 'writeNpy', 'readSafetensors', 'toInt32Indices',
  // Interop
  'fromMlMatrix', 'toMlMatrix', 'fromTensor', 'toTensor',
];

/** The names each subpath entry must export (the root's are `API_NAMES`). */
const SUBPATH_NAMES: Record<string, string[]> = {
  'lmtransfer/io': ['readNpy', 'writeNpy', 'readSafetensors', 'writeSafetensors'],
  'lmtransfer/experiments': ['runAnchorSweep', 'runTransferCurve', 'runRareWordSweep', 'renderReport', 'assessResults', 'reproducePreset', 'renderFigure'],
  'lmtransfer/figures': ['renderFigure', 'figureSpecFor'],
  'lmtransfer/cli': ['main', 'TOP_HELP', 'UsageError'],
};

/** The export names of `specifier`, imported by a fresh Node process from the package directory. */
function exportedNames(specifier: string): Set<string> {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Set(JSON.parse(out) as string[]);
}

/** The package files an application's bundle of `import * from specifier` pulls in (paths under dist/). */
async function bundledFiles(specifier: string): Promise<string[]> {
  const r = await build({
    stdin: { contents: `export * from ${JSON.stringify(specifier)};`, resolveDir: root },
    bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent',
  });
  return Object.keys(r.metafile.inputs).filter((f) => f.startsWith('dist/'));
}

describe('package exports', () => {
  it('dist/ has been built (npm test runs npm run build first)', () => {
    expect(existsSync(join(root, 'dist', 'index.js'))).toBe(true);
  });

  it('exports every name of the API contract from the package root', () => {
    const exported = exportedNames('lmtransfer');
    const missing = API_NAMES.filter((n) => !exported.has(n));
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(SUBPATH_NAMES))('exports its names from %s', (specifier, names) => {
    const exported = exportedNames(specifier);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('keeps the experiments, the figures and the command line out of the root entry', async () => {
    const rootNames = exportedNames('lmtransfer');
    const leaked = [...SUBPATH_NAMES['lmtransfer/experiments'], ...SUBPATH_NAMES['lmtransfer/figures'], ...SUBPATH_NAMES['lmtransfer/cli']]
      .filter((n) => rootNames.has(n));
    expect(leaked).toEqual([]);
    // Not only the names: an application bundling the core loads none of their modules.
    const files = await bundledFiles('lmtransfer');
    expect(files).toContain('dist/index.js');
    expect(files.filter((f) => /^dist\/(experiments|figures|cli)\//.test(f))).toEqual([]);
    // …and the subpaths are real entries that do (the check above could not pass vacuously).
    expect((await bundledFiles('lmtransfer/experiments')).some((f) => f.startsWith('dist/figures/'))).toBe(true);
  });

  it('does not export internal paths', () => {
    expect(() => exportedNames('lmtransfer/dist/index.js')).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
    expect(() => exportedNames('lmtransfer/train')).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
