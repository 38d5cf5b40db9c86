/**
 * The foundation's contract across all of its public functions (issue 2, "Bad input" and "Tests
 * that must exist"): every documented throw, with its class and its exact message, and inputs that
 * are never mutated. The per-module tests check the same functions' numerics; this file is the one
 * place where the whole surface of the numerical core is listed, so a new public function or a
 * changed message shows up here.
 *
 * Messages follow the template of src/core/check.ts,
 * `<fn>: argument '<name>' must <expected>; got <what arrived>`; the few `NumericalError`s that are
 * not about one argument (an overflow, a rank-deficient design) name the function and say what to do.
 */
import { DomainError, LmTransferError, NumericalError, ShapeError } from '../../src/core/index.js';
import { choleskyDecompose, choleskySolve, matmul, matmulTransposeA, matmulTransposeB, solveLeastSquares } from '../../src/linalg/index.js';
import { crossEntropy, klDivergenceRows, totalVariationRows } from '../../src/loss/index.js';
import { allocFloat, cloneMatrix, dtypeOf, fromRows, matrix, toRows, zeros } from '../../src/core/index.js';
import type { FloatArray, Matrix } from '../../src/core/index.js';
import { createRng, sampleCategorical } from '../../src/random/index.js';
import { logPartition, logSoftmaxRows, logSumExp, softmaxRows } from '../../src/softmax/index.js';

type ErrorClass = typeof ShapeError | typeof DomainError | typeof NumericalError;
type Case = [label: string, call: () => unknown, cls: ErrorClass, message: string];

// Deliberately malformed arguments are passed through `any`-free casts to `never`.
const bad = <T>(v: unknown): T => v as T;

const V = fromRows([[1, 0], [0, 1], [0, 0]]);
const H = fromRows([[0, 0]]);
const Z = fromRows([[0, 1, 2], [1, 1, 1]]);
const X = fromRows([[1, 2], [3, 4], [5, 7]]);
const y = Float64Array.of(1, 2, 3);
const rng = createRng(1);
const RNG_INT = "Rng.int: argument 'n' must be an integer in [1, 9007199254740992]";

