/**
 * CHANGELOG.md's migration table names every option that was renamed with its old and its new name
 * (a user upgrading greps it for the name in their code), and the old names are really gone from the
 * option types (so that the table does not describe a rename that did not happen).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');

/** Every renamed option or member since the vocabulary change: [where, old name, new name]. */
const RENAMES: [string, string, string][] = [
  ['fitRidgeProbe', 'lambda', 'ridge'],
  ['fitRidgeProbe', 'sampleWeights', 'weights'],
  ['fitLogisticProbe', 'lambda', 'ridge'],
  ['fitLogisticProbe', 'sampleWeights', 'weights'],
  ['wordTask', 'contextWeights', 'weights'],
  ['wordTask(world, words, weights, bulk, opts)', 'weights', 'coefficients'],
  ['contrastTask(world, words, weights, opts)', 'weights', 'coefficients'],
  ['`RidgeProbe`, `LogisticProbe`', '.lambda', '.ridge'],
  ['`RidgeProbe`, `LogisticProbe`', '.weights', '.coefficients'],
  ['`WordTask`', '.weights', '.coefficients'],
  ['runTransferCurve', 'ridgeLambda', 'ridge'],
];

/** The option interfaces of the public API, as `name → property names`. */
function optionTypes(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/export interface (\w+Options)\b[^{]*\{([\s\S]*?)\n\}/g)) {
          out.set(m[1], new Set([...m[2].matchAll(/^ {2}(?:readonly )?(\w+)\??:/gm)].map((x) => x[1])));
        }
      }
    }
  };
  walk(join(ROOT, 'src'));
  return out;
}

describe('CHANGELOG.md migration table', () => {
  const rows = changelog.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| where') && !l.startsWith('| ---'));

  it('has a row naming each renamed option with its old and new name', () => {
    const missing = RENAMES.filter(([where, from, to]) => !rows.some((r) => r.includes(where) && r.includes(from) && r.includes(to)));
    expect(missing).toEqual([]);
  });

  it('lists the other breaking changes of the vocabulary entry', () => {
    for (const needle of ['lmtransfer/experiments', 'Learner<P', 'setParams', '1e-6 + n·u', 'TrainResultWithExcessLoss', 'predictProba', 'lmtransfer anchor']) {
      expect({ needle, found: rows.some((r) => r.includes(needle)) }).toEqual({ needle, found: true });
    }
  });

  it('the old option names are gone from the option types they were renamed in', () => {
    const types = optionTypes();
    const gone: [string, string][] = [
      ['RidgeProbeOptions', 'lambda'], ['RidgeProbeOptions', 'sampleWeights'],
      ['LogisticProbeOptions', 'lambda'], ['LogisticProbeOptions', 'sampleWeights'],
      ['WordTaskOptions', 'contextWeights'], ['TransferCurveOptions', 'ridgeLambda'],
    ];
    for (const [type, old] of gone) {
      expect({ type, known: types.has(type) }).toEqual({ type, known: true });
      expect({ type, old, present: types.get(type)!.has(old) }).toEqual({ type, old, present: false });
    }
    expect(types.get('TransferCurveOptions')!.has('ridge')).toBe(true);
  });
});
