/**
 * What the TSDoc examples take as given ("your model's V and H", a fitted accumulator, …), and the
 * checker of their `// →` comments. Used by test/docs/examples.test.ts only. Everything is small and
 * seeded, so that every example runs in milliseconds and the same way every time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { AnchorAccumulator } from '../../src/anchor/AnchorAccumulator.js';
import { bulkExcluding } from '../../src/anchor/bulkExcluding.js';
import { writeNpy } from '../../src/io/writeNpy.js';
import { writeSafetensors } from '../../src/io/writeSafetensors.js';
import { matrix, type Matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';
import { fitAnchor } from '../../src/anchor/fitAnchor.js';
import type { Task } from '../../src/backend/protocol.js';
import { runRareWordSweep } from '../../src/experiments/runRareWordSweep.js';
import { generateWorld } from '../../src/model/generateWorld.js';
import { createLearner } from '../../src/train/createLearner.js';

const rng = createRng('examples');
const nWords = 200;
const d = 8;
const randomMatrix = (rows: number, cols: number, scale = 1): Matrix => matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal() * scale));

/** Output embeddings of a model: `n = 200` words in `d = 8` dimensions, around a common mean (so anchors fit well). */
export const V: Matrix = (() => {
  const mean = Float64Array.from({ length: d }, () => rng.normal() / 3);
  return matrix(nWords, d, Float64Array.from({ length: nWords * d }, (_, i) => mean[i % d] + rng.normal() / Math.sqrt(d)));
})();
/** Representations of 150 contexts. */
export const H: Matrix = randomMatrix(150, d);
/** All contexts, and two halves of them, for the streaming examples. */
export const Hall: Matrix = H;
export const H1: Matrix = matrix(75, d, H.data.slice(0, 75 * d));
export const H2: Matrix = matrix(75, d, H.data.slice(75 * d));
/** A design matrix and a target for regression examples. */
export const X: Matrix = randomMatrix(40, 3);
export const y: Float64Array = Float64Array.from({ length: 40 }, (_, i) => X.data[3 * i] - 2 * X.data[3 * i + 1] + 0.1 * rng.normal());
/** A batch excess loss, as a training loop would report it. */
export const eps = 1.52e-3;

/** Write the files that examples read from the current directory. */
export function prepareScratch(): void {
  writeFileSync('V.npy', writeNpy(V));
  writeFileSync('H.npy', writeNpy(H));
  writeFileSync('model.safetensors', writeSafetensors({ 'wte.weight': { data: matrix(nWords, d, Float32Array.from(V.data)) } }));
  mkdirSync('results', { recursive: true });
}

function same(actual: unknown, expected: unknown, path: string): string | null {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return `${path}: expected the number ${expected}; got ${String(actual)}`;
    if (Number.isNaN(expected) ? Number.isNaN(actual) : actual === expected || Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected))) return null;
    return `${path}: expected ${expected}; got ${actual}`;
  }
  if (Array.isArray(expected)) {
    const a = ArrayBuffer.isView(actual) ? Array.from(actual as unknown as ArrayLike<number>) : actual;
    if (!Array.isArray(a) || a.length !== expected.length) return `${path}: expected ${JSON.stringify(expected)}; got ${String(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const r = same(a[i], expected[i], `${path}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path}: expected an object; got ${String(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const r = same((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
      if (r) return r;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${path}: expected ${JSON.stringify(expected)}; got ${JSON.stringify(actual)}`;
}

/** The `// →` check: throws when `actual` is not `expected()` (see the test's header for the comparison). */
export function check(actual: unknown, expected: () => unknown, text: string): void {
  const problem = same(actual, expected(), 'value');
  if (problem) throw new Error(`example says '→ ${text}': ${problem}`);
}

/** The `// throws` check: `run` must throw, and an error of the class named `name` when one is named. */
export function throws(run: () => unknown, name: string | null): void {
  try {
    run();
  } catch (e) {
    const names: string[] = [];
    for (let p = Object.getPrototypeOf(e) as { constructor?: { name: string } } | null; p; p = Object.getPrototypeOf(p) as typeof p) if (p.constructor) names.push(p.constructor.name);
    if (name === null || names.includes(name)) return;
    throw new Error(`example says 'throws ${name}'; got ${names[0]}: ${(e as Error).message}`, { cause: e });
  }
  throw new Error(`example says it throws${name ? ` ${name}` : ''}; it returned`);
}

// The synthetic world, a learner of it, and the inputs of the theory functions, for the examples
// of tasks, probes, learners and theorems ("world", "learner", "Hstar", "Hhat", …).
export const world = generateWorld({ preset: 'tiny', seed: 1 });
const contexts = world.sampleContexts(40, createRng(3));
export const Hstar: Matrix = contexts.H;
export const Hfit: Matrix = Hstar;
export const learner = createLearner({ world, hidden: 16, seed: 1 });
export const other = createLearner({ world, hidden: 16, seed: 2 });
export const Hhat: Matrix = learner.represent(contexts.X);
export const Vs: Matrix = world.V;
export const Hs: Matrix = Hstar;
export const Vh: Matrix = learner.V();
export const Hh: Matrix = Hhat;
export const anchorStar = fitAnchor(Vs, Hs, Int32Array.of(2, 3));
export const anchorHat = fitAnchor(Vh, Hh, Int32Array.of(2, 3));
export const instance = { truth: { V: Vs, H: Hs }, learned: { V: Vh, H: Hh }, words: Int32Array.of(0), coefficients: Float64Array.of(1), bulk: Int32Array.of(2, 3), anchorStar, anchorHat };
/** The results of `lmtransfer reproduce` at tiny sizes (the rare-word sweep only). */
export const results = { formatVersion: 1, seed: '1', quick: true, seconds: 0, rareWordSweep: runRareWordSweep({ seed: 1, L: [0, 4], nodes: 8 }) } as const;
/** Arguments of the argument-check helpers: a well-formed matrix, a vocabulary size, a ridge, options. */
export const a: Matrix = matrix(2, 3);
export const n = 5;
export const ridge = 0.1;
export const opts = {};
/** Tasks for the thread-pool examples: empty products (no rows), which touch no memory. */
const emptyProduct: Task = { op: 'jsGemm', f32: 0, tA: 0, tB: 0, M: 0, N: 0, K: 0, alpha: 1, pA: 0, lda: 1, pB: 0, ldb: 1, beta: 0, pC: 0, ldc: 1 };
export const stripA: Task = { ...emptyProduct };
export const stripB: Task = { ...emptyProduct };
export const tasks: Task[] = [stripA, stripB];

/** A bulk without words 0–9 (the examples' task words), valid for the world's 64 words and for `V`; an accumulator over all contexts of `V`, `H` with it. */
export const bulk: Int32Array = bulkExcluding(Int32Array.from({ length: 10 }, (_, i) => i), world.V.rows);
export const acc: AnchorAccumulator = new AnchorAccumulator(d).add(V, H, bulk);
