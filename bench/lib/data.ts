// Seeded benchmark data (the values only set the ranges the exponentials see).
import { createRng } from '../../src/random/createRng.js';
import type { FloatArray } from '../../src/core/matrix.js';
import type { DType, Size } from './types.js';

export interface Problem {
  H: FloatArray; // B × d, entries N(0, 1/d)
  V: FloatArray; // n × d, entries N(0, 1)
  Z: FloatArray; // B × n logits, entries N(0, 9)
  targets: Int32Array; // B word indices
  bulk: Int32Array; // the last `bulk` words
}

export function makeProblem(dtype: DType, s: Size, withLogits: boolean): Problem {
  const rng = createRng(`bench-${s.B}-${s.d}-${s.n}`);
  const F = dtype === 'float32' ? Float32Array : Float64Array;
  const H = new F(s.B * s.d);
  const sd = 1 / Math.sqrt(s.d);
  for (let i = 0; i < H.length; i++) H[i] = rng.normal() * sd;
  const V = new F(s.n * s.d);
  for (let i = 0; i < V.length; i++) V[i] = rng.normal();
  const Z = new F(withLogits ? s.B * s.n : 0);
  for (let i = 0; i < Z.length; i++) Z[i] = 3 * rng.normal();
  const targets = new Int32Array(s.B);
  for (let i = 0; i < s.B; i++) targets[i] = rng.int(s.n);
  const bulk = new Int32Array(s.bulk);
  for (let i = 0; i < s.bulk; i++) bulk[i] = s.n - s.bulk + i;
  return { H, V, Z, targets, bulk };
}
