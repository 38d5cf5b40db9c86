import { fmt, renderAnchorTable } from '../../src/cli/anchorReport.js';
import { fitAnchorFromLogPartition } from '../../src/anchor/fitAnchorFromLogPartition.js';
import { createRng } from '../../src/random/createRng.js';
import type { Matrix } from '../../src/core/matrix.js';

/** H (m × d) whose rows span an affine subspace of dimension `r` (r < d gives d − r null directions). */
function lowRankH(m: number, d: number, r: number, seed: number): Matrix {
  const rng = createRng(seed);
  const basis = Float64Array.from({ length: r * d }, () => rng.normal());
  const data = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < r; k++) {
      const c = rng.normal();
      for (let j = 0; j < d; j++) data[i * d + j] += c * basis[k * d + j];
    }
    for (let j = 0; j < d; j++) data[i * d + j] += 0.5; // an offset, so the subspace is affine
  }
  return { rows: m, cols: d, data };
}

function zetaOf(H: Matrix, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: H.rows }, (_, i) => H.data[i * H.cols] + 0.1 * rng.normal());
}

describe('renderAnchorTable: the rank note says what is unidentified', () => {
  it('one null direction (a layer norm): names the hyperplane ⟨g, h⟩ = b', () => {
    const H = lowRankH(200, 6, 5, 1);
    const fit = fitAnchorFromLogPartition(H, zetaOf(H, 2));
    expect(fit.rank).toBe(6);
    const text = renderAnchorTable([{ label: 'k=0', bulkSize: 10, fit }], 6);
    expect(text).toContain('Rank 6 of 7: every h lies in one hyperplane');
    // The cond column is over the identified directions, and the note says so.
    expect(Number.isFinite(fit.conditionNumber) && fit.conditionNumber < 1e3).toBe(true);
    expect(text.split('\n')[1].split(/ +/)[3]).toBe(fmt(fit.conditionNumber));
    expect(text).toContain('cond: √(λ_max/λ_min) of the centred covariance of h over the identified directions only');
  });

  it('several null directions: says the contexts span a lower-dimensional affine subspace', () => {
    const H = lowRankH(200, 6, 3, 3);
    const fit = fitAnchorFromLogPartition(H, zetaOf(H, 4));
    expect(fit.rank).toBe(4);
    const text = renderAnchorTable([{ label: 'k=0', bulkSize: 10, fit }], 6);
    expect(text).toContain('Rank 4 of 7: the h(s) span only a 3-dimensional affine subspace of R^6 (3 directions');
    expect(text).not.toContain('one hyperplane');
  });

  it('full rank: no note', () => {
    const H = lowRankH(200, 6, 6, 5);
    const fit = fitAnchorFromLogPartition(H, zetaOf(H, 6));
    expect(fit.rank).toBe(7);
    expect(renderAnchorTable([{ label: 'k=0', bulkSize: 10, fit }], 6)).not.toContain('Rank');
  });
});
