import { sampleNextWords } from '../../src/model/sampleNextWords.js';
import { LogLinearModel } from '../../src/model/LogLinearModel.js';
import { fromRows, matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { expectThrow } from './expectThrow.js';
import { chiSquare, chiSquareCritical999 } from './chiSquare.js';

describe('sampleNextWords', () => {
  const V = fromRows([[1, 0], [0, 1], [-1, 0.5], [0.2, -2], [0, 0], [2, 2]]);
  const model = new LogLinearModel(V);
  const H = fromRows([[0.5, -1], [2, 1]]);

  it('draws each context from its own p(·|s): chi-square per context at a fixed seed', () => {
    const k = 20000;
    const Hc = H.data.slice();
    const words = sampleNextWords(model, H, k, createRng('snw'));
    expect(words).toBeInstanceOf(Int32Array);
    expect(words.length).toBe(2 * k);
    expect(H.data).toEqual(Hc);
    const lp = model.logProbs(H);
    for (let i = 0; i < 2; i++) {
      const counts = new Float64Array(6);
      for (let j = 0; j < k; j++) counts[words[i * k + j]]++;
      const expected = Array.from({ length: 6 }, (_, w) => k * Math.exp(lp.data[i * 6 + w]));
      const { stat, df } = chiSquare(counts, expected);
      // df ≤ 5 here; the 0.999 quantile of chi-square(5) is 20.515 (standard tables), used whatever
      // the pooling left, which only makes the test stricter for smaller df.
      expect(df).toBeGreaterThanOrEqual(3);
      expect(stat).toBeLessThan(20.515);
      // Teeth: the other context's distribution is rejected.
      const other = Array.from({ length: 6 }, (_, w) => k * Math.exp(lp.data[(1 - i) * 6 + w]));
      expect(chiSquare(counts, other).stat).toBeGreaterThan(chiSquareCritical999(5) * 10);
    }
  });

  it('is deterministic for a seed, different for another, and consumes k draws per context', () => {
    const a = sampleNextWords(model, H, 50, createRng(1));
    const b = sampleNextWords(model, H, 50, createRng(1));
    const c = sampleNextWords(model, H, 50, createRng(2));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // The first context's draws do not depend on how many contexts follow.
    const first = sampleNextWords(model, fromRows([[0.5, -1]]), 50, createRng(1));
    expect(first).toEqual(a.subarray(0, 50));
  });

  it('never draws a word whose probability underflows, and handles more than one block of contexts', () => {
    const m = new LogLinearModel(fromRows([[0], [-1000], [1], [-2000]]));
    const Hm = matrix(150, 1, new Float64Array(150).fill(1));
    const words = sampleNextWords(m, Hm, 7, createRng(9));
    for (const w of words) expect(w === 0 || w === 2).toBe(true);
    const single = sampleNextWords(new LogLinearModel(fromRows([[3, 3]])), fromRows([[1, 1]]), 4, createRng(0));
    expect(Array.from(single)).toEqual([0, 0, 0, 0]);
  });

  it('throws typed errors naming the function and argument', () => {
    const rng = createRng(0);
    expectThrow(() => sampleNextWords({} as LogLinearModel, H, 1, rng), DomainError, "sampleNextWords: argument 'model' must be a LogLinearModel; got an object (Object)");
    expectThrow(() => sampleNextWords(model, fromRows([[1, 2, 3]]), 1, rng), ShapeError, "sampleNextWords: argument 'H' must be a matrix with 2 columns (model.d); got a 1×3 matrix");
    expectThrow(() => sampleNextWords(model, H, 0, rng), DomainError, "sampleNextWords: argument 'samplesPerContext' must be an integer ≥ 1; got 0");
    expectThrow(() => sampleNextWords(model, H, 1.5, rng), DomainError, "sampleNextWords: argument 'samplesPerContext' must be an integer ≥ 1; got 1.5");
    expectThrow(() => sampleNextWords(model, fromRows([[NaN, 0]]), 1, rng), DomainError, "sampleNextWords: argument 'H' must be finite everywhere; got NaN at (0, 0)");
    expectThrow(() => sampleNextWords(model, H, 1, null as never), DomainError, "sampleNextWords: argument 'rng' must be an Rng from createRng; got null");
  });

  // Regression (issue 13, API fuzz): a huge samplesPerContext escaped as an untyped RangeError from
  // the output allocation. The limit is on m·k (2^30 Int32 draws = 4 GiB), checked before any work.
  it('refuses an output of m·k draws that cannot be allocated, naming samplesPerContext', () => {
    const rng = createRng(0);
    const m = H.rows;
    const limit = 2 ** 30;
    for (const k of [2e200, 2 ** 54, Math.floor(limit / m) + 1]) {
      expectThrow(() => sampleNextWords(model, H, k, rng), DomainError, `sampleNextWords: argument 'samplesPerContext' must be small enough for one buffer of at most ${limit} 4-byte elements (4 GiB); got H.rows·samplesPerContext = ${m}·${k} = `);
    }
  });
});
