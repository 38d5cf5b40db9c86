/**
 * Theorem 1 parts 2, 3 and 5 under rounding, on instances built to be hard for floating point:
 * target words at log-probabilities from −1 to −700, learners that move their logits by up to ±5,
 * and logits offset by up to ±800 (exp overflows without the max-shift). Every bound is checked
 * against the exact error, computed here in 1700-bit fixed point (bigFixed.ts), and against the
 * computed one. Teeth: the bounds are nearly attained (a bound 1e-9 tighter fails), and the issue's
 * two-word instance is a regression.
 *
 * Construction (d = 2, h(s) = (1, x_s)): word w has logit `z_w(s) = b_w + g_w x_s`. The bulk words
 * have `b_w = O + noise`, the task words `b_w = O + L_w` with `L_w ∈ [−700, −1]`; the learned model
 * equals the truth except that each task word's `b_w` moves by `δ_w ∈ ±[1e-3, 5]`. Both anchors are
 * `v_0 = (O, 0)`, `c = 0` (any anchor is allowed; its residual is `log Z_B − O`). Then
 * `ŷ(s) − y(s) = Σ_w a_w (b̂_w − b*_w)` exactly, which the test evaluates in fixed point.
 */
import fc from 'fast-check';
import { binaryKlLogRatioBoundFromLogProb, certifiedTransferBound, transferErrorDecomposition, transferBound } from '../../src/theory/index.js';
import type { TransferInstance } from '../../src/theory/types.js';
import { weightSums } from '../../src/tasks/taskDirection.js';
import { NumericalError } from '../../src/core/errors.js';
import { exp as bigExp, fromSigned, K, ln, relErr, toDouble } from './bigFixed.js';

/** Exact log-softmax (fixed point) of the logits `z_w = V[w]·h` of a model with `d = 2` at `h`. */
function exactLogSoftmax(V: Float64Array, h: [number, number]): bigint[] {
  const n = V.length / 2;
  const z = Array.from({ length: n }, (_, w) => (fromSigned(V[2 * w]) * fromSigned(h[0]) + fromSigned(V[2 * w + 1]) * fromSigned(h[1])) >> K);
  const c = z.reduce((a, b) => (a > b ? a : b));
  const lse = c + ln(z.reduce((acc, v) => acc + bigExp(v - c), 0n));
  return z.map((v) => v - lse);
}

interface Built {
  readonly instance: TransferInstance;
  /** The exact `ŷ − y` at a context with `h₀(s) = 1`, as a double rounded once from fixed point. */
  readonly exactError: number;
  /** The exact `ŷ − y` at every context (`h(s) = (h₀(s), x_s)`). */
  readonly exactErrors: number[];
}

function build(offset: number, bulkNoise: number[], task: { L: number; g: number; delta: number; a: number }[], xs: number[], cStar = 0, cHat = 0, h0?: number[]): Built {
  const nB = bulkNoise.length;
  const k = task.length;
  const n = nB + k;
  const Vs = new Float64Array(n * 2);
  const Vh = new Float64Array(n * 2);
  for (let j = 0; j < nB; j++) {
    Vs[2 * j] = offset + bulkNoise[j];
    Vs[2 * j + 1] = 0.1 * bulkNoise[j];
  }
  let exact = 0n;
  let exactWords = 0n;
  for (let j = 0; j < k; j++) {
    const w = nB + j;
    Vs[2 * w] = offset + task[j].L;
    Vs[2 * w + 1] = task[j].g;
  }
  Vh.set(Vs);
  for (let j = 0; j < k; j++) {
    const w = nB + j;
    Vh[2 * w] = Vs[2 * w] + task[j].delta;
    exactWords += fromSigned(task[j].a) * (fromSigned(Vh[2 * w]) - fromSigned(Vs[2 * w]));
  }
  exact = exactWords;
  let exactAnchor = 0n;
  const m = xs.length;
  const H = new Float64Array(m * 2);
  for (let i = 0; i < m; i++) {
    H[2 * i] = h0?.[i] ?? 1;
    H[2 * i + 1] = xs[i];
  }
  const anchor = { anchor: Float64Array.of(offset, 0), intercept: cStar };
  // ŷ − y = Σ a_w (b̂_w − b*_w) + A (c* − ĉ), with A = 0 for a contrast task (anchors dropped).
  const { contrast } = weightSums(task.map((t) => t.a));
  if (!contrast) {
    let A = 0n;
    for (const t of task) A += fromSigned(t.a);
    exactAnchor = A * (fromSigned(cStar) - fromSigned(cHat));
    exact += exactAnchor;
  }
  return {
    instance: {
      truth: { V: { rows: n, cols: 2, data: Vs }, H: { rows: m, cols: 2, data: H } },
      learned: { V: { rows: n, cols: 2, data: Vh }, H: { rows: m, cols: 2, data: H.slice() } },
      words: Int32Array.from(task, (_, j) => nB + j),
      coefficients: Float64Array.from(task, (t) => t.a),
      bulk: Int32Array.from(bulkNoise, (_, j) => j),
      anchorStar: anchor,
      anchorHat: { anchor: Float64Array.of(offset, 0), intercept: cHat },
    },
    exactError: toDouble(exact >> K),
    exactErrors: Array.from({ length: m }, (_, i) => toDouble((((exactWords * fromSigned(H[2 * i])) >> K) + exactAnchor) >> K)),
  };
}

