/**
 * The public API contract: every name listed below must be exported from the
 * package root of the built package, resolved through package.json's `exports` map exactly as a
 * user's `import ... from 'lmtransfer'` would. `npm test` builds `dist/` first (its `pretest` script).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
  'linearTask', 'wordTask', 'contrastTask', 'fitRidgeProbe', 'fitLogisticProbe', 'transferProbe',
  // Anchor vector
  'bulkExcludingTop', 'fitAnchor', 'AnchorAccumulator',
  // Theory
  'pinskerBound', 'logStabilityBound', 'binaryKlLogRatioBound', 'transferBound', 'transferErrorDecomposition',
  'rareWordConstruction', 'invisibleDirectionConstruction',
  // Files, experiments
  'readNpy', 'writeNpy', 'readSafetensors', 'runAnchorSweep', 'runTransferCurve', 'runRareWordSweep', 'renderFigure',
];

describe('package exports', () => {
  it('dist/ has been built (npm test runs npm run build first)', () => {
    expect(existsSync(join(root, 'dist', 'index.js'))).toBe(true);
  });

  it('exports every name of the API contract from the package root', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('lmtransfer'); console.log(JSON.stringify(Object.keys(m)));"],
      { cwd: root, encoding: 'utf8' },
    );
    const exported = new Set(JSON.parse(out) as string[]);
    const missing = API_NAMES.filter((n) => !exported.has(n));
    expect(missing).toEqual([]);
  });
});
