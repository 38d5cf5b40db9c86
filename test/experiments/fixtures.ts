// Shared tiny-size settings for the experiment tests: a world small enough that a full run of an
// experiment takes well under a second, with enough frequent words for E2's tasks.
import type { AnchorSweepOptions } from '../../src/experiments/runAnchorSweep.js';
import type { ReproducePreset } from '../../src/experiments/reproducePresets.js';
import type { TransferCurveOptions } from '../../src/experiments/runTransferCurve.js';

export const TINY_WORLD = { preset: 'tiny', numFrequent: 6, featureDim: 12 } as const;

export const TINY_PRETRAINING = { world: TINY_WORLD, trainContexts: 256, evalContexts: 128, trainSteps: 100, batchSize: 32, lr: 0.1 } as const;

export const TINY_E1: AnchorSweepOptions = { ...TINY_PRETRAINING, seed: 1, ks: [0, 4, 16] };
export const TINY_E2: TransferCurveOptions = { ...TINY_PRETRAINING, seed: 1, checkpoints: 6 };

export function tinyPreset(seed: string): ReproducePreset {
  return {
    anchorSweep: { ...TINY_E1, seed },
    transferCurve: { ...TINY_E2, seed },
    rareWordSweep: { seed, L: [0, 4, 8, 12], nodes: 8 },
  };
}

/** A result without its wall-clock time, for comparing two runs. */
export function withoutTime<T extends { seconds: number }>(r: T): Omit<T, 'seconds'> {
  const { seconds: _s, ...rest } = r;
  return rest;
}