const taskArb = fc.record({
  L: fc.double({ min: -700, max: -1, noNaN: true }),
  g: fc.double({ min: -1, max: 1, noNaN: true }),
  delta: fc.oneof(fc.double({ min: 1e-3, max: 5, noNaN: true }), fc.double({ min: -5, max: -1e-3, noNaN: true })),
  a: fc.oneof(fc.constant(1), fc.double({ min: -2, max: 2, noNaN: true })),
});

const instanceArb = fc
  .record({
    offset: fc.oneof(fc.constant(0), fc.double({ min: -800, max: 800, noNaN: true })),
    bulkNoise: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
    task: fc.array(taskArb, { minLength: 1, maxLength: 3 }),
    xs: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
    // Anchor intercepts: 0, or ±1e9 / ±1e12 (residuals of that size; opposite signs make the anchor
    // term of parts 2 and 5 tight, which is where a missing allowance shows by an ulp).
    intercepts: fc.oneof(
      fc.constant([0, 0]),
      fc.tuple(fc.constantFrom(1e9, -1e9, 1e12, -1e12), fc.double({ min: -1, max: 1, noNaN: true })).map(([c, f]) => [c + f, -c + f]),
    ),
  })
  .map((r) => build(r.offset, r.bulkNoise, r.task, r.xs, r.intercepts[0], r.intercepts[1]));

