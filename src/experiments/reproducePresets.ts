import { checkOneOf } from '../core/check.js';
import { checkSeed } from '../model/checkSeed.js';
import type { AnchorSweepOptions } from './runAnchorSweep.js';
import type { RareWordSweepOptions } from './runRareWordSweep.js';
import type { TransferCurveOptions } from './runTransferCurve.js';

/**
 * The world of E1 and E2: the `default` preset (n = 2000, d = 64) with 96 observed features instead of
 * 32. With more features than dimensions, `h*(s)` is a projection of `x(s)` and a linear learner must
 * find it: at initialisation `ĥ` misses part of what the tasks need, so the fitted probes have
 * something to learn, and the rare-signal features (which move almost no probability) stay unlearned.
 * With 32 features a random linear `ĥ = W x` is already invertible and every linear task is
 * decodable from it before any training (measured: ridge-probe errors of order 1e-12 at step 0).
 */
const WORLD = { preset: 'default', featureDim: 96 } as const;

/** The sizes `lmtransfer reproduce` runs the three experiments at. */
export interface ReproducePreset {
  readonly anchorSweep: AnchorSweepOptions;
  readonly transferCurve: TransferCurveOptions;
  readonly rareWordSweep: RareWordSweepOptions;
}

/**
 * The options of `lmtransfer reproduce` for `'quick'` (under a minute on two cores) or `'full'`
 * (a few minutes) sizes, all with `seed`. Both use the world described at `WORLD` (n = 2000, d = 64, 96 features); quick
 * runs fewer steps on fewer contexts and sweeps fewer `k` and `L`. E3 is exact on
 * `rareWordConstruction`'s Gauss–Legendre grid at either size (24 nodes per coordinate for quick, its
 * default; 40 for full, which gives the ridge probe 1600 contexts); it takes well under a second.
 *
 * @example
 * ```ts
 * const p = reproducePreset('quick', '7');
 * runRareWordSweep(p.rareWordSweep);
 * ```
 * @throws DomainError when `size` is neither `'quick'` nor `'full'`, or `seed` is not a string or a finite number
 */
export function reproducePreset(size: 'quick' | 'full', seed: string | number): ReproducePreset {
  checkOneOf('reproducePreset', 'size', size, ['quick', 'full'] as const);
  checkSeed('reproducePreset', 'seed', seed);
  if (size === 'quick') {
    return {
      anchorSweep: { seed, world: WORLD, trainContexts: 1024, evalContexts: 512, trainSteps: 120, ks: [0, 10, 50, 200] },
      transferCurve: { seed, world: WORLD, trainContexts: 1024, evalContexts: 512, trainSteps: 150, checkpoints: 10 },
      rareWordSweep: { seed, L: [0, 2, 4, 6, 8, 10, 12, 14, 16], nodes: 24 },
    };
  }
  return {
    anchorSweep: { seed, world: WORLD, trainContexts: 4096, evalContexts: 2048, trainSteps: 600, ks: [0, 5, 10, 20, 50, 100, 200, 500] },
    transferCurve: { seed, world: WORLD, trainContexts: 4096, evalContexts: 2048, trainSteps: 800, checkpoints: 16 },
    rareWordSweep: { seed, L: Array.from({ length: 21 }, (_, i) => i), nodes: 40 },
  };
}