const cases: Case[] = [
  // src/matrix
  ['matrix: data length', () => matrix(2, 3, [1, 2]), ShapeError, "matrix: argument 'data' must have rows·cols = 2·3 = 6 elements; got 2"],
  ['matrix: rows', () => matrix(1.5, 3), DomainError, "matrix: argument 'rows' must be a non-negative integer; got 1.5"],
  ['matrix: cols', () => matrix(1, -1), DomainError, "matrix: argument 'cols' must be a non-negative integer; got -1"],
  ['matrix: data kind', () => matrix(1, 2, bad('ab')), DomainError, "matrix: argument 'data' must be a Float64Array, a Float32Array, an integer typed array or an array of numbers; got \"ab\""],
  ['matrix: data entries', () => matrix(1, 2, bad([1, '2'])), DomainError, "matrix: argument 'data' must contain only numbers; got \"2\" at [1]"],
  ['fromRows: ragged', () => fromRows([[1, 2], [3]]), ShapeError, "fromRows: argument 'rows' must have rows of equal length 2 (the length of row 0); got row 1 of length 1"],
  ['fromRows: not an array', () => fromRows(bad(5)), DomainError, "fromRows: argument 'rows' must be an array of rows, each a number array or a numeric typed array; got 5"],
  ['fromRows: a row not an array', () => fromRows(bad([[1], 2])), DomainError, "fromRows: argument 'rows' must be an array of rows, each a number array or a numeric typed array; got 2 at row 1"],
  ['fromRows: entry', () => fromRows(bad([[1, undefined]])), DomainError, "fromRows: argument 'rows' must contain only numbers; got undefined at (0, 1)"],
  ['fromRows: dtype', () => fromRows([[1]], bad('float16')), DomainError, "fromRows: argument 'dtype' must be one of 'float64', 'float32'; got \"float16\""],
  ['toRows', () => toRows(bad(null)), DomainError, "toRows: argument 'a' must be a Matrix { rows, cols, data }; got null"],
  ['zeros: cols', () => zeros(2, -1), DomainError, "zeros: argument 'cols' must be a non-negative integer; got -1"],
  ['zeros: dtype', () => zeros(2, 1, bad('int32')), DomainError, "zeros: argument 'dtype' must be one of 'float64', 'float32'; got \"int32\""],
  ['cloneMatrix', () => cloneMatrix({ rows: 1, cols: 2, data: new Float64Array(3) }), ShapeError, "cloneMatrix: argument 'a' must be a Matrix with data.length = rows·cols = 1·2 = 2; got data.length = 3"],
  ['dtypeOf', () => dtypeOf(bad({ rows: 1, cols: 1, data: [1] })), DomainError, "dtypeOf: argument 'a' must be a Matrix whose data is a Float64Array or Float32Array; got an array of length 1"],
  ['allocFloat', () => allocFloat('float64', -1), DomainError, "allocFloat: argument 'length' must be a non-negative integer; got -1"],
  // src/softmax
  ['logSumExp: empty', () => logSumExp(new Float64Array(0)), ShapeError, "logSumExp: argument 'x' must be a non-empty vector (the log of an empty sum is −Infinity); got an empty array"],
  ['logSumExp: NaN', () => logSumExp(Float64Array.of(1, NaN)), DomainError, "logSumExp: argument 'x' must be free of NaN and +Infinity (−Infinity is allowed); got NaN at [1]"],
  ['logSumExp: kind', () => logSumExp(bad([1])), DomainError, "logSumExp: argument 'x' must be a Float64Array or Float32Array; got an array of length 1"],
  ['softmaxRows: no columns', () => softmaxRows(matrix(2, 0)), ShapeError, "softmaxRows: argument 'z' must be a matrix with at least one column; got a 2×0 matrix"],
  ['softmaxRows: NaN', () => softmaxRows(fromRows([[0, NaN]])), DomainError, "softmaxRows: argument 'z' must be free of NaN and +Infinity (−Infinity is allowed); got NaN at (0, 1)"],
  ['softmaxRows: row of −Infinity', () => softmaxRows(fromRows([[-Infinity]])), DomainError, "softmaxRows: argument 'z' must be a matrix whose every row has a finite entry; got row 0 entirely −Infinity"],
  ['logSoftmaxRows: +Infinity', () => logSoftmaxRows(fromRows([[Infinity, 0]])), DomainError, "logSoftmaxRows: argument 'z' must be free of NaN and +Infinity (−Infinity is allowed); got Infinity at (0, 0)"],
  ['logSoftmaxRows: not a matrix', () => logSoftmaxRows(bad(null)), DomainError, "logSoftmaxRows: argument 'z' must be a Matrix { rows, cols, data }; got null"],
  ['logPartition: empty V', () => logPartition(matrix(0, 2), H), ShapeError, "logPartition: argument 'V' must be a non-empty matrix; got a 0×2 matrix"],
  ['logPartition: H columns', () => logPartition(V, fromRows([[1, 2, 3]])), ShapeError, "logPartition: argument 'H' must be a matrix with 2 columns (V.cols, the dimension d); got a 1×3 matrix"],
  ['logPartition: empty words', () => logPartition(V, H, new Int32Array(0)), ShapeError, "logPartition: argument 'words' must be a non-empty set of word indices; got an empty Int32Array"],
  ['logPartition: word too large', () => logPartition(V, H, Int32Array.of(0, 3)), DomainError, "logPartition: argument 'words' must be word indices in [0, 3); got 3 at position 1"],
  ['logPartition: negative word', () => logPartition(V, H, Int32Array.of(-1)), DomainError, "logPartition: argument 'words' must be word indices in [0, 3); got -1 at position 0"],
  ['logPartition: repeated word', () => logPartition(V, H, Int32Array.of(1, 1)), DomainError, "logPartition: argument 'words' must be distinct word indices; got 1 repeated at position 1"],
  ['logPartition: non-integer words', () => logPartition(V, H, bad(Float64Array.of(0.5))), DomainError, "logPartition: argument 'words' must be an Int32Array of word indices; got Float64Array of length 1"],
  ['logPartition: NaN in V', () => logPartition(fromRows([[1, NaN]]), H), DomainError, "logPartition: argument 'V' must be finite everywhere; got NaN at (0, 1)"],
  ['logPartition: Infinity in H', () => logPartition(V, fromRows([[Infinity, 0]])), DomainError, "logPartition: argument 'H' must be finite everywhere; got Infinity at (0, 0)"],
  ['logPartition: overflow', () => logPartition(fromRows([[1e200, 1e200]]), fromRows([[1e200, 0]])), NumericalError, "logPartition: the logits V·h for row 0 of 'H' must be finite; got an overflow (|⟨v_w, h⟩| beyond the float64 range): scale V or H down"],
  // src/loss
  ['crossEntropy: empty logits', () => crossEntropy(matrix(0, 3), new Int32Array(0)), ShapeError, "crossEntropy: argument 'logits' must be a non-empty matrix; got a 0×3 matrix"],
  ['crossEntropy: targets length', () => crossEntropy(Z, Int32Array.of(0)), ShapeError, "crossEntropy: argument 'targets' must be an Int32Array of length 2 (logits.rows); got length 1"],
  ['crossEntropy: target too large', () => crossEntropy(Z, Int32Array.of(0, 3)), DomainError, "crossEntropy: argument 'targets' must be word indices in [0, 3); got 3 at position 1"],
  ['crossEntropy: negative target', () => crossEntropy(Z, Int32Array.of(-1, 0)), DomainError, "crossEntropy: argument 'targets' must be word indices in [0, 3); got -1 at position 0"],
  ['crossEntropy: targets kind', () => crossEntropy(Z, bad([0, 1])), DomainError, "crossEntropy: argument 'targets' must be an Int32Array of class indices or a Matrix of row distributions; got an array of length 2"],
  ['crossEntropy: distribution shape', () => crossEntropy(Z, fromRows([[1, 0, 0]])), ShapeError, "crossEntropy: argument 'targets' must be a 2×3 matrix (the shape of logits); got a 1×3 matrix"],
  ['crossEntropy: negative probability', () => crossEntropy(Z, fromRows([[1, 0, 0], [0.5, 0.6, -0.1]])), DomainError, "crossEntropy: argument 'targets' must be a matrix of probability distributions (finite, non-negative entries); got -0.1 at (1, 2)"],
  ['crossEntropy: NaN probability', () => crossEntropy(Z, fromRows([[1, 0, 0], [0.5, NaN, 0.5]])), DomainError, "crossEntropy: argument 'targets' must be a matrix of probability distributions (finite, non-negative entries); got NaN at (1, 1)"],
  ['crossEntropy: infinite probability', () => crossEntropy(Z, fromRows([[1, 0, 0], [Infinity, 0, 0]])), DomainError, "crossEntropy: argument 'targets' must be a matrix of probability distributions (finite, non-negative entries); got Infinity at (1, 0)"],
  ['crossEntropy: row sum', () => crossEntropy(Z, fromRows([[1, 0, 0], [0.5, 0.6, 0]])), DomainError, "crossEntropy: argument 'targets' must be a matrix whose rows sum to 1 (within 1.000e-6 = 1e-6 + n·u); got row 1 summing to 1.1"],
  ['crossEntropy: NaN logit', () => crossEntropy(fromRows([[0, NaN, 1]]), Int32Array.of(0)), DomainError, "crossEntropy: argument 'logits' must be finite everywhere; got NaN at (0, 1)"],
  ['crossEntropy: reduction', () => crossEntropy(Z, Int32Array.of(0, 1), { reduction: bad('avg') }), DomainError, "crossEntropy: argument 'opts.reduction' must be one of 'mean', 'sum', 'none'; got \"avg\""],
  ['crossEntropy: grad', () => crossEntropy(Z, Int32Array.of(0, 1), { grad: bad(1) }), DomainError, "crossEntropy: argument 'opts.grad' must be a boolean or undefined; got 1"],
  ['crossEntropy: opts', () => crossEntropy(Z, Int32Array.of(0, 1), bad(5)), DomainError, "crossEntropy: argument 'opts' must be an options object or undefined; got 5"],
  ['klDivergenceRows: shapes', () => klDivergenceRows(fromRows([[0, 1]]), fromRows([[0, 1, 2]])), ShapeError, "klDivergenceRows: argument 'logitsQ' must be a 1×2 matrix (the shape of logitsP); got a 1×3 matrix"],
  ['klDivergenceRows: no columns', () => klDivergenceRows(matrix(1, 0), matrix(1, 0)), ShapeError, "klDivergenceRows: argument 'logitsP' must be a matrix with at least one column; got a 1×0 matrix"],
  ['klDivergenceRows: −Infinity', () => klDivergenceRows(fromRows([[0, -Infinity]]), fromRows([[0, 1]])), DomainError, "klDivergenceRows: argument 'logitsP' must be finite everywhere; got -Infinity at (0, 1)"],
  ['totalVariationRows: NaN', () => totalVariationRows(fromRows([[0, 1]]), fromRows([[NaN, 1]])), DomainError, "totalVariationRows: argument 'logitsQ' must be finite everywhere; got NaN at (0, 0)"],
  ['totalVariationRows: not a matrix', () => totalVariationRows(bad(null), fromRows([[0]])), DomainError, "totalVariationRows: argument 'logitsP' must be a Matrix { rows, cols, data }; got null"],
  // src/linalg
  ['matmul: shapes', () => matmul(matrix(2, 3), matrix(2, 3)), ShapeError, "matmul: argument 'b' must have 3 rows (a.cols); got a 2×3 matrix"],
  ['matmulTransposeB: shapes', () => matmulTransposeB(matrix(2, 3), matrix(2, 4)), ShapeError, "matmulTransposeB: argument 'b' must have 3 columns (a.cols); got a 2×4 matrix"],
  ['matmulTransposeA: shapes', () => matmulTransposeA(matrix(3, 2), matrix(2, 4)), ShapeError, "matmulTransposeA: argument 'b' must have 3 rows (a.rows); got a 2×4 matrix"],
  ['matmul: data kind', () => matmul(bad({ rows: 2, cols: 2, data: [1, 2, 3, 4] }), matrix(2, 2)), DomainError, "matmul: argument 'a' must be a Matrix whose data is a Float64Array or Float32Array; got an array of length 4"],
  ['matmul: data length', () => matmul(matrix(2, 2), { rows: 2, cols: 2, data: new Float64Array(3) }), ShapeError, "matmul: argument 'b' must be a Matrix with data.length = rows·cols = 2·2 = 4; got data.length = 3"],
  ['solveLeastSquares: empty X', () => solveLeastSquares(matrix(0, 2), new Float64Array(0)), ShapeError, "solveLeastSquares: argument 'X' must be a non-empty matrix; got a 0×2 matrix"],
  ['solveLeastSquares: NaN in X', () => solveLeastSquares(fromRows([[1, NaN]]), Float64Array.of(1)), DomainError, "solveLeastSquares: argument 'X' must be finite everywhere; got NaN at (0, 1)"],
  ['solveLeastSquares: y length', () => solveLeastSquares(X, Float64Array.of(1)), ShapeError, "solveLeastSquares: argument 'y' must be of length 3 (X.rows); got length 1"],
  ['solveLeastSquares: y kind', () => solveLeastSquares(X, bad([1, 2, 3])), DomainError, "solveLeastSquares: argument 'y' must be a Float64Array or Float32Array; got an array of length 3"],
  ['solveLeastSquares: NaN in y', () => solveLeastSquares(X, Float64Array.of(1, NaN, 3)), DomainError, "solveLeastSquares: argument 'y' must be finite everywhere; got NaN at [1]"],
  ['solveLeastSquares: negative ridge', () => solveLeastSquares(X, y, { ridge: -1 }), DomainError, "solveLeastSquares: argument 'opts.ridge' must be a finite number ≥ 0; got -1"],
  ['solveLeastSquares: NaN ridge', () => solveLeastSquares(X, y, { ridge: NaN }), DomainError, "solveLeastSquares: argument 'opts.ridge' must be a finite number ≥ 0; got NaN"],
  ['solveLeastSquares: weights length', () => solveLeastSquares(X, y, { weights: Float64Array.of(1) }), ShapeError, "solveLeastSquares: argument 'opts.weights' must be of length 3 (X.rows); got length 1"],
  ['solveLeastSquares: negative weight', () => solveLeastSquares(X, y, { weights: Float64Array.of(1, -1, 1) }), DomainError, "solveLeastSquares: argument 'opts.weights' must be finite and non-negative; got -1 at [1]"],
  ['solveLeastSquares: zero weights', () => solveLeastSquares(X, y, { weights: new Float64Array(3) }), DomainError, "solveLeastSquares: argument 'opts.weights' must be weights with at least one positive entry; got all zeros"],
  ['solveLeastSquares: intercept', () => solveLeastSquares(X, y, { intercept: bad('yes') }), DomainError, "solveLeastSquares: argument 'opts.intercept' must be a boolean; got \"yes\""],
  ['solveLeastSquares: opts', () => solveLeastSquares(X, y, bad(3)), DomainError, "solveLeastSquares: argument 'opts' must be an options object or undefined; got 3"],
  ['solveLeastSquares: rank-deficient without ridge', () => solveLeastSquares(fromRows([[1, 2], [2, 4], [3, 6]]), y), NumericalError, "solveLeastSquares: the design is rank-deficient (numerical rank 1 of 2 columns, tolerance 3·ε·|R₀₀|); pass a positive 'ridge' option to regularise it"],
  ['choleskyDecompose: indefinite', () => choleskyDecompose(fromRows([[1, 2], [2, 1]])), NumericalError, "choleskyDecompose: argument 'a' must be symmetric positive definite; got a non-positive pivot -3 at row 1"],
  ['choleskyDecompose: not square', () => choleskyDecompose(matrix(2, 3)), ShapeError, "choleskyDecompose: argument 'a' must be a square matrix; got a 2×3 matrix"],
  ['choleskyDecompose: NaN', () => choleskyDecompose(fromRows([[1, 0], [NaN, 1]])), DomainError, "choleskyDecompose: argument 'a' must be finite everywhere; got NaN at (1, 0)"],
  ['choleskySolve: zero pivot', () => choleskySolve(fromRows([[1, 0], [0, 0]]), Float64Array.of(1, 1)), DomainError, "choleskySolve: argument 'l' must be a Cholesky factor with a positive diagonal; got 0 at (1, 1)"],
  ['choleskySolve: b length', () => choleskySolve(fromRows([[1, 0], [0, 1]]), Float64Array.of(1, 1, 1)), ShapeError, "choleskySolve: argument 'b' must be of length 2 (l.rows); got length 3"],
  ['choleskySolve: not square', () => choleskySolve(matrix(2, 1), Float64Array.of(1, 1)), ShapeError, "choleskySolve: argument 'l' must be a square matrix; got a 2×1 matrix"],
  ['choleskySolve: NaN in b', () => choleskySolve(fromRows([[1, 0], [0, 1]]), Float64Array.of(1, NaN)), DomainError, "choleskySolve: argument 'b' must be finite everywhere; got NaN at [1]"],
  // src/random
  ['createRng: empty seed', () => createRng(''), DomainError, "createRng: argument 'seed' must be a non-empty string or a finite number; got an empty string"],
  ['createRng: NaN seed', () => createRng(NaN), DomainError, "createRng: argument 'seed' must be a non-empty string or a finite number; got NaN"],
  ['Rng.fork: label', () => rng.fork(NaN), DomainError, "Rng.fork: argument 'label' must be a string or a finite number; got NaN"],
  ['Rng.int: zero', () => rng.int(0), DomainError, `${RNG_INT}; got 0`],
  ['Rng.int: fraction', () => rng.int(2.5), DomainError, `${RNG_INT}; got 2.5`],
  ['sampleCategorical: empty', () => sampleCategorical(new Float64Array(0), rng), ShapeError, "sampleCategorical: argument 'logits' must be a non-empty vector; got an empty array"],
  ['sampleCategorical: NaN', () => sampleCategorical(Float64Array.of(0, NaN), rng), DomainError, "sampleCategorical: argument 'logits' must be finite everywhere; got NaN at [1]"],
  ['sampleCategorical: kind', () => sampleCategorical(bad([1, 2]), rng), DomainError, "sampleCategorical: argument 'logits' must be a Float64Array or Float32Array; got an array of length 2"],
  ['sampleCategorical: rng', () => sampleCategorical(Float64Array.of(1), bad({})), DomainError, "sampleCategorical: argument 'rng' must be an Rng from createRng; got an object (Object)"],
];

