import { Matrix as MlMatrix } from 'ml-matrix';
import { checkMatrix } from '../core/check.js';
import type { Matrix } from '../core/matrix.js';

/**
 * An ml-matrix `Matrix` with a copy of a matrix's values (float32 values widen to float64 exactly),
 * for the decompositions and statistics ml-matrix offers.
 *
 * @throws DomainError / ShapeError on a malformed matrix.
 * @example
 * ```ts
 * const m = toMlMatrix(fromRows([[1, 2], [3, 4]]));
 * m.get(1, 0); // 3
 * ```
 */
export function toMlMatrix(a: Matrix): MlMatrix {
  checkMatrix('toMlMatrix', 'a', a);
  const out = new MlMatrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.set(i, j, a.data[i * a.cols + j]);
  return out;
}
