/**
 * The benchmarks' training-step rows go through the public `train` for both precisions: the suite's
 * row (`bench/lib/self.ts`, which calls `TrainSession.step()` so that the once-per-run work is not
 * timed) leaves the learner bitwise where `train` leaves it, and `bench/trainStep.bench.ts` (which
 * calls `train` itself) runs a float64 and a float32 learner.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { trainStepRow } from '../../bench/lib/self.js';
import { train } from '../../src/train/train.js';

const ROOT = resolve(__dirname, '../..');
const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => Object.is(x, b[i]));

describe('bench training-step rows', () => {
  it.each(['float64', 'float32'] as const)('%s: k runs of the suite row equal train(…, { steps: k }) bitwise', (dtype) => {
    const size = { B: 24, d: 8, n: 40, bulk: 0 };
    const row = trainStepRow(dtype, size);
    expect(row.learner.dtype).toBe(dtype);
    expect(row.learner.params).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
    const before = row.learner.params.slice();
    const k = 3;
    for (let i = 0; i < k; i++) void row.run();
    // Teeth: the row does move the parameters.
    expect(sameBits(before, row.learner.params)).toBe(false);
    // The same learner, fresh (a second row is built identically), trained by the public train for
    // k steps with the row's options and data.
    const ref = trainStepRow(dtype, size);
    expect(sameBits(ref.learner.params, before)).toBe(true);
    train(ref.learner, ref.data, { ...ref.opts, steps: k });
    expect(sameBits(ref.learner.params, row.learner.params)).toBe(true);
    // One step fewer is not the same (the comparison can fail).
    const short = trainStepRow(dtype, size);
    train(short.learner, short.data, { ...short.opts, steps: k - 1 });
    expect(sameBits(short.learner.params, row.learner.params)).toBe(false);
  });

  it('bench/trainStep.bench.ts runs train on a float64 and a float32 learner (SMALL=1: a smoke run, not a timing)', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      execFile(process.execPath, ['--import', 'tsx', 'bench/trainStep.bench.ts'], { cwd: ROOT, env: { ...process.env, SMALL: '1', REPS: '3' }, timeout: 300000 }, (err, stdout, stderr) => {
        res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const dtype of ['float64', 'float32']) {
      expect(r.stdout).toMatch(new RegExp(`^${dtype} learner, TypeScript kernels: median \\d+ ms/step`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^${dtype} learner, active backend \\(`, 'm'));
    }
  }, 300000);
});