/** The argument-error template of src/core/check.ts. */
const TEMPLATE = /^[A-Za-z.]+: argument '[A-Za-z.]+' must .+; got .+$/;

describe('every documented throw of the foundation: class and message', () => {
  it.each(cases)('%s', (_label, call, cls, message) => {
    let caught: unknown;
    try {
      call();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(cls);
    expect(caught).toBeInstanceOf(LmTransferError);
    const err = caught as Error;
    expect(err.name).toBe(cls.name);
    expect(err.message).toBe(message);
    // Argument errors follow the template; the NumericalErrors above are the documented exceptions.
    if (cls !== NumericalError) expect(err.message).toMatch(TEMPLATE);
  });
});

/** A deep snapshot of every typed array and plain value reachable from the arguments. */
function snapshot(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (v) => (Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v));
  if (Array.isArray(value)) return value.map(snapshot);
  if (value !== null && typeof value === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) o[k] = snapshot(v);
    return o;
  }
  return value;
}

/** Fill a matrix with seeded normals (createRng, so the inputs are reproducible). */
function randomMatrix(rows: number, cols: number, seed: string, f32 = false, scale = 1): Matrix {
  const r = createRng(seed);
  const data: FloatArray = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) data[k] = r.normal() * scale;
  return { rows, cols, data };
}

