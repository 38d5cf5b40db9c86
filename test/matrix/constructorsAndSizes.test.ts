import { AnchorAccumulator, DomainError, ShapeError, allWords, allocFloat, createRng, fromRows, generateWorld, matrix, permutation, zeros } from '../../src/index.js';
import { checkAllocatable } from '../../src/core/check.js';
import { expectThrow } from '../model/expectThrow.js';

const TOO_BIG = "must be small enough for one buffer of at most 536870912 float64 elements (4 GiB); got ";

describe('sizes that cannot be allocated are DomainErrors naming the argument, at once (issue 13 item 4)', () => {
  it.each([
    ['new AnchorAccumulator(1e9)', () => new AnchorAccumulator(1e9), `AnchorAccumulator: argument 'dim' ${TOO_BIG}dim·dim = 1000000000·1000000000`],
    ['AnchorAccumulator.fromJSON dim 1e9', () => AnchorAccumulator.fromJSON({ format: 'lmtransfer.anchorAccumulator', version: 1, dim: 1e9 }), `AnchorAccumulator.fromJSON: argument 'json.dim' ${TOO_BIG}`],
    ['permutation(1e10)', () => permutation(1e10, createRng(1)), "permutation: argument 'n' must be an integer in [0, 134217728]; got 10000000000"],
    ['permutation(2**31)', () => permutation(2 ** 31, createRng(1)), "permutation: argument 'n' must be an integer in [0, 134217728]; got 2147483648"],
    ['allWords(1e10)', () => allWords(1e10), "allWords: argument 'n' must be at most 2^31 = 2147483648 (word indices are Int32); got 10000000000"],
    ['matrix(2**31, 1e10)', () => matrix(2 ** 31, 1e10), `matrix: argument 'cols' ${TOO_BIG}rows·cols = 2147483648·10000000000`],
    ["allocFloat('float64', 1e10)", () => allocFloat('float64', 1e10), `allocFloat: argument 'length' ${TOO_BIG}10000000000`],
    ['zeros(1e5, 1e6)', () => zeros(1e5, 1e6), `zeros: argument 'cols' ${TOO_BIG}rows·cols = 100000·1000000 = 100000000000`],
    ["generateWorld({ preset: 'tiny', n: 1e9 })", () => generateWorld({ preset: 'tiny', n: 1e9 }), "generateWorld: argument 'opts.n' must be such that n·d ≤ 2^28 = 268435456"],
  ])('%s', (_, f, message) => {
    const t0 = Date.now();
    expectThrow(f, DomainError, message);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('float32 buffers may hold twice as many elements as float64 ones; the limits are exact', () => {
    expect(() => checkAllocatable('f', 'n', 2 ** 29, 8)).not.toThrow();
    expect(() => checkAllocatable('f', 'n', 2 ** 29 + 1, 8)).toThrow(DomainError);
    expect(() => checkAllocatable('f', 'n', 2 ** 30, 4)).not.toThrow();
    expect(() => checkAllocatable('f', 'n', 2 ** 30 + 1, 4)).toThrow(DomainError);
    expect(() => checkAllocatable('f', 'n', 1.5, 8)).toThrow(DomainError);
    expect(() => checkAllocatable('f', 'n', NaN, 8)).toThrow(DomainError);
  });
});

describe('errors name the function the user called (issue 13 item 5)', () => {
  it("generateWorld({ preset: 'tiny', bulkOffsetSpread: 1e200 }) names generateWorld and the option", () => {
    expectThrow(() => generateWorld({ preset: 'tiny', bulkOffsetSpread: 1e200 }), DomainError, "generateWorld: argument 'opts.bulkOffsetSpread' must be a finite number in [0, 1000000]; got 1e+200");
  });

  it.each(['semanticSpread', 'bulkMeanSpread', 'rareLogitGap', 'rareSignal', 'normalize'] as const)('every scale option is bounded: %s = 1e300', (name) => {
    expectThrow(() => generateWorld({ preset: 'tiny', [name]: 1e300 }), DomainError, `generateWorld: argument 'opts.${name}'`);
  });

  it('the largest allowed scales still give a finite world', () => {
    const w = generateWorld({ preset: 'tiny', bulkOffsetSpread: 1e6, semanticSpread: 1e6, bulkMeanSpread: 1e6, rareLogitGap: 1e6, rareSignal: 1e6 });
    expect(w.V.data.every(Number.isFinite)).toBe(true);
  });
});

describe('matrix constructors (issue 12 item 2)', () => {
  it('matrix(2, 2, [[1, 2], [3, 4]]) points to fromRows', () => {
    expectThrow(() => matrix(2, 2, [[1, 2], [3, 4]] as unknown as number[]), DomainError,
      "matrix: argument 'data' must be a flat array of rows·cols numbers in row-major order (for an array of rows, call fromRows(rows)); got an array of 2 arrays");
    expectThrow(() => matrix(2, 2, [Float64Array.of(1, 2), Float64Array.of(3, 4)] as unknown as number[]), DomainError, "matrix: argument 'data' must be a flat array");
  });

  it('integer typed data is converted (copied) into float64, or into the dtype given', () => {
    const src = Int32Array.of(1, -2, 2147483647, 4);
    const a = matrix(2, 2, src);
    expect(a.data).toBeInstanceOf(Float64Array);
    expect(Array.from(a.data)).toEqual([1, -2, 2147483647, 4]);
    src[0] = 9;
    expect(a.data[0]).toBe(1); // not aliased
    const b = matrix(1, 3, Uint8Array.of(1, 2, 255), 'float32');
    expect(b.data).toBeInstanceOf(Float32Array);
    expect(Array.from(b.data)).toEqual([1, 2, 255]);
  });

  it('float data is wrapped unless dtype asks for the other precision; then it is converted', () => {
    const d = Float64Array.of(1, 2);
    expect(matrix(1, 2, d).data).toBe(d);
    expect(matrix(1, 2, d, 'float64').data).toBe(d);
    const f = matrix(1, 2, d, 'float32');
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(f.data).not.toBe(d);
    expect(matrix(2, 3, undefined, 'float32').data).toEqual(new Float32Array(6));
    expectThrow(() => matrix(1, 1, [1], 'float16' as never), DomainError, "matrix: argument 'dtype' must be one of 'float64', 'float32'; got \"float16\"");
  });

  it('BigInt and other non-numeric views are refused', () => {
    expectThrow(() => matrix(1, 2, BigInt64Array.of(1n, 2n) as never), DomainError, "matrix: argument 'data' must be a Float64Array, a Float32Array, an integer typed array or an array of numbers; got BigInt64Array of length 2");
  });

  it('fromRows accepts typed-array rows (any numeric kind), copied', () => {
    const r0 = Float64Array.of(1, 2);
    const m = fromRows([r0, Int32Array.of(3, 4), [5, 6]]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    r0[0] = 7;
    expect(m.data[0]).toBe(1);
    expectThrow(() => fromRows([Float32Array.of(1), Float32Array.of(1, 2)]), ShapeError, "fromRows: argument 'rows' must have rows of equal length 1 (the length of row 0); got row 1 of length 2");
  });
});

describe('float32 storage never turns a finite value into ±Infinity', () => {
  it('fromRows and matrix refuse finite values beyond ±3.4e38 with dtype float32, and keep them in float64', () => {
    expectThrow(() => fromRows([[1, 1e39]], 'float32'), DomainError, "fromRows: argument 'rows' must hold values representable in float32 (|v| < 2^128 − 2^103 ≈ 3.4028235677973366e38) when dtype is 'float32'; got 1e+39 at (0, 1)");
    // The exact threshold: 2^128 − 2^103 rounds to Infinity in float32, the float64 just below it to the largest float32.
    const edge = 2 ** 128 - 2 ** 103;
    expectThrow(() => fromRows([[-edge]], 'float32'), DomainError, "fromRows: argument 'rows' must hold values representable in float32");
    expect(fromRows([[edge * (1 - 2 ** -53)]], 'float32').data[0]).toBe(3.4028234663852886e38);
    expectThrow(() => matrix(1, 2, [1, -Number.MAX_VALUE], 'float32'), DomainError, "matrix: argument 'data' must hold values representable in float32");
    expect(fromRows([[3.4028234663852886e38, NaN, -Infinity]], 'float32').data[0]).toBe(3.4028234663852886e38);
    expect(fromRows([[1e39]]).data[0]).toBe(1e39);
  });
});
