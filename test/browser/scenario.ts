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
  /** The numbers, by group. */
  groups: Record<string, number[]>;
  /** What `getBackendInfo()` said after the calls. */
  backend: BackendInfo;
  /**
   * Whether this engine validates a relaxed-SIMD instruction, probed independently of the library
   * (after its calls, so that on Node 20 the V8 flag the library turns on is in effect).
   */
  relaxedSimdValidates: boolean;
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
  const world = timed('world', () => generateWorld({ preset: 'default', seed: 1 }));
  const data = world.sampleContexts(256, createRng('train'));
  groups.world = [...world.V.data, ...data.H.data];

  // A few train steps (plain SGD, so that every update is a smooth function of the gradient and
  // a last-bit difference of a product cannot be amplified the way Adam's g/√v amplifies it near 0).
  const learner = createLearner({ world, seed: 2 });
  const result = timed('trainLosses', () => train(learner, data, { world, steps: 4, batchSize: 64, lr: 0.05, optimizer: 'sgd' }));
  groups.trainLosses = [...result.losses];
  groups.trainParams = [...learner.params];
  // Adam too: its bias corrections 1 − βᵗ are the one place where train's result depends on a
  // power; they must not come from Math.pow, whose last bits differ between engines.
  const adamLearner = createLearner({ world, seed: 3 });
  const adam = timed('trainAdam', () => train(adamLearner, data, { world, steps: 4, batchSize: 64, lr: 1e-3, optimizer: 'adam' }));
  groups.trainAdam = [...adam.losses, ...adamLearner.params];

  // fitAnchor on the world's embeddings and the sampled representations.
  const fit = timed('fitAnchor', () => fitAnchor(world.V, data.H, bulkExcludingTop(world.V, data.H, 10)));
  groups.fitAnchor = [...fit.anchor, fit.intercept, fit.mse, fit.selfNormalizationMse];

  // logPartition at 1024 × 10,000.
  const { m, n, d } = LOG_PARTITION_SIZE;
  const g = createRng('logPartition');
  const V = matrix(n, d, Float64Array.from({ length: n * d }, () => g.normal() / Math.sqrt(d)));
  const H = matrix(m, d, Float64Array.from({ length: m * d }, () => 3 * g.normal()));
  groups.logPartition = [...timed('logPartition', () => logPartition(V, H))];

  return { forkSeeds: rng.forkSeeds, groups, backend: getBackendInfo(), relaxedSimdValidates: validatesRelaxedSimd(), ms };
}

/** `v128.const` with every byte `b`. */
const v128Const = (b: number): number[] => [0xfd, 0x0c, ...new Array<number>(16).fill(b)];

/**
 * Whether `WebAssembly.validate` accepts a module whose one function returns
 * `f32x4.relaxed_madd(c1, c2, c3)` (opcode 0xfd 0x105): the engine's own answer to "relaxed SIMD
 * supported?", written here byte by byte so that it does not share code with the library's probe.
 */
export function validatesRelaxedSimd(): boolean {
  const body = [0x00, ...v128Const(1), ...v128Const(2), ...v128Const(3), 0xfd, 0x85, 0x02, 0x0b];
  const bytes = Uint8Array.of(
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code section
  );
  // The project type-checks without the DOM library; WebAssembly is a global of Node, pages and workers.
  const wa = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
  return wa.validate(bytes);
}
