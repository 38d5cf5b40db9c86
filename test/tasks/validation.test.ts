/**
 * Every documented throw of the tasks and probes, with its class and its whole message, and the
 * promise that no input is mutated.
 */
import { linearTask, wordTask, contrastTask, classificationTask, fitRidgeProbe, fitLogisticProbe, transferProbe } from '../../src/tasks/index.js';
import { DomainError, NumericalError, ShapeError } from '../../src/core/errors.js';
import { fromRows } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/random/createRng.js';
import { expectThrow } from '../model/expectThrow.js';

const V = fromRows([
  [1, 0],
  [0, 1],
  [0.3, 0.2],
  [-1, 0.5],
]);
const world = { V };
const H = fromRows([
  [0, 1],
  [1, 0],
  [2, 1],
  [1, 2],
  [0.5, 0.5],
]);
const y = Float64Array.of(1, 2, 3, 4, 5);
const l = Float64Array.of(0, 1, 0, 1, 1);
const anchor = { anchor: Float64Array.of(0, 0), intercept: 0 };
const one = Float64Array.of(1);
const w0 = Int32Array.of(0);
const b1 = Int32Array.of(1);

type Row = [string, () => unknown, abstract new (...args: never[]) => Error, string];

describe('tasks: every documented throw has its class and message', () => {
  const rows: Row[] = [
    ['linearTask: empty direction', () => linearTask(new Float64Array(0)), ShapeError, "linearTask: argument 'uStar' must be a non-empty vector; got length 0"],
    ['linearTask: not a typed array', () => linearTask([1] as never), DomainError, "linearTask: argument 'uStar' must be a Float64Array or Float32Array; got an array of length 1"],
    ['linearTask: negative noise', () => linearTask(one, { noiseStd: -1 }), DomainError, "linearTask: argument 'opts.noiseStd' must be a finite number ≥ 0; got -1"],
    ['linearTask: infinite bias', () => linearTask(one, { bias: Infinity }), DomainError, "linearTask: argument 'opts.bias' must be a finite number; got Infinity"],
    ['linearTask.labels: wrong width', () => linearTask(one).labels(fromRows([[1, 2]])), ShapeError, "linearTask.labels: argument 'Hstar' must be a matrix with 1 column (the task's dimension d); got a 1×2 matrix"],
    ['wordTask: no world', () => wordTask(null as never, w0, one, b1), DomainError, "wordTask: argument 'world' must be an object with a field V (the n × d matrix V*); got null"],
    ['wordTask: NaN in V', () => wordTask({ V: fromRows([[NaN]]) }, w0, one, w0), DomainError, "wordTask: argument 'world.V' must be finite everywhere; got NaN at (0, 0)"],
    ['wordTask: coefficients length', () => wordTask(world, w0, Float64Array.of(1, 2), b1, { anchor }), ShapeError, "wordTask: argument 'coefficients' must be of length 1 (one coefficient per task word); got length 2"],
    ['wordTask: int64 word index too large', () => wordTask(world, BigInt64Array.of(2n ** 40n), one, b1, { anchor }), DomainError, "wordTask: argument 'words' must be integer indices in [0, 2³¹ − 1] (what an Int32Array holds); got 1099511627776 at [0]"],
    ['wordTask: int64 word index out of the vocabulary', () => wordTask(world, BigInt64Array.of(0n, 7n), Float64Array.of(1, 2), b1, { anchor }), DomainError, "wordTask: argument 'words' must be word indices in [0, 4); got 7 at position 1"],
    ['wordTask: repeated word', () => wordTask(world, Int32Array.of(0, 0), Float64Array.of(1, 2), b1, { anchor }), DomainError, "wordTask: argument 'words' must be distinct word indices; got 0 repeated at position 1"],
    ['wordTask: anchor length', () => wordTask(world, w0, one, b1, { anchor: { anchor: one, intercept: 0 } }), ShapeError, "wordTask: argument 'opts.anchor.anchor' must be of length 2 (the dimension d of world.V); got length 1"],
    ['wordTask: contexts width', () => wordTask(world, w0, one, b1, { contexts: fromRows([[1]]) }), ShapeError, "wordTask: argument 'opts.contexts' must be a matrix with 2 columns (the dimension d of world.V); got a 1×1 matrix"],
    ['wordTask: negative context weight', () => wordTask(world, w0, one, b1, { contexts: H, weights: Float64Array.of(-1, 1, 1, 1, 1) }), DomainError, "wordTask: argument 'opts.weights' must be finite and non-negative; got -1 at [0]"],
    ['wordTask: zero context weights', () => wordTask(world, w0, one, b1, { contexts: H, weights: new Float64Array(5) }), DomainError, "wordTask: argument 'opts.weights' must be not all zero; got all zeros"],
    ['wordTask: negative ridge', () => wordTask(world, w0, one, b1, { contexts: H, ridge: -1 }), DomainError, "wordTask: argument 'opts.ridge' must be a finite number ≥ 0; got -1"],
    ['contrastTask: negative noise', () => contrastTask(world, Int32Array.of(0, 1), Float64Array.of(1, -1), { noiseStd: -2 }), DomainError, "contrastTask: argument 'opts.noiseStd' must be a finite number ≥ 0; got -2"],
    ['contrastTask: all-zero coefficients', () => contrastTask(world, Int32Array.of(0, 1), Float64Array.of(0, 0)), DomainError, "contrastTask: argument 'coefficients' must be non-zero coefficients summing to 0 (|Σ a| ≤ 1e-12·Σ|a|); got Σ a = 0, Σ|a| = 0"],
    ['classificationTask: not a task', () => classificationTask({} as never), DomainError, "classificationTask: argument 'task' must be a task with a labels(Hstar) method; got an object (Object)"],
    ['classificationTask: NaN threshold', () => classificationTask(linearTask(one), { threshold: NaN }), DomainError, "classificationTask: argument 'opts.threshold' must be a finite number; got NaN"],
    ['classificationTask: unknown rule', () => classificationTask(linearTask(one), { rule: 'probit' as never }), DomainError, "classificationTask: argument 'opts.rule' must be one of 'threshold', 'sigmoid'; got \"probit\""],
    ['classificationTask.labels: sigmoid without rng', () => classificationTask(linearTask(one), { rule: 'sigmoid' }).labels(fromRows([[1]])), DomainError, "classificationTask.labels: argument 'rng' must be an Rng (createRng(seed)) for the 'sigmoid' rule; got undefined"],
  ];
  it.each(rows)('%s', (_name, f, cls, message) => expectThrow(f, cls, message));
});

