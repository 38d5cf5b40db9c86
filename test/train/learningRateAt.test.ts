import { learningRateAt } from '../../src/train/learningRateAt.js';
import { DomainError } from '../../src/core/errors.js';
import { expectThrow } from '../model/expectThrow.js';

describe('learningRateAt', () => {
  it('warms up linearly, then follows the constant, cosine or linear schedule', () => {
    const base = { lr: 1e-3, steps: 110, warmupSteps: 10 };
    expect(learningRateAt(0, base)).toBeCloseTo(1e-4, 18);
    expect(learningRateAt(4, base)).toBeCloseTo(5e-4, 18);
    expect(learningRateAt(9, base)).toBe(1e-3);
    expect(learningRateAt(109, base)).toBe(1e-3);
    const cos = { ...base, schedule: 'cosine' as const, minLr: 1e-5 };
    expect(learningRateAt(10, cos)).toBe(1e-3);
    // Half-way through the decay the cosine is at the midpoint of lr and minLr.
    expect(learningRateAt(60, cos)).toBeCloseTo((1e-3 + 1e-5) / 2, 15);
    expect(learningRateAt(109, cos)).toBeGreaterThan(1e-5);
    expect(learningRateAt(109, cos)).toBeLessThan(1.1e-5);
    const lin = { ...base, schedule: 'linear' as const };
    expect(learningRateAt(60, lin)).toBeCloseTo(5e-4, 15);
    expect(learningRateAt(109, lin)).toBeCloseTo(1e-5, 15);
    expect(learningRateAt(0, { lr: 0.5, steps: 1 })).toBe(0.5);
  });

  it('throws typed errors naming the function and argument', () => {
    expectThrow(() => learningRateAt(0, { lr: 0, steps: 5 }), DomainError, "learningRateAt: argument 'opts.lr' must be a finite number > 0; got 0");
    expectThrow(() => learningRateAt(0, { lr: 1, steps: 0 }), DomainError, "learningRateAt: argument 'opts.steps' must be an integer ≥ 1; got 0");
    expectThrow(() => learningRateAt(5, { lr: 1, steps: 5 }), DomainError, "learningRateAt: argument 'step' must be an integer in [0, 4]; got 5");
    expectThrow(() => learningRateAt(0, { lr: 1, steps: 5, schedule: 'exp' as never }), DomainError, "learningRateAt: argument 'opts.schedule' must be one of 'constant', 'cosine', 'linear'; got \"exp\"");
    expectThrow(() => learningRateAt(0, { lr: 1, steps: 5, warmupSteps: -1 }), DomainError, "learningRateAt: argument 'opts.warmupSteps' must be an integer ≥ 0; got -1");
    expectThrow(() => learningRateAt(0, { lr: 1, steps: 5, minLr: 2 }), DomainError, "learningRateAt: argument 'opts.minLr' must be a finite number in [0, 1]; got 2");
    expectThrow(() => learningRateAt(0, undefined as never), DomainError, "learningRateAt: argument 'opts' must be a schedule object; got undefined");
  });
});
