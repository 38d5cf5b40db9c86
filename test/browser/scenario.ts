/**
 * The calculation the browser test runs three times: in Node (the reference), on a browser page's
 * main thread, and inside a module Web Worker. It returns plain arrays of doubles (JSON keeps every
 * finite double exactly), grouped by the function that produced them, so the test can compare each
 * group bitwise and to rounding.
 */
import {
  createLearner, createRng, fitAnchor, generateWorld, getBackendInfo, logPartition, matrix, train, bulkExcludingTop,
} from '../../src/index.js';
import type { BackendInfo } from '../../src/index.js';
import { runRngScenario } from './rngScenario.js';

/** One scenario's numbers; every group is a flat list of doubles. */
export interface ScenarioResult {
  /** Fork seeds (strings) of `createRng(42).fork(...)` and nested forks. */
  forkSeeds: string[];
  /** What `getBackendInfo()` said after the calls. */
  groups: Record<string, number[]>;
  backend: BackendInfo;
  /** Milliseconds per group, for the report only. */
  ms: Record<string, number>;
}

/** `logPartition` at the size the issue asks for: m = 1024 contexts, n = 10,000 words (d = 64). */
export const LOG_PARTITION_SIZE = { m: 1024, n: 10_000, d: 64 };

/** Run the scenario (timed with `performance.now`, present in Node, pages and workers). */
export function runScenario(): ScenarioResult {
  const ms: Record<string, number> = {};
  const groups: Record<string, number[]> = {};
  const timed = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    ms[name] = performance.now() - t0;
    return r;
  };

  // createRng with fork: SHA-256 fork seeds and the xor4096 draws of the children.
  const rng = timed('rng', runRngScenario);
  groups.rng = rng.draws;

  // generateWorld: V*, a corpus of contexts and their true representations.
  const world = timed('generateWorld', () => generateWorld({ preset: 'default', seed: 1 }));
  const data = world.sampleContexts(256, createRng('train'));
  groups.world = [...world.V.data, ...data.H.data];

  // A few train steps (plain SGD, so that every update is a smooth function of the gradient and
  // a last-bit difference of a product cannot be amplified the way Adam's g/√v amplifies it near 0).
  const learner = createLearner({ world, seed: 2 });
  const result = timed('train', () => train(learner, data, { world, steps: 4, batchSize: 64, lr: 0.05, optimizer: 'sgd' }));
  groups.trainLosses = [...result.losses];
  groups.trainParams = [...learner.params];

  // fitAnchor on the world's embeddings and the sampled representations.
  const fit = timed('fitAnchor', () => fitAnchor(world.V, data.H, bulkExcludingTop(world.V, data.H, 10)));
  groups.fitAnchor = [...fit.anchor, fit.intercept, fit.mse, fit.selfNormalizationMse];

  // logPartition at 1024 × 10,000.
  const { m, n, d } = LOG_PARTITION_SIZE;
  const g = createRng('logPartition');
  const V = matrix(n, d, Float64Array.from({ length: n * d }, () => g.normal() / Math.sqrt(d)));
  const H = matrix(m, d, Float64Array.from({ length: m * d }, () => 3 * g.normal()));
  groups.logPartition = [...timed('logPartition', () => logPartition(V, H))];

  return { forkSeeds: rng.forkSeeds, groups, backend: getBackendInfo(), ms };
}