describe('probes: every documented throw has its class and message', () => {
  const ridge = fitRidgeProbe(H, y, { ridge: 0.1 });
  const logit = fitLogisticProbe(H, l, { ridge: 0.1 });
  const tp = transferProbe({ learnerV: V, anchorHat: anchor, anchorStar: anchor, words: w0, coefficients: one });
  const tpi = (o: Partial<Parameters<typeof transferProbe>[0]>) => () => transferProbe({ learnerV: V, anchorHat: anchor, anchorStar: anchor, words: w0, coefficients: one, ...o });
  const rows: Row[] = [
    ['fitRidgeProbe: empty H', () => fitRidgeProbe(fromRows([]), y), ShapeError, "fitRidgeProbe: argument 'H' must be a non-empty matrix; got a 0×0 matrix"],
    ['fitRidgeProbe: options not an object', () => fitRidgeProbe(H, y, 5 as never), DomainError, "fitRidgeProbe: argument 'opts' must be an options object or undefined; got 5"],
    ['fitRidgeProbe: negative ridge', () => fitRidgeProbe(H, y, { ridge: -1 }), DomainError, "fitRidgeProbe: argument 'opts.ridge' must be a finite number ≥ 0; got -1"],
    ['fitRidgeProbe: NaN target', () => fitRidgeProbe(H, Float64Array.of(1, 2, NaN, 4, 5)), DomainError, "fitRidgeProbe: argument 'y' must be finite everywhere; got NaN at [2]"],
    ['fitRidgeProbe: y length', () => fitRidgeProbe(H, one), ShapeError, "fitRidgeProbe: argument 'y' must be of length 5 (one per row of H); got length 1"],
    ['fitRidgeProbe: negative context weight', () => fitRidgeProbe(H, y, { weights: Float64Array.of(1, 1, 1, 1, -1) }), DomainError, "fitRidgeProbe: argument 'opts.weights' must be finite and ≥ 0; got -1 at [4]"],
    [
      'fitRidgeProbe: rank-deficient design without ridge',
      () => fitRidgeProbe(fromRows([[1, 2], [2, 4], [3, 6]]), Float64Array.of(1, 2, 3)),
      NumericalError,
      "fitRidgeProbe: the design is rank-deficient (numerical rank 1 of 2 columns after centring for the intercept, tolerance 3·ε·|R₀₀|); pass a positive 'ridge' option to regularise it",
    ],
    ['RidgeProbe.mse: y length', () => ridge.mse(H, one), ShapeError, "RidgeProbe.mse: argument 'y' must be of length 5 (one per row of H); got length 1"],
    ['RidgeProbe.predict: width', () => ridge.predict(fromRows([[1, 2, 3]])), ShapeError, "RidgeProbe.predict: argument 'H' must be a matrix with 2 columns (the probe's dimension); got a 1×3 matrix"],
    ['fitLogisticProbe: negative ridge', () => fitLogisticProbe(H, l, { ridge: -0.5 }), DomainError, "fitLogisticProbe: argument 'opts.ridge' must be a finite number ≥ 0; got -0.5"],
    ['fitLogisticProbe: labels of strings', () => fitLogisticProbe(H, ['0', '1', '0', '1', '1'] as never), DomainError, "fitLogisticProbe: argument 'labels' must be labels in {0, 1} (or false/true); got \"0\" at [0]"],
    ['fitLogisticProbe: labels not an array', () => fitLogisticProbe(H, 3 as never), DomainError, "fitLogisticProbe: argument 'labels' must be class labels (a Float64Array, Float32Array, Int32Array, Uint8Array or other integer typed array, BigInt64Array, number[] or boolean[]); got 3"],
    ['fitLogisticProbe: maxIter 0', () => fitLogisticProbe(H, l, { ridge: 1, maxIter: 0 }), DomainError, "fitLogisticProbe: argument 'opts.maxIter' must be an integer ≥ 1; got 0"],
    ['fitLogisticProbe: labels length', () => fitLogisticProbe(H, Float64Array.of(1, 0), { ridge: 1 }), ShapeError, "fitLogisticProbe: argument 'labels' must be of length 5 (one per row of H); got length 2"],
    ['fitLogisticProbe: one class', () => fitLogisticProbe(H, new Float64Array(5).fill(1), { ridge: 1 }), DomainError, "fitLogisticProbe: argument 'labels' must be both classes present (with positive weight); got a fraction 1 of label 1"],
    ['LogisticProbe.accuracy: label 0.5', () => logit.accuracy(H, Float64Array.of(0, 1, 0, 1, 0.5)), DomainError, "LogisticProbe.accuracy: argument 'labels' must be labels in {0, 1} (or false/true); got 0.5 at [4]"],
    ['LogisticProbe.predictProba: width', () => logit.predictProba(fromRows([[1]])), ShapeError, "LogisticProbe.predictProba: argument 'H' must be a matrix with 2 columns (the probe's dimension); got a 1×1 matrix"],
    ['LogisticProbe.predict: width', () => logit.predict(fromRows([[1]])), ShapeError, "LogisticProbe.predict: argument 'H' must be a matrix with 2 columns (the probe's dimension); got a 1×1 matrix"],
    ['transferProbe: positional arguments', () => (transferProbe as (...a: unknown[]) => unknown)(V, anchor, anchor, w0, one), DomainError, "transferProbe: argument 'input' must be an object { learnerV, anchorHat, anchorStar, words, coefficients }; got an object with rows=4, cols=2"],
    ['transferProbe: no anchorHat with A ≠ 0', tpi({ anchorHat: null }), DomainError, "transferProbe: argument 'input.anchorHat' must be an anchor { anchor, intercept } (Σ a = 1 ≠ 0; only a contrast task may omit it); got null"],
    ['transferProbe: anchorStar left out with A ≠ 0', tpi({ anchorStar: undefined }), DomainError, "transferProbe: argument 'input.anchorStar' must be an anchor { anchor, intercept } (Σ a = 1 ≠ 0; only a contrast task may omit it); got undefined"],
    ['transferProbe: anchor length', tpi({ anchorHat: { anchor: one, intercept: 0 } }), ShapeError, "transferProbe: argument 'input.anchorHat.anchor' must be of length 2 (the dimension of learnerV); got length 1"],
    ['transferProbe: coefficients length', tpi({ coefficients: Float64Array.of(1, 1) }), ShapeError, "transferProbe: argument 'input.coefficients' must be of length 1 (one coefficient per task word); got length 2"],
    ['transferProbe: word out of range', tpi({ words: Int32Array.of(9) }), DomainError, "transferProbe: argument 'input.words' must be word indices in [0, 4); got 9 at position 0"],
    ['TransferProbe.predict: width', () => tp.predict(fromRows([[1]])), ShapeError, "TransferProbe.predict: argument 'H' must be a matrix with 2 columns (the probe's dimension); got a 1×1 matrix"],
  ];
  it.each(rows)('%s', (_name, f, cls, message) => expectThrow(f, cls, message));
});