describe('Theorem 1 under rounding: rare words (log p down to −700), moves up to ±5, logits to ±800', () => {
  it('regression (issue): two words, log p*(task) ≈ −36, learner lowers the task logit by 2', () => {
    for (const offset of [0, 800, -800]) {
      const { instance, exactError } = build(offset, [0], [{ L: -36, g: 0, delta: -2, a: 1 }], [0.5]);
      expect(exactError).toBe(-2);
      const dec = transferErrorDecomposition(instance);
      const cert = certifiedTransferBound(instance);
      expect(Math.abs(dec.error[0])).toBeCloseTo(2, 12);
      // It certified 1.89 and flagged part 3 with 1.13; the certificate is now ≥ 2 and tight.
      expect(cert.perContext[0]).toBeGreaterThanOrEqual(2);
      expect(cert.perContext[0]).toBeLessThan(2 * (1 + 1e-9));
      if (dec.part3Holds[0] === 1) expect(dec.part3Bound[0]).toBeGreaterThanOrEqual(2);
      // t = p*(1 − e^{−2}) and κ = p*(1 − 1 + e^{−2} + 2)… to 1e-12 relative (p* = σ(−36)).
      const pStar = 1 / (1 + Math.exp(36));
      expect(dec.tv[0] / (pStar * -Math.expm1(-2))).toBeCloseTo(1, 10);
      expect(dec.kl[0] / (pStar * (Math.exp(-2) + 1))).toBeCloseTo(1, 10);
    }
  });

  it('parts 2, 3 and 5 hold against the exact and the computed error at every context (property)', () => {
    const tally = { contexts: 0, part3: 0, nearTight5: 0 };
    let best5 = 0;
    fc.assert(
      fc.property(instanceArb, ({ instance, exactError }) => {
        const dec = transferErrorDecomposition(instance);
        const cert = certifiedTransferBound(instance);
        let bad = 0;
        for (let i = 0; i < dec.y.length; i++) {
          tally.contexts++;
          const errs = [Math.abs(exactError), Math.abs(dec.error[i])];
          for (const e of errs) {
            if (!(e <= dec.part2Bound[i])) bad++;
            if (!(e <= cert.perContext[i])) bad++;
          }
          if (dec.part3Holds[i] === 1) {
            tally.part3++;
            if (!(dec.D[i] <= dec.part3Bound[i])) bad++;
          }
          const ratio = Math.abs(exactError) / cert.perContext[i];
          best5 = Math.max(best5, ratio);
          if (ratio > 1 - 1e-9) tally.nearTight5++;
        }
        if (!(cert.meanSquaredError <= cert.expectedSquaredBound)) bad++;
        if (!(exactError * exactError <= cert.expectedSquaredBound)) bad++;
        const b4 = transferBound(dec.part4).bound;
        if (!(cert.meanSquaredError <= b4)) bad++;
        expect(bad).toBe(0);
      }),
      { seed: 1301, numRuns: 250 },
    );
    console.log(
      `soundness property: ${tally.contexts} contexts, part 3 applicable on ${tally.part3}; part 5 |error|/bound max ${best5}, > 1 − 1e-9 on ${tally.nearTight5}`,
    );
    // Teeth: part 5 is attained to 1e-9 on some contexts (a single rare word moving alone makes κ
    // the binary KL of that word), so a bound tighter by 1e-9 fails there.
    expect(tally.nearTight5).toBeGreaterThan(0);
    expect(tally.part3).toBeGreaterThan(0);
  });

  it('κ dominated by rounding: tiny moves (1e-13 … 1e-8) under logits offset to ±800; parts 2 and 5 hold and part 5 is nearly attained', () => {
    // κ ≈ p(1 − p)δ²/2 is far below the rounding of log p (u·800 ≈ 1e-13 relative to δ ~ 1e-10):
    // only κ's rounding allowance keeps ψ ≥ the exact |Δ log p|. For one word moving alone, D̄ = δ to
    // second order, so the certificate is attained and dropping the allowance fails.
    let best = 0;
    fc.assert(
      fc.property(
        fc.double({ min: -800, max: 800, noNaN: true }),
        fc.double({ min: -3, max: -0.1, noNaN: true }),
        // δ = 10^e, log-uniform: near 1e-13 the rounding of the logits (ulp(800) = 1.1e-13) is
        // comparable to δ itself.
        fc.double({ min: -13, max: -8, noNaN: true }).map((e) => 10 ** e),
        fc.boolean(),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
        (offset, L, dl, down, xs) => {
          // h₀(s) ≠ 1, so the logits b·h₀ of the truth and of the learner round differently.
          const { instance, exactErrors } = build(offset, [0], [{ L, g: 0.5, delta: down ? -dl : dl, a: 1 }], xs, 0, 0, xs.map((x) => 1 + x / 3));
          const dec = transferErrorDecomposition(instance);
          const cert = certifiedTransferBound(instance);
          for (let i = 0; i < xs.length; i++) {
            const exactError = exactErrors[i];
            if (!(Math.abs(exactError) <= cert.perContext[i] && Math.abs(dec.error[i]) <= cert.perContext[i])) return false;
            if (!(Math.abs(exactError) <= dec.part2Bound[i] && Math.abs(dec.error[i]) <= dec.part2Bound[i])) return false;
            if (dec.part3Holds[i] === 1 && !(dec.D[i] <= dec.part3Bound[i])) return false;
            if (exactError !== 0) best = Math.max(best, Math.abs(exactError) / cert.perContext[i]);
            // D̄ must bound its exact value ψ(p*(w), κ) + ψ(p*(B), κ), with κ and p* from the exact
            // logits: the computed κ alone is up to ~40 % low here (the logits' rounding is ~δ).
            const h: [number, number] = [instance.truth.H.data[2 * i], instance.truth.H.data[2 * i + 1]];
            const ls = exactLogSoftmax(instance.truth.V.data as Float64Array, h);
            const lh = exactLogSoftmax(instance.learned.V.data as Float64Array, h);
            let kEx = 0n;
            for (let w = 0; w < ls.length; w++) kEx += (bigExp(ls[w]) * (ls[w] - lh[w])) >> K;
            const kappa = toDouble(kEx);
            const dBarExact = binaryKlLogRatioBoundFromLogProb(toDouble(ls[1]), kappa) + binaryKlLogRatioBoundFromLogProb(toDouble(ls[0]), kappa);
            if (!(cert.dBar[i] >= dBarExact * (1 - 1e-9))) return false;
          }
          return true;
        },
      ),
      { seed: 1302, numRuns: 200 },
    );
    console.log(`κ dominated by rounding: best |error|/certificate ${best}`);
    expect(best).toBeGreaterThan(0.99);
  });

  it('regression (issue): residuals ~1e9 of opposite signs: the certificate is ≥ |ŷ − y| (it was 1 ulp below)', () => {
    const { instance, exactError } = build(0, [0, 0.5], [{ L: -3, g: 0.2, delta: 0.25, a: 1 }], [0.1, -0.7, 0.9], 1e9 + 0.3, -1e9 + 0.3);
    const dec = transferErrorDecomposition(instance);
    const cert = certifiedTransferBound(instance);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(exactError)).toBeLessThanOrEqual(cert.perContext[i]);
      expect(Math.abs(dec.error[i])).toBeLessThanOrEqual(cert.perContext[i]);
      expect(Math.abs(dec.error[i])).toBeLessThanOrEqual(dec.part2Bound[i]);
    }
    expect(cert.meanSquaredError).toBeLessThanOrEqual(cert.expectedSquaredBound);
    // Tight: the anchor term dominates, so the bound is within 1e-6 relative of |error|.
    expect(Math.abs(exactError) / cert.perContext[0]).toBeGreaterThan(1 - 1e-6);
  });

  it('the rare-word regression at every depth: log p* from −1 to −700, move ±2, the certificate ≥ |error| and within 1e-9', () => {
    for (const L of [-1, -10, -36, -100, -300, -700]) {
      for (const delta of [-2, 2]) {
        for (const offset of [0, 790]) {
          const { instance, exactError } = build(offset, [0], [{ L, g: 0, delta, a: 1 }], [0.3]);
          const cert = certifiedTransferBound(instance);
          const ratio = Math.abs(exactError) / cert.perContext[0];
          // Tight only for a rare word moving down (ψ is attained below p; ψ of the bulk, p*(B) ≈ 1, is negligible).
          if (!(ratio <= 1 && (L > -36 || delta > 0 || ratio > 1 - 1e-9))) throw new Error(`L = ${L}, δ = ${delta}, offset ${offset}: |error|/bound = ${ratio}`);
          const dec = transferErrorDecomposition(instance);
          if (dec.part3Holds[0] === 1 && !(dec.part3Bound[0] >= Math.abs(exactError))) throw new Error(`part 3 at L = ${L}`);
        }
      }
    }
    expect(relErr(1, fromSigned(1))).toBe(0);
  });

  it('part 4 with a floor that underflows: γ = 0 is accepted (klTerm = ∞, or 0 when ε = 0), tiny γ gives ∞ or a finite log-domain value', () => {
    // The decomposition's own output at log p* = −1000: γ underflows to 0, and transferBound takes it.
    const { instance } = build(0, [0], [{ L: -1000, g: 0, delta: -2, a: 1 }], [0.2]);
    const dec = transferErrorDecomposition(instance);
    expect(dec.part4.gamma).toBe(0);
    const b = transferBound(dec.part4);
    expect(b.klTerm).toBe(Infinity);
    expect(b.bound).toBe(Infinity);
    const base = { aL1: 1, aSum: 1, M: 3, anchorMseHat: 0, anchorMseStar: 0 };
    expect(transferBound({ ...base, epsilon: 0, gamma: 0 }).klTerm).toBe(0);
    expect(transferBound({ ...base, epsilon: 1e-4, gamma: 1e-300 }).klTerm).toBe(Infinity);
    // γ = e^{−700}: γ² underflows to 0, but with a tiny ‖a‖₁ the exact term is an ordinary number.
    const g = Math.exp(-700);
    const r = transferBound({ ...base, aL1: 1e-300, aSum: 1e-300, epsilon: 1e-10, gamma: g });
    const expected = Math.exp(Math.log(16) - 600 * Math.LN10 + 1400 + Math.log(Math.LN2 ** 2 + 9) - 10 * Math.LN10);
    expect(r.klTerm).toBeGreaterThanOrEqual(expected * (1 - 1e-12));
    expect(r.klTerm / expected).toBeCloseTo(1, 9);
  });

  it('anchor-dominated contexts (no word moves, intercepts ±1e9 / ±1e12 of opposite signs): parts 2, 5 and the expected square are tight to an ulp and hold', () => {
    let tight = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(1e9, 1e12),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -800, max: 800, noNaN: true }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 12 }),
        (C, f, offset, xs) => {
          const { instance, exactError } = build(offset, [0, 0.3], [{ L: -2, g: 0.4, delta: 0, a: 1.5 }], xs, C + f, -C + f);
          const dec = transferErrorDecomposition(instance);
          const cert = certifiedTransferBound(instance);
          for (let i = 0; i < xs.length; i++) {
            for (const e of [Math.abs(exactError), Math.abs(dec.error[i])]) {
              if (!(e <= dec.part2Bound[i] && e <= cert.perContext[i])) return false;
            }
            if (Math.abs(dec.error[i]) / cert.perContext[i] > 1 - 1e-12) tight++;
          }
          return cert.meanSquaredError <= cert.expectedSquaredBound && exactError * exactError <= cert.expectedSquaredBound;
        },
      ),
      { seed: 1303, numRuns: 300 },
    );
    expect(tight).toBeGreaterThan(0);
  });

  it('transferBound is not below its formula evaluated in 1700-bit fixed point', () => {
    const ln2 = ln(2n << K);
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
        fc.double({ min: 1e-3, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 10, noNaN: true })),
        (aL1, epsilon, gamma, M, mse) => {
          const r = transferBound({ aL1, aSum: aL1 / 2, epsilon, gamma, M, anchorMseHat: mse, anchorMseStar: mse / 3 });
          const F = (x: number) => fromSigned(x);
          const mul = (a: bigint, b: bigint) => (a * b) >> K;
          const num = mul(mul(mul(mul(16n << K, mul(F(aL1), F(aL1))), mul(ln2, ln2) + mul(F(M), F(M))), F(epsilon)), 1n << K);
          const klExact = (num << K) / mul(F(gamma), F(gamma));
          const anchorExact = mul(mul(4n << K, mul(F(aL1 / 2), F(aL1 / 2))), F(mse) + F(mse / 3));
          return F(r.klTerm) >= klExact && F(r.anchorTerm) >= anchorExact && F(r.bound) >= klExact + anchorExact;
        },
      ),
      { seed: 1304, numRuns: 200 },
    );
  });
});

