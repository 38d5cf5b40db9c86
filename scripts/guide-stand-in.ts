/**
 * Writes the synthetic stand-in model of docs/guide/anchor-on-your-model.md §3 ("Read the output"):
 * `Vs.npy` (n = 5,000 words × d = 64) and `Hs.npy` (1,000 contexts × 64), float32, so that the
 * guide's table can be regenerated with
 *
 *   npx tsx scripts/guide-stand-in.ts DIR
 *   npx lmtransfer anchor --embeddings DIR/Vs.npy --hidden DIR/Hs.npy --exclude-top 0,10,100,1000 --holdout 0.2
 *
 * The model: the first 100 words are frequent and sit away from the rest (a shared offset of norm 3
 * plus their own spread), the other 4,900 are an i.i.d. Gaussian cloud, the bulk of the "why anchors
 * exist" argument (docs/theory.md#3-the-anchor-vector). Contexts pass through a layer norm
 * `h = γ ⊙ (x − mean x)/std x + β`, so every `h` lies in one hyperplane and the design has rank d,
 * not d + 1 (the guide's "rank 768/769" section). Seeded: the same files on every machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../src/io/writeNpy.js';
import { createRng } from '../src/random/createRng.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npx tsx scripts/guide-stand-in.ts DIR\n');
  process.exit(2);
}
const n = 5000;
const d = 64;
const m = 1000;
const frequent = 100;
const rng = createRng('guide-stand-in');

// Word embeddings: the rare words are a cloud around a mean embedding μ (norm 1), each word with
// its own spread (between 0.5 and 2.5 per √d per coordinate, so the cloud is not exactly Gaussian
// and the anchor is not exact); the frequent words share an offset direction u (norm 3) and have a
// larger spread of their own.
const u = Float64Array.from({ length: d }, () => rng.normal());
const uNorm = Math.hypot(...u);
const mu = Float64Array.from({ length: d }, () => rng.normal());
const muNorm = Math.hypot(...mu);
const V = new Float32Array(n * d);
for (let w = 0; w < n; w++) {
  const isFrequent = w < frequent;
  const spread = (isFrequent ? 3 : 0.5 + 2 * rng.next()) / Math.sqrt(d);
  for (let j = 0; j < d; j++) V[w * d + j] = spread * rng.normal() + (isFrequent ? (3 * u[j]) / uNorm : mu[j] / muNorm);
}

// Contexts: x ~ N(0, I) plus a pull towards u (so frequent words are likely), then a layer norm.
const gamma = Float64Array.from({ length: d }, () => 1 + 0.2 * rng.normal());
const beta = Float64Array.from({ length: d }, () => 0.1 * rng.normal());
const H = new Float32Array(m * d);
const x = new Float64Array(d);
for (let i = 0; i < m; i++) {
  const pull = 1.5 * rng.normal();
  let mean = 0;
  for (let j = 0; j < d; j++) {
    x[j] = rng.normal() + (pull * u[j]) / uNorm;
    mean += x[j];
  }
  mean /= d;
  let v = 0;
  for (let j = 0; j < d; j++) v += (x[j] - mean) ** 2;
  const std = Math.sqrt(v / d);
  for (let j = 0; j < d; j++) H[i * d + j] = gamma[j] * ((x[j] - mean) / std) + beta[j];
}

mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'Vs.npy'), writeNpy(V, [n, d]));
writeFileSync(join(dir, 'Hs.npy'), writeNpy(H, [m, d]));
process.stdout.write(`wrote ${join(dir, 'Vs.npy')} (${n}×${d}) and ${join(dir, 'Hs.npy')} (${m}×${d}), float32\n`);
