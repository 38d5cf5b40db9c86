/**
 * Issue 7, item 5: a `logPartition` or a training step's products never allocate more than their
 * inputs, outputs and a few MB of scratch per thread. The accelerated backend copies blocks of the
 * user's arrays into one shared WebAssembly heap (never the whole matrices), so its heap stays under
 * the staging cap `STAGE_BYTES` (12 MiB) plus the per-thread packing space; the JavaScript side
 * allocates only the outputs.
 */
import { logPartition } from '../../src/softmax/logPartition.js';
import { matmulTransposeB } from '../../src/linalg/matmulTransposeB.js';
import { matmulTransposeA } from '../../src/linalg/matmulTransposeA.js';
import { matmul } from '../../src/linalg/matmul.js';
import { createRng } from '../../src/random/createRng.js';
import { getBackendInfo } from '../../src/backend/getBackendInfo.js';
import { setBackend } from '../../src/backend/setBackend.js';
import { STAGE_BYTES } from '../../src/backend/heap.js';
import type { Matrix } from '../../src/core/matrix.js';

const MiB = 2 ** 20;
// Packing space per thread is about 2.1 MiB (bench/README.md); 2.5 MiB per thread (the main thread
// and each worker), plus 1 MiB for control slots and alignment, is the budget asserted here. With
// float64 inputs V alone is 19.5 MiB, so a path that staged all of V and H (21.5 MiB) would fail it:
// measured 11.3 MiB after logPartition and 16.3 MiB after the three products, with 2 threads.
const budget = (threads: number): number => STAGE_BYTES + (threads + 1) * 2.5 * MiB + MiB;

function randomF64(rows: number, cols: number, scale: number, seed: number): Matrix {
  const rng = createRng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => scale * rng.normal()) };
}

// The WebAssembly heap is a high-water mark (it grows on demand and never shrinks), so the heap bound
// would catch any path that staged a whole matrix or the logits. The JavaScript-side figure is
// weaker (a temporary freed by a collection inside the call would not show), so it is a second check.
describe('memory of the accelerated kernels', () => {
  beforeAll(() => setBackend('wasm'));
  afterAll(() => setBackend('auto'));

  const n = 10000, d = 256, m = 1024; // the sizes in float64: V is 20 MB, the logits would be 82 MB
  const V = randomF64(n, d, 0.1, 1);
  const H = randomF64(m, d, 1, 2);

  it('logPartition over 10,000 words never holds the 1024 × 10,000 logits', () => {
    const before = process.memoryUsage().arrayBuffers;
    const z = logPartition(V, H);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(z.length).toBe(m);
    const info = getBackendInfo();
    expect(info.backend).toBe('wasm');
    expect(info.heapBytes).toBeLessThanOrEqual(budget(info.threads));
    // JavaScript side: the m-float64 output and small scratch, far below the 82 MB of logits.
    expect(grown).toBeLessThan(4 * MiB);
  });

  it("a training step's three products allocate only their outputs", () => {
    // Z = H·Vᵀ (m × n), dV = Gᵀ·H (n × d), dH = G·V (m × d), with G the size of Z.
    const Z = matmulTransposeB(H, V);
    const G = Z; // any m × n matrix serves to size the backward products
    const before = process.memoryUsage().arrayBuffers;
    const dV = matmulTransposeA(G, H);
    const dH = matmul(G, V);
    const grown = process.memoryUsage().arrayBuffers - before;
    const outputs = (dV.data.byteLength + dH.data.byteLength) / MiB;
    const info = getBackendInfo();
    expect(info.backend).toBe('wasm');
    expect(info.heapBytes).toBeLessThanOrEqual(budget(info.threads));
    expect(grown / MiB).toBeLessThan(outputs + 4);
  });
});