describe('overflow: finite, a typed NumericalError naming the quantity, or the documented +∞ of a vacuous certificate', () => {
  it('logits so large that their rounding leaves the probabilities undetermined (data ~1e200): NumericalError naming the model to rescale', () => {
    for (const [field, scale] of [['truth', 1e200], ['learned', 1e200], ['truth', 1e12]] as const) {
      const { instance } = build(0, [0, 0.5], [{ L: -3, g: 0.2, delta: 0.25, a: 1 }], [0.1, -0.7]);
      const V = instance[field].V;
      const big = { ...instance, [field]: { ...instance[field], V: { ...V, data: V.data.map((x, k) => (k === 0 ? x + scale : x)) } } };
      for (const f of [certifiedTransferBound, transferErrorDecomposition] as const) {
        expect(() => f(big)).toThrow(NumericalError);
        expect(() => f(big)).toThrow(new RegExp(`^${f.name}: the logits of context 0 are too large to certify: .*rescale instance\\.${field}\\.V or instance\\.${field}\\.H$`));
      }
    }
    // Entries beyond 1e154 with ordinary logits (H × 1e200, V × 1e-200: every logit, residual and
    // bound is unchanged): finite, and the same certificate to 1e-12 (the norms in δz are scaled).
    {
      const { instance: base } = build(3, [0, 0.5], [{ L: -3, g: 0.2, delta: 0.25, a: 1 }], [0.1, -0.7]);
      const sc = (M: { rows: number; cols: number; data: Float64Array | Float32Array }, f: number) => ({ ...M, data: Float64Array.from(M.data, (x) => x * f) });
      const scaled = {
        ...base,
        truth: { V: sc(base.truth.V, 2 ** -664), H: sc(base.truth.H, 2 ** 664) },
        learned: { V: sc(base.learned.V, 2 ** -664), H: sc(base.learned.H, 2 ** 664) },
        anchorStar: { ...base.anchorStar!, anchor: base.anchorStar!.anchor.map((x) => x * 2 ** -664) },
        anchorHat: { ...base.anchorHat!, anchor: base.anchorHat!.anchor.map((x) => x * 2 ** -664) },
      };
      const a = certifiedTransferBound(base);
      const b = certifiedTransferBound(scaled);
      expect(b.perContext[0] / a.perContext[0]).toBeCloseTo(1, 12);
    }
    // The largest offsets of the soundness property (±800) and logits of 1e6 stay finite.
    const { instance } = build(1e6, [0, 0.5], [{ L: -3, g: 0.2, delta: 0.25, a: 1 }], [0.1, -0.7]);
    const cert = certifiedTransferBound(instance);
    expect(Number.isFinite(cert.expectedSquaredBound)).toBe(true);
  });

  it('residuals ~1e200 (intercepts ±1e200): the per-context certificate is finite, its mean square overflows: NumericalError naming it; ±1e150 stays finite', () => {
    const mk = (C: number) => build(0, [0, 0.5], [{ L: -3, g: 0.2, delta: 0.25, a: 1 }], [0.1, -0.7], C, -C).instance;
    expect(() => certifiedTransferBound(mk(1e200))).toThrow(/^certifiedTransferBound: expectedSquaredBound = E_s\[bound\(s\)²\] overflows a double \(Infinity\); rescale instance\.coefficients, the anchors/);
    expect(() => transferErrorDecomposition(mk(1e200))).toThrow(/^transferErrorDecomposition: meanSquaredError = E_s \(ŷ − y\)² overflows a double/);
    // Residuals of 1e300: the anchor term |A|(|ê| + |e*|) itself overflows.
    expect(() => certifiedTransferBound(mk(1e308))).toThrow(/^certifiedTransferBound: the (task y\(s\)|anchor term).* at context 0 overflows a double/);
    const cert = certifiedTransferBound(mk(1e150));
    expect(Number.isFinite(cert.expectedSquaredBound) && cert.meanSquaredError <= cert.expectedSquaredBound).toBe(true);
  });

  it('task coefficients ~1e300: NumericalError naming the bound that overflowed', () => {
    const { instance } = build(0, [0, 0.5], [{ L: -3, g: 0.2, delta: 0.25, a: 1 }, { L: -2, g: 0.1, delta: -0.5, a: -1 }], [0.1, -0.7]);
    const big = { ...instance, coefficients: Float64Array.of(1e300, -1e300), anchorStar: null, anchorHat: null };
    expect(() => certifiedTransferBound(big)).toThrow(/^certifiedTransferBound: .* overflows a double .*rescale instance\.coefficients/);
    expect(() => transferErrorDecomposition(big)).toThrow(/^transferErrorDecomposition: .* overflows a double .*rescale instance\.coefficients/);
  });

  it('a task word too rare for the context\'s κ (log p* = −750, κ ≈ 1): D̄ = +∞ is documented (the upward rounding of ψ ≈ κ/p* ≈ e^750), the rest finite', () => {
    // Three words: bulk {0, 1}, the task word 2 at log p* ≈ −750; the learner moves bulk word 1 by 3, so κ ~ 1.
    const Vs = Float64Array.of(0, 0, 0.5, 0, -750, 0);
    const Vh = Float64Array.of(0, 0, 3.5, 0, -750, 0);
    const H = { rows: 2, cols: 2, data: Float64Array.of(1, 0.3, 1, -0.4) };
    const anchor = { anchor: new Float64Array(2), intercept: 0 };
    const instance = {
      truth: { V: { rows: 3, cols: 2, data: Vs }, H },
      learned: { V: { rows: 3, cols: 2, data: Vh }, H },
      words: Int32Array.of(2),
      coefficients: Float64Array.of(1),
      bulk: Int32Array.of(0, 1),
      anchorStar: anchor,
      anchorHat: anchor,
    };
    const cert = certifiedTransferBound(instance);
    const dec = transferErrorDecomposition(instance);
    expect(dec.kl[0]).toBeGreaterThan(0.5);
    expect(Array.from(cert.dBar)).toEqual([Infinity, Infinity]);
    expect(Array.from(cert.perContext)).toEqual([Infinity, Infinity]);
    expect(cert.expectedSquaredBound).toBe(Infinity);
    expect(cert.klPartSquared).toBe(Infinity);
    expect(Number.isFinite(cert.meanSquaredError) && Number.isFinite(cert.anchorPartSquared)).toBe(true);
    // Not +∞ one step earlier: at log p* = −700, ψ ≈ κ e^700 ≈ 1e304 is finite.
    const near = certifiedTransferBound({ ...instance, truth: { V: { rows: 3, cols: 2, data: Float64Array.of(0, 0, 0.5, 0, -700, 0) }, H }, learned: { V: { rows: 3, cols: 2, data: Float64Array.of(0, 0, 3.5, 0, -700, 0) }, H } });
    expect(near.dBar[0]).toBeGreaterThan(1e300);
    expect(Number.isFinite(near.dBar[0]) && Number.isFinite(near.perContext[0])).toBe(true);
    // Its square is beyond the double range: the mean square is the documented +∞ of a vacuous context.
    expect(near.expectedSquaredBound).toBe(Infinity);
  });
});

