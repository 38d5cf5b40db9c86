import { matrix, fromRows, toRows, zeros, dtypeOf, cloneMatrix } from '../../src/core/matrix.js';
import { DomainError, LmTransferError, ShapeError } from '../../src/core/errors.js';

describe('matrix helpers', () => {
  it('wraps typed arrays without copying and copies plain arrays into float64', () => {
    const d = new Float32Array([1, 2, 3, 4, 5, 6]);
    const a = matrix(2, 3, d);
    expect(a.data).toBe(d);
    const b = matrix(2, 2, [1, 2, 3, 4]);
    expect(b.data).toBeInstanceOf(Float64Array);
    expect(toRows(b)).toEqual([[1, 2], [3, 4]]);
  });

  it('round-trips through fromRows and toRows in both precisions', () => {
    const rows = [[1, -2.5, 3], [4, 5, 6e10]];
    expect(toRows(fromRows(rows))).toEqual(rows);
    const f = fromRows(rows, 'float32');
    expect(dtypeOf(f)).toBe('float32');
    expect(toRows(f)).toEqual(rows.map((r) => r.map((x) => Math.fround(x))));
    expect(fromRows([])).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
  });

  it('zeros and cloneMatrix give fresh buffers', () => {
    const z = zeros(2, 3, 'float32');
    expect(z.data).toEqual(new Float32Array(6));
    const c = cloneMatrix(z);
    c.data[0] = 1;
    expect(z.data[0]).toBe(0);
  });

  it('rejects bad shapes with typed errors that name the function and argument', () => {
    expect(() => matrix(2, 3, [1, 2])).toThrow(ShapeError);
    expect(() => matrix(2, 3, [1, 2])).toThrow("matrix: argument 'data' must have rows·cols = 2·3 = 6 elements; got 2");
    expect(() => matrix(-1, 3)).toThrow(DomainError);
    expect(() => matrix(1.5, 3)).toThrow("matrix: argument 'rows' must be a non-negative integer; got 1.5");
    expect(() => matrix(1, 2, 'ab' as unknown as number[])).toThrow(DomainError);
    expect(() => fromRows([[1, 2], [3]])).toThrow("fromRows: argument 'rows' must have rows of equal length 2 (the length of row 0); got row 1 of length 1");
    expect(new ShapeError('x')).toBeInstanceOf(LmTransferError);
    expect(new ShapeError('x').name).toBe('ShapeError');
  });
});