describe('no input is mutated', () => {
  const snap = (...xs: (Matrix | ArrayLike<number>)[]) => JSON.stringify(xs.map((x) => Array.from('data' in x ? x.data : x)));
  it('tasks, probes and their methods leave every argument as it was', () => {
    const before = snap(V, H, y, l, anchor.anchor);
    const words = Int32Array.of(0, 2);
    const weights = Float64Array.of(1, 0.5);
    const bulk = Int32Array.of(1, 3);
    const cw = Float64Array.of(1, 2, 1, 2, 1);
    const argsBefore = snap(words, weights, bulk, cw);
    const task = wordTask(world, words, weights, bulk, { contexts: H, weights: cw });
    task.labels(H);
    contrastTask(world, Int32Array.of(0, 1), Float64Array.of(1, -1)).labels(H);
    classificationTask(task, { rule: 'sigmoid' }).labels(H, createRng(1));
    const ridge = fitRidgeProbe(H, y, { ridge: 0.1, weights: cw });
    ridge.mse(H, y, cw);
    const logit = fitLogisticProbe(H, l, { ridge: 0.1, weights: cw });
    logit.accuracy(H, l);
    logit.predict(H);
    logit.predictProba(H);
    logit.logLoss(H, l);
    const tp = transferProbe({ learnerV: V, anchorHat: anchor, anchorStar: anchor, words, coefficients: weights });
    tp.predict(H);
    expect(snap(V, H, y, l, anchor.anchor)).toBe(before);
    expect(snap(words, weights, bulk, cw)).toBe(argsBefore);
    // The task keeps copies: changing the caller's arrays afterwards does not change it.
    const y0 = task.labels(H)[0];
    const ownWeights = Float64Array.from(weights);
    const later = wordTask(world, words, ownWeights, bulk, { contexts: H });
    ownWeights[0] = 100;
    expect(later.coefficients[0]).toBe(1);
    expect(task.labels(H)[0]).toBe(y0);
  });
});
