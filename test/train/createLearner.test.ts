import { generateWorld } from '../../src/model/generateWorld.js';
import { createLearner } from '../../src/train/createLearner.js';
import { Learner } from '../../src/train/Learner.js';
import { createRng } from '../../src/random/createRng.js';
import { fromRows, matrix } from '../../src/core/matrix.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { expectThrow } from '../model/expectThrow.js';
import { sameBits } from '../model/bits.js';

describe('createLearner', () => {
  const world = generateWorld({ preset: 'tiny', seed: 1 });
  const { X } = world.sampleContexts(7, createRng(2));

  it('lays the parameters out as W1, b1, W2, b2, V̂ with the documented shapes', () => {
    const mlp = createLearner({ world, hidden: 5 });
    expect(mlp).toBeInstanceOf(Learner);
    expect(mlp.blocks.map((b) => [b.name, b.offset, b.rows, b.cols, b.decay])).toEqual([
      ['W1', 0, 5, 6, true],
      ['b1', 30, 1, 5, false],
      ['W2', 35, 8, 5, true],
      ['b2', 75, 1, 8, false],
      ['V', 83, 64, 8, true],
    ]);
    expect(mlp.paramCount).toBe(83 + 64 * 8);
    const tied = createLearner({ world, trainV: false, bias: false });
    expect(tied.blocks.map((b) => b.name)).toEqual(['W1']);
    expect(tied.paramCount).toBe(8 * 6);
    expect(tied.trainsV).toBe(false);
    expect(sameBits(tied.V().data, world.V.data)).toBe(true);
  });

  it('initialises deterministically from the seed', () => {
    expect(sameBits(createLearner({ world, hidden: 4, seed: 3 }).params, createLearner({ world, hidden: 4, seed: 3 }).params)).toBe(true);
    expect(sameBits(createLearner({ world, hidden: 4, seed: 3 }).params, createLearner({ world, hidden: 4, seed: 4 }).params)).toBe(false);
    const Vin = fromRows([[1, 2], [3, 4]]);
    const fromV = createLearner({ n: 2, d: 2, featureDim: 3, V: Vin });
    expect(Array.from(fromV.V().data)).toEqual([1, 2, 3, 4]);
    // opts.V is copied, trained or tied: changing the learner never reaches the caller's matrix.
    const tiedTo = createLearner({ n: 2, d: 2, featureDim: 3, V: Vin, trainV: false });
    fromV.params.fill(7);
    tiedTo.tiedV!.fill(7);
    expect(Array.from(Vin.data)).toEqual([1, 2, 3, 4]);
    const Vworld = world.V.data.slice();
    createLearner({ world, trainV: false }).tiedV!.fill(0);
    expect(sameBits(world.V.data, Vworld)).toBe(true);
  });

  it('computes ĥ = W1 x + b1, its normalisation to norm r, and logits V̂ ĥ', () => {
    const lin = createLearner({ world, seed: 5 });
    const b1 = lin.blocks.find((b) => b.name === 'b1')!;
    for (let j = 0; j < 8; j++) lin.params[b1.offset + j] = 0.1 * j;
    const H = lin.represent(X);
    const Z = lin.logits(X);
    const V = lin.V();
    for (let i = 0; i < 7; i++) {
      for (let r = 0; r < 8; r++) {
        let s = lin.params[b1.offset + r];
        for (let j = 0; j < 6; j++) s += lin.params[r * 6 + j] * X.data[i * 6 + j];
        // gemm versus a plain loop over 6 terms: 1e-13.
        expect(Math.abs(H.data[i * 8 + r] - s)).toBeLessThan(1e-13);
      }
      for (let w = 0; w < 64; w++) {
        let s = 0;
        for (let j = 0; j < 8; j++) s += V.data[w * 8 + j] * H.data[i * 8 + j];
        expect(Math.abs(Z.data[i * 64 + w] - s)).toBeLessThan(1e-13);
      }
    }
    const normed = createLearner({ world, hidden: 3, activation: 'tanh', normalize: 1.5 });
    const Hn = normed.represent(X);
    for (let i = 0; i < 7; i++) {
      let ss = 0;
      for (let j = 0; j < 8; j++) ss += Hn.data[i * 8 + j] ** 2;
      // Norm r·‖z‖/√(‖z‖² + 1e-12): 1.5 to ~1e-12 relative for ‖z‖ of order 1.
      expect(Math.abs(Math.sqrt(ss) - 1.5)).toBeLessThan(1e-9);
    }
    expect(createLearner({ world: generateWorld({ preset: 'tiny', normalize: 2 }) }).hNorm).toBe(2);
    expect(createLearner({ world: generateWorld({ preset: 'tiny', normalize: 2 }), normalize: false }).hNorm).toBeNull();
  });

  it('returns copies from V(), clones independently, and checks setParams', () => {
    const l = createLearner({ world, seed: 1 });
    const V = l.V();
    V.data[0] += 1;
    expect(l.V().data[0]).not.toBe(V.data[0]);
    const c = l.clone();
    c.params[0] += 1;
    expect(c.params[0]).not.toBe(l.params[0]);
    l.setParams(c.params);
    expect(sameBits(l.params, c.params)).toBe(true);
    const kept = l.params.slice();
    expectThrow(() => l.setParams(new Float64Array(3)), ShapeError, `Learner.setParams: argument 'params' must be of length ${l.paramCount} (paramCount); got length 3`);
    expectThrow(() => l.setParams(new Float64Array(l.paramCount).fill(NaN)), DomainError, "Learner.setParams: argument 'params' must be finite everywhere; got NaN at [0]");
    expectThrow(() => l.setParams(Array.from(kept) as never), DomainError, "Learner.setParams: argument 'params' must be a Float64Array or Float32Array; got an array of length");
    expect(sameBits(l.params, kept)).toBe(true);
    expectThrow(() => l.represent(matrix(2, 5)), ShapeError, "Learner.represent: argument 'X' must be a matrix with 6 columns (learner.featureDim); got a 2×5 matrix");
    expectThrow(() => l.logits(matrix(2, 6, new Float64Array(12).fill(Infinity))), DomainError, "Learner.logits: argument 'X' must be finite everywhere; got Infinity at (0, 0)");
    expectThrow(() => l.lossAndGradient(X, new Int32Array(6)), ShapeError, "Learner.lossAndGradient: argument 'targets' must be an Int32Array of length 7 (X.rows); got length 6");
    expectThrow(() => l.lossAndGradient(X, new Int32Array(7).fill(64)), DomainError, "Learner.lossAndGradient: argument 'targets' must be word indices in [0, 64); got 64 at position 0");
    expectThrow(() => l.lossAndGradient(X, matrix(7, 64)), DomainError, "Learner.lossAndGradient: argument 'targets' must be rows summing to 1 (within 1.000e-6 = 1e-6 + n·u); got row 0 sums to 0");
    expectThrow(() => l.lossAndGradient(X, matrix(7, 63)), ShapeError, "Learner.lossAndGradient: argument 'targets' must be a 7×64 matrix of distributions (one row per context, one column per word); got a 7×63 matrix");
    expectThrow(() => l.lossAndGradient(matrix(0, 6), new Int32Array(0)), ShapeError, "Learner.lossAndGradient: argument 'X' must be a non-empty matrix; got a 0×6 matrix");
    // Logits that overflow: finite inputs, a NumericalError rather than a NaN loss or gradient.
    const huge = createLearner({ world, seed: 1 });
    huge.params.fill(1e200);
    expectThrow(() => huge.logits(X), NumericalError, "Learner.logits: the logits of row 0 of 'X' must be finite; got -Infinity (the parameters or X are too large)");
    expectThrow(() => huge.lossAndGradient(X, new Int32Array(7)), NumericalError, "Learner.lossAndGradient: the loss must be finite; got NaN");
  });

  it('throws typed errors naming the function and argument', () => {
    expectThrow(() => createLearner(null as never), DomainError, "createLearner: argument 'opts' must be an options object; got null");
    expectThrow(() => createLearner({ d: 3, featureDim: 2 }), DomainError, "createLearner: argument 'opts.n' must be an integer ≥ 1; got undefined");
    expectThrow(() => createLearner({ n: 3, featureDim: 2 }), DomainError, "createLearner: argument 'opts.d' must be an integer ≥ 1; got undefined");
    expectThrow(() => createLearner({ n: 3, d: 2 }), DomainError, "createLearner: argument 'opts.featureDim' must be an integer ≥ 1; got undefined");
    expectThrow(() => createLearner({ world, hidden: -1 }), DomainError, "createLearner: argument 'opts.hidden' must be an integer ≥ 0; got -1");
    expectThrow(() => createLearner({ world, activation: 'gelu' as never }), DomainError, "createLearner: argument 'opts.activation' must be one of 'tanh', 'relu'; got \"gelu\"");
    expectThrow(() => createLearner({ world, normalize: 0 }), DomainError, "createLearner: argument 'opts.normalize' must be a finite number > 0; got 0");
    expectThrow(() => createLearner({ world, normalize: 'yes' as never }), DomainError, "createLearner: argument 'opts.normalize' must be a boolean, a positive number or null; got \"yes\"");
    expectThrow(() => createLearner({ world, trainV: 1 as never }), DomainError, "createLearner: argument 'opts.trainV' must be a boolean; got 1");
    expectThrow(() => createLearner({ world, seed: '' }), DomainError, "createLearner: argument 'opts.seed' must be a non-empty string or a finite number; got an empty string");
    expectThrow(() => createLearner({ world, vInitStd: -1 }), DomainError, "createLearner: argument 'opts.vInitStd' must be a finite number ≥ 0; got -1");
    expectThrow(
      () => createLearner({ n: 3, d: 2, featureDim: 2, trainV: false }),
      DomainError,
      "createLearner: argument 'opts.trainV' must be true unless opts.V or opts.world gives a V̂ to tie to; got false with neither",
    );
    expectThrow(() => createLearner({ world, V: matrix(3, 8) }), ShapeError, "createLearner: argument 'opts.V' must be an 64×8 matrix (n × d); got a 3×8 matrix");
    expectThrow(() => createLearner({ world, n: 63 }), ShapeError, "createLearner: argument 'opts.n' must be equal to world.n = 64; got 63");
    expectThrow(() => createLearner({ world, featureDim: 5 }), ShapeError, "createLearner: argument 'opts.featureDim' must be equal to world.featureDim = 6; got 5");
    expectThrow(
      () => createLearner({ world, d: 4, trainV: false }),
      ShapeError,
      "createLearner: argument 'opts.d' must be equal to world.d = 8 when V̂ is tied to the world's V*; got 4",
    );
    // A learned width different from the world's is fine when V̂ is trained.
    expect(createLearner({ world, d: 4 }).V().cols).toBe(4);
    expectThrow(() => createLearner({ world, V: fromRows([[NaN]]) }), DomainError, "createLearner: argument 'opts.V' must be finite everywhere; got NaN at (0, 0)");
    expectThrow(() => createLearner({ world: {} as never }), DomainError, "createLearner: argument 'opts.world' must be a World from generateWorld; got an object (Object)");
  });

  // Regression (issue 13, API fuzz): a world whose d was Number.MAX_VALUE (an integer, so it passed
  // the size check) escaped as "RangeError: Invalid typed array length: Infinity". The parameter
  // count is checked against one float64 buffer of 4 GiB (2^29 entries) before allocating, and the
  // error names the largest size's source: the option when given, else the world it defaults to.
  it('refuses sizes whose parameter vector cannot be allocated, naming where the size came from', () => {
    const limit = "must be small enough for one buffer of at most 536870912 float64 elements (4 GiB); got paramCount for n = ";
    const huge = { ...world, d: Number.MAX_VALUE } as typeof world;
    // Such a world's V* (64 × 8) contradicts its d: refused as an inconsistent world before sizing.
    expectThrow(() => createLearner({ world: huge }), ShapeError, `createLearner: argument 'opts.world' must be a World whose V is n × d = 64 × ${Number.MAX_VALUE}; got V a 64×8 matrix`);
    expectThrow(() => createLearner({ world: { ...world, n: 63 } }), ShapeError, "createLearner: argument 'opts.world' must be a World whose V is n × d = 63 × 8; got V a 64×8 matrix");
    expectThrow(() => createLearner({ world, d: 2 ** 31 }), DomainError, `createLearner: argument 'opts.d' ${limit}64, d = ${2 ** 31}`);
    expectThrow(() => createLearner({ world, hidden: 1e10 }), DomainError, `createLearner: argument 'opts.hidden' ${limit}64`);
    // Just over the limit: n·d + d·featureDim = 2^29 + 8 (without biases).
    expectThrow(() => createLearner({ n: 2 ** 26, d: 8, featureDim: 1, bias: false }), DomainError, `createLearner: argument 'opts.n' ${limit}${2 ** 26}, d = 8, featureDim = 1, hidden = 0 = ${2 ** 29 + 8}`);
    expect(createLearner({ n: 3, d: 2, featureDim: 2 }).paramCount).toBe(2 * 2 + 2 + 3 * 2);
  });
});
