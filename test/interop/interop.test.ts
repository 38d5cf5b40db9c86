/**
 * Interop: ml-matrix and TensorFlow.js tensors (float32) in and out, nested arrays, with round
 * trips that are exact where the storage allows and float32 rounding where it does not; and the
 * library never imports TensorFlow.js.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Matrix as MlMatrix } from 'ml-matrix';
import { fromMlMatrix, fromTensor, toMlMatrix, toTensor } from '../../src/interop/index.js';
import { fromRows, toRows, type Matrix } from '../../src/core/matrix.js';
import { DomainError, ShapeError } from '../../src/core/errors.js';
import { fitRidgeProbe } from '../../src/tasks/index.js';

const dims = fc.record({ rows: fc.integer({ min: 0, max: 6 }), cols: fc.integer({ min: 0, max: 6 }) });
const valuesFor = (n: number) => fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }), { minLength: n, maxLength: n });

describe('ml-matrix', () => {
  it('round-trips any float64 matrix exactly, and widens float32 exactly', () => {
    fc.assert(
      fc.property(dims.chain(({ rows, cols }) => valuesFor(rows * cols).map((v) => ({ rows, cols, v }))), ({ rows, cols, v }) => {
        const a: Matrix = { rows, cols, data: Float64Array.from(v) };
        const m = toMlMatrix(a);
        expect([m.rows, m.columns]).toEqual([rows, cols]);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(m.get(i, j)).toBe(v[i * cols + j]);
        const back = fromMlMatrix(m);
        expect(back.data).toBeInstanceOf(Float64Array);
        expect(Array.from(back.data)).toEqual(Array.from(a.data));
        const f32: Matrix = { rows, cols, data: Float32Array.from(v) };
        expect(Array.from(fromMlMatrix(toMlMatrix(f32)).data)).toEqual(Array.from(f32.data));
      }),
      { seed: 91, numRuns: 100 },
    );
  });

  it('a matrix built with ml-matrix feeds a probe', () => {
    const H = fromMlMatrix(new MlMatrix([[0], [1], [2]]));
    const p = fitRidgeProbe(H, Float64Array.of(1, 3, 5));
    expect(p.coefficients[0]).toBeCloseTo(2, 12);
  });

  it('rejects what is not an ml-matrix', () => {
    expect(() => fromMlMatrix([[1]] as never)).toThrow("fromMlMatrix: argument 'm' must be an ml-matrix Matrix (rows, columns, to1DArray()); got an array of length 1");
    expect(() => fromMlMatrix({ rows: 1, columns: 2, to1DArray: () => [1] })).toThrow(ShapeError);
    expect(() => toMlMatrix({ rows: 1, cols: 1, data: [1] } as never)).toThrow(DomainError);
  });
});

describe('TensorFlow.js tensors (structural; float32)', () => {
  it('a float32 tensor becomes a float32 matrix bit for bit, and back', () => {
    fc.assert(
      fc.property(dims.chain(({ rows, cols }) => valuesFor(rows * cols).map((v) => ({ rows, cols, v }))), ({ rows, cols, v }) => {
        const f32 = Float32Array.from(v);
        const t = tf.tensor2d(f32, [rows, cols], 'float32');
        const a = fromTensor(t);
        expect(a.data).toBeInstanceOf(Float32Array);
        expect([a.rows, a.cols]).toEqual([rows, cols]);
        expect(Array.from(a.data)).toEqual(Array.from(f32));
        const back = toTensor(a, tf);
        expect(back.shape).toEqual([rows, cols]);
        expect(back.dtype).toBe('float32');
        expect(Array.from(back.dataSync())).toEqual(Array.from(f32));
        // float64 in: rounded to nearest float32, exactly as Float32Array.from rounds.
        const t64 = toTensor({ rows, cols, data: Float64Array.from(v) }, tf);
        expect(Array.from(t64.dataSync())).toEqual(Array.from(f32));
        // Widening on request is exact.
        expect(Array.from(fromTensor(t, { dtype: 'float64' }).data)).toEqual(Array.from(f32));
        tf.dispose([t, back, t64]);
      }),
      { seed: 92, numRuns: 60 },
    );
  });

  it('int32 tensors become float64; anything with shape and dataSync() works', () => {
    const t = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    const a = fromTensor(t);
    expect(a.data).toBeInstanceOf(Float64Array);
    expect(toRows(a)).toEqual([[1, 2, 3]]);
    t.dispose();
    const fake = { shape: [2, 1], dataSync: () => Float32Array.of(0.5, 0.25) };
    expect(toRows(fromTensor(fake))).toEqual([[0.5], [0.25]]);
  });

  it('rejects other ranks and non-tensors with typed errors', () => {
    const v = tf.tensor1d([1, 2]);
    expect(() => fromTensor(v)).toThrow("fromTensor: argument 'tensor' must be a rank-2 tensor [rows, cols] (use dataSync() for a vector); got shape [2]");
    v.dispose();
    expect(() => fromTensor({ shape: [2, 2], dataSync: () => [1] })).toThrow(ShapeError);
    expect(() => fromTensor({} as never)).toThrow(DomainError);
    expect(() => toTensor(fromRows([[1]]), {} as never)).toThrow("toTensor: argument 'tf' must be the TensorFlow.js module (an object with tensor2d); got an object (Object)");
  });

  it('toTensor refuses a finite float64 beyond the float32 range instead of storing Infinity', () => {
    const fake = { tensor2d: (values: Float32Array) => values };
    // 2^128 − 2^103 rounds to Infinity in float32; the largest float32 itself passes unchanged.
    expect(() => toTensor({ rows: 1, cols: 2, data: Float64Array.of(1, 2 ** 128 - 2 ** 103) }, fake)).toThrow("toTensor: argument 'a' must be finite in float32 (|x| < 3.4e38); got 3.4028235677973366e+38 at index 1");
    const top = Math.fround(3.4028234663852886e38);
    expect(toTensor({ rows: 1, cols: 1, data: Float64Array.of(top) }, fake)[0]).toBe(top);
    // Non-finite input is carried through as it is (IEEE semantics, like the library's products).
    expect(toTensor({ rows: 1, cols: 1, data: Float64Array.of(Infinity) }, fake)[0]).toBe(Infinity);
  });

  it('nothing under src/ imports TensorFlow.js (it stays a devDependency)', () => {
    const root = join(__dirname, '..', '..', 'src');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
      }
    };
    walk(root);
    // Code lines only: the TSDoc examples show a user's `import * as tf from '@tensorflow/tfjs'`.
    const code = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n');
    const offenders = files.filter((f) => /(from|import|import\(|require\()\s*['"]@tensorflow\//.test(code(f)));
    expect(offenders).toEqual([]);
  });
});

describe('nested arrays', () => {
  it('fromRows / toRows round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }).chain((c) => fc.array(valuesFor(c), { minLength: 1, maxLength: 5 })), (_r, rows) => {
        expect(toRows(fromRows(rows))).toEqual(rows.map((r) => r.map((x) => (Object.is(x, -0) ? -0 : x))));
      }),
      { seed: 93, numRuns: 60 },
    );
  });
});
