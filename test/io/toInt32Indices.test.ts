/**
 * toInt32Indices: readNpy's int64 output becomes the Int32Array every index argument takes, with
 * a range check that names the offending element; and a NumPy int64 file goes all the way into a
 * task.
 */
import fc from 'fast-check';
import { toInt32Indices } from '../../src/io/toInt32Indices.js';
import { readNpy } from '../../src/io/readNpy.js';
import { writeNpy } from '../../src/io/writeNpy.js';
import { DomainError } from '../../src/core/errors.js';
import { contrastTask, wordTask } from '../../src/tasks/index.js';
import { fromRows } from '../../src/core/matrix.js';

describe('toInt32Indices', () => {
  it('keeps every value in range, from every container, without touching the input', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 50 }), (xs) => {
        const big = BigInt64Array.from(xs.map((x) => BigInt(x)));
        const before = Array.from(big);
        for (const c of [big, BigUint64Array.from(big), Float64Array.from(xs), Uint32Array.from(xs), xs, xs.map((x) => BigInt(x))]) {
          const out = toInt32Indices(c);
          expect(out).toBeInstanceOf(Int32Array);
          expect(Array.from(out)).toEqual(xs);
        }
        expect(Array.from(big)).toEqual(before);
      }),
      { seed: 81, numRuns: 100 },
    );
  });

  it('throws a DomainError naming the first index that is negative, too large, fractional or not a number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }),
        fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: -1n }), fc.bigInt({ min: 2n ** 31n, max: 2n ** 63n - 1n })),
        fc.nat(),
        (xs, bad, at) => {
          const pos = at % (xs.length + 1);
          const arr = [...xs.map((x) => BigInt(x))];
          arr.splice(pos, 0, bad);
          const big = BigInt64Array.from(arr);
          expect(() => toInt32Indices(big)).toThrow(DomainError);
          expect(() => toInt32Indices(big)).toThrow(`toInt32Indices: argument 'x' must be integer indices in [0, 2³¹ − 1] (what an Int32Array holds); got ${bad} at [${pos}]`);
        },
      ),
      { seed: 82, numRuns: 100 },
    );
    // The boundary itself: 2³¹ − 1 passes, 2³¹ does not.
    expect(toInt32Indices(BigInt64Array.of(2n ** 31n - 1n))[0]).toBe(2 ** 31 - 1);
    expect(() => toInt32Indices(BigInt64Array.of(2n ** 31n))).toThrow('got 2147483648 at [0]');
    expect(() => toInt32Indices([0, 1.5])).toThrow('got 1.5 at [1]');
    expect(() => toInt32Indices([NaN])).toThrow('got NaN at [0]');
    expect(() => toInt32Indices(BigInt64Array.of(0n, 5n), { n: 5 })).toThrow("toInt32Indices: argument 'x' must be integer indices in [0, 5); got 5 at [1]");
    expect(() => toInt32Indices('12' as never)).toThrow(DomainError);
    expect(() => toInt32Indices([1], { n: 0 })).toThrow("toInt32Indices: argument 'opts.n' must be an integer in [1, 2³¹]; got 0");
  });

  it('takes a NumPy int64 file through readNpy into a task (directly or converted)', () => {
    const bytes = writeNpy(BigInt64Array.of(0n, 2n));
    const { data } = readNpy(bytes);
    expect(data).toBeInstanceOf(BigInt64Array);
    const world = { V: fromRows([[1, 0], [0, 1], [2, 2], [5, 5]]) };
    const words = toInt32Indices(data as BigInt64Array, { n: world.V.rows });
    const a = contrastTask(world, words, Float64Array.of(1, -1));
    const b = contrastTask(world, data as BigInt64Array, Float64Array.of(1, -1));
    expect(Array.from(b.u)).toEqual(Array.from(a.u));
    expect(Array.from(a.u)).toEqual([-1, -2]);
    const t = wordTask(world, data as BigInt64Array, Float64Array.of(1, 1), BigInt64Array.of(1n, 3n), { anchor: { anchor: Float64Array.of(0, 0), intercept: 0 } });
    expect(Array.from(t.bulk)).toEqual([1, 3]);
  });
});
