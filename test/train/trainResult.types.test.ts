/**
 * `train`'s result type follows its options: with a world and contexts to measure ε on (`data.H`,
 * or `opts.evalContexts`), `initialExcessLoss` and `excessLoss` are `number`; otherwise they are
 * optional. The `@ts-expect-error` lines fail the type-check (`tsc --noEmit`, which covers the
 * tests) if the result type ever loosens or tightens the wrong way.
 */
import { createLearner } from '../../src/train/createLearner.js';
import { train } from '../../src/train/train.js';
import type { TrainOptions, TrainResult, TrainResultWithExcessLoss } from '../../src/train/train.js';
import { generateWorld } from '../../src/model/generateWorld.js';
import { createRng } from '../../src/random/createRng.js';

describe('TrainResult is typed by the options', () => {
  const world = generateWorld({ preset: 'tiny', seed: 8 });
  const ctx = world.sampleContexts(64, createRng('types'));
  const corpus = world.sampleCorpus(64, 1, createRng('types'));
  const base = { steps: 3, batchSize: 16, lr: 0.01 };

  it('world + data.H: both excess losses are numbers', () => {
    const r = train(createLearner({ world }), ctx, { ...base, world });
    const first: number = r.initialExcessLoss;
    const last: number = r.excessLoss;
    const typed: TrainResultWithExcessLoss = r;
    expect(typed.evaluations.map((e) => e.excessLoss)).toEqual([first, last]);
  });

  it('world + opts.evalContexts (sampled words): both excess losses are numbers', () => {
    const r = train(createLearner({ world }), { X: corpus.X, words: corpus.words }, { ...base, world, evalContexts: ctx });
    const last: number = r.excessLoss;
    expect(last).toBeGreaterThan(0);
  });

  it('without a world, or with a world and nothing to measure on, they stay optional', () => {
    const r1 = train(createLearner({ world }), { X: corpus.X, words: corpus.words }, base);
    // @ts-expect-error: no world, so no excess loss is measured.
    const e1: number = r1.excessLoss;
    expect(e1).toBeUndefined();
    const r2 = train(createLearner({ world }), { X: corpus.X, words: corpus.words }, { ...base, world });
    // @ts-expect-error: a world alone (sampled words, no evalContexts) measures nothing either.
    const e2: number = r2.initialExcessLoss;
    expect(e2).toBeUndefined();
    // Options typed only as TrainOptions fall back to the general result.
    const o: TrainOptions = { ...base, world };
    const r3: TrainResult = train(createLearner({ world }), ctx, o);
    // @ts-expect-error: the general result does not promise a number.
    const e3: number = r3.excessLoss;
    expect(typeof e3).toBe('number'); // at run time it is there: data.H and a world were given
  });
});
