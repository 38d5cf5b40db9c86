import {
  checkMatrix, checkNonEmptyMatrix, checkFiniteArray, checkWordIndices, checkNumber, checkOneOf, checkFloatVector, describeValue,
} from '../../src/core/check.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';

describe('argument checks', () => {
  it('checkMatrix names the argument and what arrived', () => {
    expect(() => checkMatrix('f', 'V', { rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(
      "f: argument 'V' must be a Matrix with data.length = rows·cols = 2·2 = 4; got data.length = 3",
    );
    expect(() => checkMatrix('f', 'V', null)).toThrow("f: argument 'V' must be a Matrix { rows, cols, data }; got null");
    expect(() => checkMatrix('f', 'V', { rows: 1, cols: 1, data: [1] })).toThrow(DomainError);
    expect(() => checkNonEmptyMatrix('f', 'H', { rows: 0, cols: 3, data: new Float64Array(0) })).toThrow(ShapeError);
    expect(() => checkMatrix('f', 'V', { rows: 1, cols: 2, data: new Float32Array(2) })).not.toThrow();
  });

  it('checkFiniteArray reports the first non-finite entry and its position', () => {
    expect(() => checkFiniteArray('f', 'x', [1, NaN, Infinity])).toThrow("f: argument 'x' must be finite everywhere; got NaN at [1]");
    expect(() => checkFiniteArray('f', 'z', new Float64Array([1, 2, 3, -Infinity]), 2)).toThrow('got -Infinity at (1, 1)');
  });

  it('checkWordIndices rejects out-of-range, non-Int32Array, empty and repeated indices', () => {
    expect(() => checkWordIndices('f', 'words', new Int32Array([0, 5]), 5)).toThrow("f: argument 'words' must be word indices in [0, 5); got 5 at position 1");
    expect(() => checkWordIndices('f', 'words', [0, 1], 5)).toThrow(DomainError);
    expect(() => checkWordIndices('f', 'words', new Int32Array(0), 5, { nonEmpty: true })).toThrow(ShapeError);
    expect(() => checkWordIndices('f', 'words', new Int32Array([1, 1]), 5, { unique: true })).toThrow('1 repeated at position 1');
  });

  it('checkNumber, checkOneOf and checkFloatVector state the expectation', () => {
    expect(() => checkNumber('f', 'ridge', -1, { min: 0 })).toThrow("f: argument 'ridge' must be a finite number ≥ 0; got -1");
    expect(() => checkNumber('f', 'k', 2.5, { integer: true, min: 0 })).toThrow('must be an integer ≥ 0; got 2.5');
    expect(() => checkNumber('f', 'p', 1, { min: 0, max: 1, maxExclusive: true })).toThrow('in [0, 1); got 1');
    expect(() => checkOneOf('f', 'reduction', 'avg', ['mean', 'sum'])).toThrow("must be one of 'mean', 'sum'; got \"avg\"");
    expect(() => checkFloatVector('f', 'y', new Float64Array(2), 3, 'X.rows')).toThrow("f: argument 'y' must be of length 3 (X.rows); got length 2");
    expect(describeValue(new Int32Array(4))).toBe('Int32Array of length 4');
  });
});