describe('transferBound overflow (issue 13 item 3: aL1 = 1e200 returned a silent Infinity)', () => {
  const base = { aL1: 1, aSum: 1, epsilon: 1e-4, gamma: 0.1, M: 3, anchorMseHat: 0.01, anchorMseStar: 0.01 };
  it('huge coefficients or MSEs: NumericalError naming the term and the parameter to rescale', () => {
    expect(() => transferBound({ ...base, aL1: 1e200 })).toThrow(/^transferBound: klTerm overflows a double: .*rescale params\.aL1/);
    expect(() => transferBound({ ...base, aL1: 1e200, aSum: 1e200, epsilon: 0 })).toThrow(/^transferBound: anchorTerm = .* overflows a double; rescale params\.aSum/);
    expect(() => transferBound({ ...base, anchorMseHat: 1e308 })).toThrow(NumericalError);
    // Both terms finite, their sum not.
    expect(() => transferBound({ aL1: 1, aSum: 1, epsilon: 1, gamma: 1, M: 1e153, anchorMseHat: 4.2e307, anchorMseStar: 0 })).toThrow(/^transferBound: bound = klTerm \+ anchorTerm overflows/);
  });
  it('large but representable stays finite; a floor too small for ε is the documented vacuous +∞', () => {
    const r = transferBound({ ...base, aL1: 1e150, aSum: 1e150 });
    expect(Number.isFinite(r.bound)).toBe(true);
    expect(transferBound({ ...base, gamma: 1e-300 }).klTerm).toBe(Infinity);
    expect(transferBound({ ...base, gamma: 0 }).bound).toBe(Infinity);
  });
});
