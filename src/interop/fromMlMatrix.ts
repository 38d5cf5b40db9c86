import { describeValue, domainError, shapeError } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';
import type { MlMatrixLike } from './types.js';

/**
 * A float64 `Matrix` with a copy of an ml-matrix `Matrix`'s values (ml-matrix stores float64, so
 * nothing is rounded). Accepts any object with `rows`, `columns` and `to1DArray()`.
 *
 * @throws DomainError when `m` is not such an object or holds a non-number; ShapeError when
 *   `to1DArray()` does not have `rows·columns` values.
 * @example
 * ```ts
 * import { Matrix as MlMatrix } from 'ml-matrix';
 * const a = fromMlMatrix(new MlMatrix([[1, 2], [3, 4]])); // 2×2 float64 Matrix
 * ```
 */
export function fromMlMatrix(m: MlMatrixLike): Matrix<Float64Array> {
  const fn = 'fromMlMatrix';
  const o = m as unknown as { rows?: unknown; columns?: unknown; to1DArray?: unknown };
  if (o === null || typeof o !== 'object' || typeof o.to1DArray !== 'function' || !Number.isInteger(o.rows) || !Number.isInteger(o.columns)) {
    throw domainError(fn, 'm', 'an ml-matrix Matrix (rows, columns, to1DArray())', describeValue(m));
  }
  const values = m.to1DArray();
  const n = m.rows * m.columns;
  if (values.length !== n) throw shapeError(fn, 'm', `to1DArray() of length rows·columns = ${n}`, `length ${values.length}`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw domainError(fn, 'm', 'a matrix of numbers', `${describeValue(v)} at (${Math.floor(i / m.columns)}, ${i % m.columns})`);
    data[i] = v;
  }
  return { rows: m.rows, cols: m.columns, data };
}