describe('inputs are never mutated', () => {
  // Sizes above the WebAssembly cut-over (4096 multiply-adds) and the TypeScript kernel's packing
  // threshold (32³), so that the accelerated and packed paths are the ones exercised.
  const cases2: Array<[string, () => unknown[], (...args: never[]) => unknown]> = [];
  for (const f32 of [false, true]) {
    const tag = f32 ? 'float32' : 'float64';
    const logits = (): Matrix => randomMatrix(6, 9, 'z' + tag, f32, 3);
    const dist = (): Matrix => softmaxRows(randomMatrix(6, 9, 'q' + tag, f32));
    cases2.push(
      [`logSumExp ${tag}`, () => [logits().data], logSumExp],
      [`softmaxRows ${tag}`, () => [logits()], softmaxRows],
      [`logSoftmaxRows ${tag}`, () => [logits()], logSoftmaxRows],
      [`logPartition ${tag}`, () => [randomMatrix(70, 40, 'V' + tag, f32), randomMatrix(50, 40, 'H' + tag, f32), Int32Array.of(3, 0, 69, 12)], logPartition],
      [`crossEntropy index ${tag}`, () => [logits(), Int32Array.of(0, 8, 3, 3, 1, 2), Object.freeze({ grad: true })], crossEntropy],
      [`crossEntropy distribution ${tag}`, () => [logits(), dist(), Object.freeze({ grad: true, reduction: 'sum' })], crossEntropy],
      [`klDivergenceRows ${tag}`, () => [logits(), randomMatrix(6, 9, 'z2' + tag, f32)], klDivergenceRows],
      [`totalVariationRows ${tag}`, () => [logits(), randomMatrix(6, 9, 'z3' + tag, f32)], totalVariationRows],
      [`matmul ${tag}`, () => [randomMatrix(40, 50, 'a' + tag, f32), randomMatrix(50, 45, 'b' + tag, f32)], matmul],
      [`matmulTransposeA ${tag}`, () => [randomMatrix(50, 40, 'a' + tag, f32), randomMatrix(50, 45, 'b' + tag, f32)], matmulTransposeA],
      [`matmulTransposeB ${tag}`, () => [randomMatrix(40, 50, 'a' + tag, f32), randomMatrix(45, 50, 'b' + tag, f32)], matmulTransposeB],
      [`matmul mixed ${tag}`, () => [randomMatrix(40, 50, 'a' + tag, f32), randomMatrix(50, 45, 'b' + tag, !f32)], matmul],
      [
        `solveLeastSquares (Cholesky path) ${tag}`,
        () => [randomMatrix(30, 4, 'X' + tag, f32), randomMatrix(1, 30, 'y' + tag, f32).data, Object.freeze({ weights: Float64Array.from({ length: 30 }, (_, i) => 1 + (i % 3)), intercept: true, ridge: 0.1 })],
        solveLeastSquares,
      ],
      [`sampleCategorical ${tag}`, () => [logits().data, createRng('s' + tag)], sampleCategorical],
      [`toRows ${tag}`, () => [logits()], toRows],
      [`cloneMatrix ${tag}`, () => [logits()], cloneMatrix],
      [`dtypeOf ${tag}`, () => [logits()], dtypeOf],
    );
  }
  // The QR path factors a copy of the design in place; the caller's X must be untouched.
  cases2.push([
    'solveLeastSquares (QR path)',
    () => {
      const X2 = randomMatrix(20, 3, 'collinear');
      const noise = createRng('collinear-noise');
      for (let i = 0; i < 20; i++) X2.data[i * 3 + 2] = X2.data[i * 3] + 1e-7 * noise.normal();
      return [X2, randomMatrix(1, 20, 'y2').data];
    },
    (X2: Matrix, y2: Float64Array) => {
      const fit = solveLeastSquares(X2, y2);
      // κ(XᵀX) ≈ 1e14 here, so this is the path that overwrites a copy of the design.
      expect(fit.method).toBe('qr');
      return fit;
    },
  ]);
  cases2.push(['choleskyDecompose', () => [fromRows([[4, 2, 0], [2, 5, 1], [0, 1, 3]])], choleskyDecompose]);
  cases2.push(['choleskySolve', () => [choleskyDecompose(fromRows([[4, 2], [2, 5]])), Float64Array.of(6, 7)], choleskySolve]);
  cases2.push(['matrix (plain array)', () => [2, 2, [1, 2, 3, 4]], matrix]);
  cases2.push(['fromRows', () => [[[1, 2], [3, 4]], 'float32'], fromRows]);

  it.each(cases2)('%s', (_label, makeArgs, fn) => {
    const args = makeArgs();
    const before = snapshot(args);
    const result = (fn as (...a: unknown[]) => unknown)(...args);
    expect(result).toBeDefined();
    expect(snapshot(args)).toEqual(before);
  });

  it('has teeth: the snapshot comparison sees a one-entry change', () => {
    const args = [randomMatrix(3, 3, 'teeth')];
    const before = snapshot(args);
    (args[0].data as Float64Array)[4] += 1e-12;
    expect(snapshot(args)).not.toEqual(before);
  });
});
