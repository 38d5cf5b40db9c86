import { generateWorld } from '../../src/model/generateWorld.js';
import { createRng } from '../../src/random/createRng.js';
import { matrix } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { klDivergenceRows } from '../../src/loss/klDivergenceRows.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { expectThrow } from './expectThrow.js';
import { chiSquare, chiSquareCritical999 } from './chiSquare.js';
import { sameBits } from './bits.js';

function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[ao + j] * b[bo + j];
  return s;
}

/** Mean over contexts of p*(w|s), per word. */
function meanProbs(logP: Matrix): Float64Array {
  const out = new Float64Array(logP.cols);
  for (let i = 0; i < logP.rows; i++) for (let w = 0; w < logP.cols; w++) out[w] += Math.exp(logP.data[i * logP.cols + w]) / logP.rows;
  return out;
}

describe('generateWorld', () => {
  const world = generateWorld({ preset: 'default', seed: 1 });

  it('has the preset sizes, and the tiny preset generates in well under a second', () => {
    expect([world.n, world.d, world.featureDim, world.preset]).toEqual([2000, 64, 32, 'default']);
    expect(world.V.rows).toBe(2000);
    expect(world.V.cols).toBe(64);
    expect(world.V.data).toBeInstanceOf(Float64Array);
    expect([world.Wstar.rows, world.Wstar.cols]).toEqual([64, 32]);
    const t0 = performance.now();
    const tiny = generateWorld({ preset: 'tiny', seed: 3 });
    const ms = performance.now() - t0;
    expect([tiny.n, tiny.d, tiny.featureDim]).toEqual([64, 8, 6]);
    // Generation takes about 1 ms; 1 s leaves room for a loaded shared machine.
    expect(ms).toBeLessThan(1000);
    expect(generateWorld({ preset: 'tiny', n: 100 }).preset).toBe('custom');
    const w32 = generateWorld({ preset: 'tiny', dtype: 'float32' });
    expect(w32.V.data).toBeInstanceOf(Float32Array);
    // float32 storage is the float64 world rounded once, entry by entry.
    expect(sameBits(w32.V.data, Float32Array.from(generateWorld({ preset: 'tiny' }).V.data))).toBe(true);
  });

  it('is a deterministic function of its seed', () => {
    const again = generateWorld({ preset: 'default', seed: 1 });
    expect(sameBits(again.V.data, world.V.data)).toBe(true);
    expect(sameBits(again.Wstar.data, world.Wstar.data)).toBe(true);
    expect(again.frequentWords).toEqual(world.frequentWords);
    const other = generateWorld({ preset: 'default', seed: 2 });
    expect(sameBits(other.V.data, world.V.data)).toBe(false);
    const a = world.sampleCorpus(10, 3, createRng(4));
    const b = again.sampleCorpus(10, 3, createRng(4));
    expect(a.X.data).toEqual(b.X.data);
    expect(a.words).toEqual(b.words);
  });

  it('partitions the vocabulary into frequent, rare and bulk words', () => {
    const seen = new Uint8Array(world.n);
    for (const set of [world.frequentWords, world.rareWords, world.bulkWords]) for (const w of set) seen[w]++;
    expect(seen.every((c) => c === 1)).toBe(true);
    expect(world.frequentWords.length).toBe(10);
    expect(world.rareWords.length).toBe(5);
  });

  it('looks like language: a few frequent words hold much of the mass, rare words almost none', () => {
    const { H } = world.sampleContexts(400, createRng('mass'));
    const p = meanProbs(world.trueLogProbs(H));
    let freqMass = 0;
    let minFreq = Infinity;
    for (const w of world.frequentWords) {
      freqMass += p[w];
      minFreq = Math.min(minFreq, p[w]);
    }
    let maxBulk = 0;
    const bulk = Array.from(world.bulkWords, (w) => p[w]).sort((x, y) => x - y);
    for (const v of bulk) maxBulk = Math.max(maxBulk, v);
    // Configured frequentMass is 0.4; the construction is approximate (a log-normal partition), so ±0.15.
    expect(freqMass).toBeGreaterThan(0.25);
    expect(freqMass).toBeLessThan(0.55);
    // Zipf ladder: the most frequent word is the first listed and every frequent word beats the tail.
    expect(p[world.frequentWords[0]]).toBeGreaterThan(p[world.frequentWords[world.frequentWords.length - 1]]);
    expect(minFreq).toBeGreaterThan(maxBulk);
    const median = bulk[Math.floor(bulk.length / 2)];
    for (const w of world.rareWords) {
      expect(p[w]).toBeLessThan(median / 20);
      expect(p[w]).toBeLessThan(1e-4);
    }
  });

  it('puts the rare signal only in the rare words: every other embedding is orthogonal to it', () => {
    const { V, d, frequencyDirection: uf, rareDirection: ur } = world;
    // Unit, orthogonal directions (rounding of two Householder reflections: 1e-12).
    expect(Math.abs(dot(uf, 0, uf, 0, d) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(dot(ur, 0, ur, 0, d) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(dot(uf, 0, ur, 0, d))).toBeLessThan(1e-12);
    const rare = new Set(world.rareWords);
    for (let w = 0; w < world.n; w++) {
      const c = dot(V.data, w * d, ur, 0, d);
      if (rare.has(w)) expect(Math.abs(c)).toBeGreaterThan(0.5);
      else expect(Math.abs(c)).toBeLessThan(1e-12);
    }
    // h*(s) has a unit component along u_f in every context, and z = ⟨u_r, h*⟩ ~ N(0, 1).
    const { H } = world.sampleContexts(2000, createRng('dirs'));
    let zz = 0;
    for (let i = 0; i < H.rows; i++) {
      expect(Math.abs(dot(H.data, i * d, uf, 0, d) - 1)).toBeLessThan(1e-12);
      zz += dot(H.data, i * d, ur, 0, d) ** 2;
    }
    // Sample variance of 2000 standard normals: standard error √(2/2000) ≈ 0.032; ±0.15 is ~5 s.e.
    expect(Math.abs(zz / H.rows - 1)).toBeLessThan(0.15);
  });

  it('makes the rare signal nearly invisible to p*: removing it costs a KL below 1e-4 (the E2 premise)', () => {
    const { H } = world.sampleContexts(300, createRng('rare-kl'));
    const d = world.d;
    const Hr = H.data.slice();
    const Hf = H.data.slice();
    for (let i = 0; i < H.rows; i++) {
      const z = dot(H.data, i * d, world.rareDirection, 0, d);
      for (let j = 0; j < d; j++) Hr[i * d + j] -= z * world.rareDirection[j];
      // For contrast: a unit move along the frequency direction is a large change.
      for (let j = 0; j < d; j++) Hf[i * d + j] -= 0.5 * world.frequencyDirection[j];
    }
    const base = world.trueLogits(H);
    const klRare = klDivergenceRows(base, world.trueLogits(matrix(H.rows, d, Hr)));
    const klFreq = klDivergenceRows(base, world.trueLogits(matrix(H.rows, d, Hf)));
    const mean = (x: Float64Array): number => x.reduce((a, b) => a + b, 0) / x.length;
    expect(mean(klRare)).toBeLessThan(1e-4);
    expect(mean(klFreq)).toBeGreaterThan(0.05);
  });

  it('has a linear true map h* = W* x, normalised to norm r when asked', () => {
    const { X, H } = world.sampleContexts(20, createRng('lin'));
    const k = world.featureDim;
    for (let i = 0; i < 20; i++) {
      expect(X.data[i * k]).toBe(1);
      for (let r = 0; r < world.d; r++) {
        const want = dot(world.Wstar.data, r * k, X.data, i * k, k);
        // Same products through gemm versus a plain loop: 1e-12.
        expect(Math.abs(H.data[i * world.d + r] - want)).toBeLessThan(1e-12);
      }
    }
    expect(world.hStar(X).data).toEqual(H.data);
    const normed = generateWorld({ preset: 'tiny', seed: 5, normalize: 2.5 });
    expect(normed.hNorm).toBe(2.5);
    expect(generateWorld({ preset: 'tiny', normalize: true }).hNorm).toBe(Math.sqrt(8));
    const ctx = normed.sampleContexts(30, createRng(1));
    for (let i = 0; i < 30; i++) expect(Math.abs(Math.sqrt(dot(ctx.H.data, i * 8, ctx.H.data, i * 8, 8)) - 2.5)).toBeLessThan(1e-12);
  });

  it('draws corpus words from p*: chi-square of pooled counts against Σ_s p*(w|s) at a fixed seed', () => {
    const tiny = generateWorld({ preset: 'tiny', seed: 7 });
    const m = 3000;
    const k = 10;
    const { H, words } = tiny.sampleCorpus(m, k, createRng('corpus'));
    expect(words.length).toBe(m * k);
    const counts = new Float64Array(tiny.n);
    for (const w of words) counts[w]++;
    const logP = tiny.trueLogProbs(H);
    const expected = new Float64Array(tiny.n);
    for (let i = 0; i < m; i++) for (let w = 0; w < tiny.n; w++) expected[w] += k * Math.exp(logP.data[i * tiny.n + w]);
    const { stat, df } = chiSquare(counts, expected);
    // Cells with expected count < 5 are pooled. Each count is a sum of independent Bernoulli draws
    // with variance Σ p(1−p) ≤ its mean, so Pearson's statistic is, if anything, conservative here.
    // Critical value: the 0.999 quantile of chi-square(df) by Wilson–Hilferty.
    expect(df).toBeGreaterThan(20);
    expect(stat).toBeLessThan(chiSquareCritical999(df));
    // Teeth: against the world of another seed the same counts are rejected.
    const other = generateWorld({ preset: 'tiny', seed: 8 });
    const logQ = other.trueLogProbs(H);
    const expQ = new Float64Array(tiny.n);
    for (let i = 0; i < m; i++) for (let w = 0; w < tiny.n; w++) expQ[w] += k * Math.exp(logQ.data[i * tiny.n + w]);
    expect(chiSquare(counts, expQ).stat).toBeGreaterThan(10 * chiSquareCritical999(df));
  });

  it('gives exact log p* equal to the model log-probabilities, and does not mutate inputs', () => {
    const { X, H } = world.sampleContexts(5, createRng(3));
    const Xc = X.data.slice();
    const Hc = H.data.slice();
    expect(sameBits(world.trueLogProbs(H).data, world.model.logProbs(H).data)).toBe(true);
    world.hStar(X);
    expect(X.data).toEqual(Xc);
    expect(H.data).toEqual(Hc);
  });

  it('throws typed errors naming the function and argument', () => {
    expectThrow(() => generateWorld({ preset: 'huge' as never }), DomainError, "generateWorld: argument 'opts.preset' must be one of 'tiny', 'default', 'gpt2-scale'; got \"huge\"");
    expectThrow(() => generateWorld({ preset: 'tiny', d: 2 }), DomainError, "generateWorld: argument 'opts.d' must be an integer ≥ 3; got 2");
    expectThrow(() => generateWorld({ preset: 'tiny', n: 0 }), DomainError, "generateWorld: argument 'opts.n' must be an integer ≥ 1; got 0");
    expectThrow(() => generateWorld({ preset: 'tiny', featureDim: 2 }), DomainError, "generateWorld: argument 'opts.featureDim' must be an integer ≥ 3; got 2");
    expectThrow(
      () => generateWorld({ preset: 'tiny', n: 6, numFrequent: 4, numRare: 2 }),
      ShapeError,
      "generateWorld: argument 'opts.numFrequent' must be such that numFrequent + numRare < n = 6 (at least one bulk word); got 4 + 2",
    );
    expectThrow(() => generateWorld({ preset: 'tiny', numFrequent: 0 }), DomainError, "generateWorld: argument 'opts.numFrequent' must be an integer ≥ 1; got 0");
    expectThrow(() => generateWorld({ preset: 'tiny', rareFeatures: 5 }), ShapeError, "generateWorld: argument 'opts.rareFeatures' must be at most featureDim − 2 = 4; got 5");
    expectThrow(() => generateWorld({ preset: 'tiny', frequentMass: 1 }), DomainError, "generateWorld: argument 'opts.frequentMass' must be a finite number in (0, 1); got 1");
    expectThrow(() => generateWorld({ preset: 'tiny', rareLogitGap: -1 }), DomainError, "generateWorld: argument 'opts.rareLogitGap' must be a finite number in [0, 1000000]; got -1");
    expectThrow(() => generateWorld({ preset: 'tiny', normalize: -1 }), DomainError, "generateWorld: argument 'opts.normalize' must be a finite number in (0, 1000000]; got -1");
    expectThrow(() => generateWorld({ preset: 'tiny', normalize: 'yes' as never }), DomainError, "generateWorld: argument 'opts.normalize' must be a boolean or a positive number; got \"yes\"");
    expectThrow(() => generateWorld({ preset: 'tiny', dtype: 'float16' as never }), DomainError, "generateWorld: argument 'opts.dtype' must be one of 'float64', 'float32'; got \"float16\"");
    expectThrow(() => generateWorld({ preset: 'tiny', seed: '' }), DomainError, "generateWorld: argument 'opts.seed' must be a non-empty string or a finite number; got an empty string");
    expectThrow(() => generateWorld({ preset: 'tiny', seed: NaN }), DomainError, "generateWorld: argument 'opts.seed' must be a non-empty string or a finite number; got NaN");
    expectThrow(() => generateWorld(null as never), DomainError, "generateWorld: argument 'opts' must be an options object or undefined; got null");
    const tiny = generateWorld({ preset: 'tiny' });
    expectThrow(() => tiny.hStar(matrix(2, 5)), ShapeError, "World.hStar: argument 'X' must be a matrix with 6 columns (world.featureDim); got a 2×5 matrix");
    expectThrow(() => tiny.sampleContexts(0, createRng(1)), DomainError, "World.sampleContexts: argument 'm' must be an integer ≥ 1; got 0");
    expectThrow(() => tiny.sampleContexts(2, null as never), DomainError, "World.sampleContexts: argument 'rng' must be an Rng from createRng; got null");
    expectThrow(() => tiny.sampleCorpus(0, 1, createRng(1)), DomainError, "World.sampleCorpus: argument 'm' must be an integer ≥ 1; got 0");
    expectThrow(() => tiny.sampleCorpus(3, 0, createRng(1)), DomainError, "World.sampleCorpus: argument 'k' must be an integer ≥ 1; got 0");
    expectThrow(() => tiny.sampleCorpus(3, 1, {} as never), DomainError, "World.sampleCorpus: argument 'rng' must be an Rng from createRng; got an object (Object)");
    expectThrow(() => tiny.trueLogProbs(matrix(1, 3)), ShapeError, "World.trueLogProbs: argument 'H' must be a matrix with 8 columns (world.d); got a 1×3 matrix");
    expectThrow(() => tiny.trueLogits(matrix(1, 8, new Float64Array(8).fill(NaN))), DomainError, "World.trueLogits: argument 'H' must be finite everywhere; got NaN at (0, 0)");
  });
});
