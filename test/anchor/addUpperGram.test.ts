/**
 * `addUpperGram`: the anchor statistics' `Xᵀ X` by block rows of its upper triangle, against a
 * plain float64 loop, for sizes of one, several and a partial last block row.
 */
import { addUpperGram, GRAM_BLOCK_COLS } from '../../src/anchor/anchorStatsKernel.js';
import { createRng } from '../../src/random/createRng.js';

describe('addUpperGram', () => {
  it.each([1, 7, GRAM_BLOCK_COLS, GRAM_BLOCK_COLS + 1, 2 * GRAM_BLOCK_COLS + 45])('adds Xᵀ X on and above the diagonal for d = %i (sums of rows·d products, float64 rounding)', (d) => {
    const rng = createRng(`gram${d}`);
    const rows = 37;
    const X = Float64Array.from({ length: rows * d }, () => rng.normal());
    const M = Float64Array.from({ length: d * d }, () => rng.normal());
    const M0 = M.slice();
    addUpperGram(X, rows, d, M);
    for (let j = 0; j < d; j++) {
      for (let k = j; k < d; k++) {
        let s = M0[j * d + k];
        let a = Math.abs(s);
        for (let r = 0; r < rows; r++) {
          s += X[r * d + j] * X[r * d + k];
          a += Math.abs(X[r * d + j] * X[r * d + k]);
        }
        // A sum of rows + 1 terms: within (rows + 2)·2⁻⁵³·Σ|terms| (Higham §3.1).
        expect(Math.abs(M[j * d + k] - s)).toBeLessThanOrEqual((rows + 2) * 2 ** -53 * a);
      }
    }
  });
});
