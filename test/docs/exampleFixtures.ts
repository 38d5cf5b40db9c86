/**
 * What the TSDoc examples take as given ("your model's V and H", a fitted accumulator, …), and the
 * checker of their `// →` comments. Used by test/docs/examples.test.ts only. Everything is small and
 * seeded, so that every example runs in milliseconds and the same way every time.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { anchorCommand } from '../../src/cli/anchorCommand.js';
import { floatToHalf } from '../../src/io/halfFloat.js';
import { logPartition } from '../../src/softmax/logPartition.js';
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

/**
 * Write the files that examples read from the current directory, as a user would have them: `V.npy`,
 * `H.npy` (float64) and `H16.npy` (float16, as NumPy's `astype(np.float16)` writes it), a single
 * `model.safetensors`, a sharded checkpoint `checkpoint/` (an index and two shards, `lm_head.weight`
 * stored as bfloat16), and shard files written by the CLI itself: `s1.json` … `s4.json`
 * (`--shard i/4` of V.npy, H.npy), `r2.json` (shard 2/4 with `--ridge 0.5`), `a.json` (= s1) and
 * `b.json` (shard 2/4 of `--log-partition z.npy`).
 */
export async function prepareScratch(): Promise<void> {
  writeFileSync('V.npy', writeNpy(V));
  writeFileSync('H.npy', writeNpy(H));
  // float16 .npy: writeNpy has no float16 input type, so write the half-precision bits as <i2 and
  // relabel the header (the descr strings have the same length, so the header layout is unchanged).
  const half = writeNpy(Int16Array.from(H.data, (x) => floatToHalf(x)), [H.rows, H.cols]);
  const at = new TextDecoder().decode(half.subarray(10, 128)).indexOf("'<i2'") + 10;
  if (at < 10) throw new Error("prepareScratch: writeNpy's header has no '<i2'");
  half[at + 2] = 'f'.charCodeAt(0);
  writeFileSync('H16.npy', half);
  writeFileSync('model.safetensors', writeSafetensors({ 'wte.weight': { data: matrix(nWords, d, Float32Array.from(V.data)) } }));
  mkdirSync('checkpoint', { recursive: true });
  const shards = {
    'model-00001-of-00002.safetensors': { 'model.embed_tokens.weight': { data: matrix(nWords, d, Float32Array.from(V.data)) } },
    'model-00002-of-00002.safetensors': { 'lm_head.weight': { data: V, dtype: 'BF16' as const } },
  };
  const weightMap: Record<string, string> = {};
  for (const [file, tensors] of Object.entries(shards)) {
    writeFileSync(`checkpoint/${file}`, writeSafetensors(tensors));
    for (const name of Object.keys(tensors)) weightMap[name] = file;
  }
  writeFileSync('checkpoint/model.safetensors.index.json', JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  writeFileSync('z.npy', writeNpy(logPartition(V, H)));
  const quiet = { stdout: () => undefined, stderr: () => undefined, isTTY: false };
  const files = ['--embeddings', 'V.npy', '--hidden', 'H.npy'];
  for (let i = 1; i <= 4; i++) await anchorCommand([...files, '--shard', `${i}/4`, '--out', `s${i}.json`], quiet);
  await anchorCommand([...files, '--ridge', '0.5', '--shard', '2/4', '--out', 'r2.json'], quiet);
  copyFileSync('s1.json', 'a.json');
  await anchorCommand(['--log-partition', 'z.npy', '--hidden', 'H.npy', '--shard', '2/4', '--out', 'b.json'], quiet);
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
