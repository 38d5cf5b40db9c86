import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { eigenCombination, eigenCoordinates, REDUCE_PANEL, symmetricEigenFactored, symmetricEigenInPlace } from '../../src/kernels/symmetricEigenKernel.js';
import { gemm } from '../../src/linalg/gemm.js';
import { createRng } from '../../src/random/createRng.js';

/** A symmetric n×n matrix: BᵀB of a random r×n B (rank ≤ r), optionally plus a multiple of I. */
function randomSymmetric(seed: number, n: number, r: number, shift: number): Float64Array {
  const rng = createRng(seed);
  const B = Array.from({ length: r * n }, () => rng.normal());
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? shift : 0;
      for (let k = 0; k < r; k++) s += B[k * n + i] * B[k * n + j];
      C[i * n + j] = s;
    }
  }
  return C;
}

describe('symmetricEigenInPlace (tred2 + tql2 on a flat array)', () => {
  it('gives orthonormal eigenvectors, small residuals and the eigenvalues of ml-matrix (fast-check, 60 runs)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 1, -2), (n, r, seed, shift) => {
        const C = randomSymmetric(seed, n, r, shift);
        const Q = C.slice();
        const lambda = new Float64Array(n);
        symmetricEigenInPlace(Q, n, lambda);
        let norm = 0;
        for (const x of C) norm = Math.max(norm, Math.abs(x));
        const scale = Math.max(1, n * norm);
        // Backward-stable algorithm: residuals and orthogonality at a few ulps of ‖C‖, times n.
        for (let i = 0; i < n; i++) {
          for (let a = 0; a < n; a++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += C[a * n + k] * Q[i * n + k];
            expect(Math.abs(s - lambda[i] * Q[i * n + a])).toBeLessThan(1e-13 * scale);
          }
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += Q[i * n + k] * Q[j * n + k];
            expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-13 * n);
          }
        }
        const rows = Array.from({ length: n }, (_, i) => Array.from(C.subarray(i * n, (i + 1) * n)));
        const ref = [...new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true }).realEigenvalues].sort((x, y) => x - y);
        const mine = Array.from(lambda).sort((x, y) => x - y);
        mine.forEach((x, i) => expect(Math.abs(x - ref[i])).toBeLessThan(1e-13 * scale));
      }),
      { seed: 9, numRuns: 60 },
    );
  });

  it('handles the zero matrix, a diagonal matrix and repeated eigenvalues exactly', () => {
    const z = new Float64Array(9);
    const lz = new Float64Array(3);
    symmetricEigenInPlace(z, 3, lz);
    expect(Array.from(lz)).toEqual([0, 0, 0]);
    const diag = Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 3);
    const ld = new Float64Array(3);
    symmetricEigenInPlace(diag, 3, ld);
    expect(Array.from(ld).sort((a, b) => a - b)).toEqual([-1, 3, 3]);
  });

  it('reads only the lower triangle', () => {
    const full = Float64Array.of(2, 1, 1, 3);
    const lower = Float64Array.of(2, 99, 1, 3); // the upper entry is ignored
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    symmetricEigenInPlace(full, 2, a);
    symmetricEigenInPlace(lower, 2, b);
    expect(b).toEqual(a);
  });
});

describe('symmetricEigenFactored (eigenvectors kept as reflectors and rotations)', () => {
  /** Max over a few eigenpairs of ‖C q − λ q‖ and over pairs of |⟨qᵢ, qⱼ⟩ − δᵢⱼ|, q from `eigenCombination`. */
  function check(C: Float64Array, n: number, f: ReturnType<typeof symmetricEigenFactored>): { residual: number; orth: number } {
    const picks = Array.from(new Set([0, 1, n >> 1, n - 2, n - 1].filter((i) => i >= 0 && i < n)));
    const qs = picks.map((i) => {
      const unit = new Float64Array(n);
      unit[i] = 1;
      return eigenCombination(f, unit);
    });
    let residual = 0;
    let orth = 0;
    picks.forEach((i, a) => {
      const q = qs[a];
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += C[r * n + k] * q[k];
        residual = Math.max(residual, Math.abs(s - f.values[i] * q[r]));
      }
      picks.forEach((j, b) => {
        let s = 0;
        for (let k = 0; k < n; k++) s += q[k] * qs[b][k];
        orth = Math.max(orth, Math.abs(s - (i === j ? 1 : 0)));
      });
      // The coordinates of q_i are the unit vector e_i.
      const y = eigenCoordinates(f, q);
      for (let k = 0; k < n; k++) orth = Math.max(orth, Math.abs(y[k] - (k === i ? 1 : 0)));
    });
    return { residual, orth };
  }

  it('without gemm: the eigenvalues of symmetricEigenInPlace bit for bit, and its eigenvectors to rounding (fast-check, 40 runs)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 1, -2), (n, r, seed, shift) => {
        const C = randomSymmetric(seed, n, r, shift);
        const Q = C.slice();
        const lambda = new Float64Array(n);
        symmetricEigenInPlace(Q, n, lambda);
        const f = symmetricEigenFactored(C.slice(), n);
        expect(f.values).toEqual(lambda);
        let norm = 0;
        for (const x of C) norm = Math.max(norm, Math.abs(x));
        const x = Float64Array.from({ length: n }, (_, k) => Math.sin(k + seed));
        const y = eigenCoordinates(f, x);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += Q[i * n + k] * x[k];
          expect(Math.abs(y[i] - s)).toBeLessThan(1e-13 * n);
        }
        const { residual, orth } = check(C, n, f);
        expect(residual).toBeLessThan(1e-13 * Math.max(1, n * norm));
        expect(orth).toBeLessThan(1e-13 * n);
      }),
      { seed: 10, numRuns: 40 },
    );
  });

  it('blocked through gemm (n > 2 panels, short last panels, rank-deficient and indefinite): residuals and orthogonality at rounding, eigenvalues of the unblocked reduction to rounding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2 * REDUCE_PANEL + 1, max: 160 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom(0, 1, -2),
        (n, r, seed, shift) => {
          const C = randomSymmetric(seed, n, r, shift);
          let norm = 0;
          for (const x of C) norm = Math.max(norm, Math.abs(x));
          const f = symmetricEigenFactored(C.slice(), n, gemm);
          const plain = symmetricEigenFactored(C.slice(), n);
          const a = Array.from(f.values).sort((x, y) => x - y);
          const b = Array.from(plain.values).sort((x, y) => x - y);
          // Both backward stable: each eigenvalue within a few ulps of ‖C‖·n.
          a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(1e-13 * n * norm));
          const { residual, orth } = check(C, n, f);
          expect(residual).toBeLessThan(1e-13 * n * norm);
          expect(orth).toBeLessThan(1e-13 * n);
        },
      ),
      { seed: 11, numRuns: 12 },
    );
  });
});
