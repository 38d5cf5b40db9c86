/**
 * Unchecked forward and backward passes of a learner `(V̂, ĥ = f_θ(x))` over a batch of rows, with
 * every temporary held in a reusable workspace so that a training loop allocates nothing per step.
 * All products go through `gemm`, so an accelerated backend speeds training up without any change
 * here.
 *
 * Shapes (row-major): `X` is `B × k`; the first layer `W1` is `h1 × k` with `h1 = hidden` (one hidden
 * layer) or `d` (linear map); `W2` is `d × hidden`; `V̂` is `n × d`. Parameters live in one flat
 * array, in the order `W1, b1, W2, b2, V̂` (absent pieces skipped), described by `LearnerShape`.
 *
 * Precision: parameters and activations (the workspace) are stored in the learner's dtype. With
 * float32 every product has float32 operands and output, so it runs on the backend's float32 path
 * (`gemm` documents its accumulation); every other reduction (norms, the normalisation's inner
 * product, bias gradients) is accumulated in float64 and rounded once when stored.
 *
 * @internal
 */
import { gemm } from '../linalg/gemm.js';
import type { DType, FloatArray } from '../core/matrix.js';
import type { LossScratch } from './lossKernel.js';

/** Activations of the hidden layer. */
export type Activation = 'tanh' | 'relu';

/**
 * Sizes and parameter offsets of a learner. Offsets are `-1` for absent pieces.
 *
 * @internal
 */
export interface LearnerShape {
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** Width of the hidden layer, 0 for a linear map. */
  readonly hidden: number;
  readonly activation: Activation;
  /** Fixed norm `r` of `ĥ` (`ĥ = r z/√(‖z‖² + η)`), or `null` for no normalisation. */
  readonly hNorm: number | null;
  readonly bias: boolean;
  readonly offW1: number;
  readonly offB1: number;
  readonly offW2: number;
  readonly offB2: number;
  /** Offset of `V̂` in the parameters, or -1 when `V̂` is tied (not trained). */
  readonly offV: number;
  readonly paramCount: number;
  /** Storage precision of the parameters and activations. */
  readonly dtype: DType;
}

/**
 * The `η` in `ĥ = r z/√(‖z‖² + η)`: keeps the normalisation (and its gradient) finite at `z = 0`
 * while changing `‖ĥ‖` by a relative `η/(2‖z‖²)`, far below rounding for any `z` that matters.
 */
export const NORM_EPS = 1e-12;

/** Buffers for one batch size, in the learner's dtype (the loss scratch is float64). Grown on demand, reused across steps. */
export class Workspace implements LossScratch {
  rows = 0;
  private readonly F: Float64ArrayConstructor | Float32ArrayConstructor;
  xb: FloatArray;
  a1: FloatArray;
  z1: FloatArray;
  pre: FloatArray;
  h: FloatArray;
  scale = new Float64Array(0);
  logits: FloatArray;
  dH: FloatArray;
  dPre: FloatArray;
  dZ1: FloatArray;
  /** Row-kernel scratch of the loss (`exp(z − max)` of one row), float64. */
  scratch = new Float64Array(0);
  readonly tmp2 = new Float64Array(2);
  lossRows = new Float64Array(0);

  constructor(dtype: DType = 'float64') {
    this.F = dtype === 'float32' ? Float32Array : Float64Array;
    const F = this.F;
    this.xb = new F(0);
    this.a1 = new F(0);
    this.z1 = new F(0);
    this.pre = new F(0);
    this.h = new F(0);
    this.logits = new F(0);
    this.dH = new F(0);
    this.dPre = new F(0);
    this.dZ1 = new F(0);
  }

  /** Make room for `B` rows (never shrinks). */
  ensure(s: LearnerShape, B: number, withLogits: boolean): void {
    const F = this.F;
    const h1 = s.hidden > 0 ? s.hidden : s.d;
    if (this.xb.length < B * s.k) this.xb = new F(B * s.k);
    if (this.a1.length < B * h1) this.a1 = new F(B * h1);
    if (s.hidden > 0 && this.z1.length < B * s.hidden) this.z1 = new F(B * s.hidden);
    if (s.hidden > 0 && this.dZ1.length < B * s.hidden) this.dZ1 = new F(B * s.hidden);
    if (this.pre.length < B * s.d) this.pre = new F(B * s.d);
    if (this.h.length < B * s.d) this.h = new F(B * s.d);
    if (this.dH.length < B * s.d) this.dH = new F(B * s.d);
    if (this.dPre.length < B * s.d) this.dPre = new F(B * s.d);
    if (this.scale.length < B) this.scale = new Float64Array(B);
    if (withLogits && this.logits.length < B * s.n) this.logits = new F(B * s.n);
    if (withLogits && this.scratch.length < s.n) this.scratch = new Float64Array(s.n);
    if (withLogits && this.lossRows.length < B) this.lossRows = new Float64Array(B);
    this.rows = Math.max(this.rows, B);
  }
}

/**
 * Forward pass of `B` rows already gathered in `ws.xb`: fills `ws.a1`, `ws.z1`, `ws.pre` and `ws.h`
 * (`ĥ`, `B × d`), and, when `withLogits`, `ws.logits = ĥ V̂ᵀ` (`B × n`).
 */
export function forwardKernel(
  s: LearnerShape,
  p: FloatArray,
  V: FloatArray,
  vOff: number,
  ws: Workspace,
  B: number,
  withLogits: boolean,
): void {
  const { d, k, hidden } = s;
  const h1 = hidden > 0 ? hidden : d;
  const a1 = ws.a1;
  gemm(false, true, B, h1, k, 1, ws.xb, 0, k, p, s.offW1, k, 0, a1, 0, h1);
  if (s.bias) addRowVector(a1, B, h1, p, s.offB1);
  let pre: FloatArray;
  if (hidden > 0) {
    const z1 = ws.z1;
    const len = B * hidden;
    if (s.activation === 'tanh') for (let i = 0; i < len; i++) z1[i] = Math.tanh(a1[i]);
    else for (let i = 0; i < len; i++) z1[i] = a1[i] > 0 ? a1[i] : 0;
    gemm(false, true, B, d, hidden, 1, z1, 0, hidden, p, s.offW2, hidden, 0, ws.pre, 0, d);
    if (s.bias) addRowVector(ws.pre, B, d, p, s.offB2);
    pre = ws.pre;
  } else {
    pre = a1;
  }
  const h = ws.h;
  if (s.hNorm !== null) {
    const r = s.hNorm;
    for (let i = 0; i < B; i++) {
      let ss = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) ss += pre[o + j] * pre[o + j];
      const sc = 1 / Math.sqrt(ss + NORM_EPS);
      ws.scale[i] = sc;
      for (let j = 0; j < d; j++) h[o + j] = r * pre[o + j] * sc;
    }
  } else {
    h.set(pre.subarray(0, B * d));
  }
  if (withLogits) gemm(false, true, B, s.n, d, 1, h, 0, d, V, vOff, d, 0, ws.logits, 0, s.n);
}

/**
 * Backward pass after `forwardKernel` with `withLogits`: `ws.logits` must hold `G = ∂L/∂logits`
 * (`B × n`). Writes the full gradient into `grad` (every slot overwritten, so no zeroing is needed).
 *
 * `∂/∂V̂ = Gᵀ ĥ`, `∂/∂ĥ = G V̂` (docs/theory.md#2-pre-training-loss-and-its-gradient); through the normalisation `ĥ = r z/s`,
 * `s = √(‖z‖² + η)`: `∂/∂z = (r/s)(∂/∂ĥ − z ⟨z, ∂/∂ĥ⟩/s²)`; then the map's layers by the chain rule.
 */
export function backwardKernel(
  s: LearnerShape,
  p: FloatArray,
  V: FloatArray,
  vOff: number,
  ws: Workspace,
  B: number,
  grad: FloatArray,
): void {
  const { n, d, k, hidden } = s;
  const G = ws.logits;
  if (s.offV >= 0) gemm(true, false, n, d, B, 1, G, 0, n, ws.h, 0, d, 0, grad, s.offV, d);
  const dH = ws.dH;
  gemm(false, false, B, d, n, 1, G, 0, n, V, vOff, d, 0, dH, 0, d);
  const pre = hidden > 0 ? ws.pre : ws.a1;
  let dPre: FloatArray;
  if (s.hNorm !== null) {
    dPre = ws.dPre;
    const r = s.hNorm;
    for (let i = 0; i < B; i++) {
      const o = i * d;
      const sc = ws.scale[i];
      let dot = 0;
      for (let j = 0; j < d; j++) dot += pre[o + j] * dH[o + j];
      const c = dot * sc * sc;
      for (let j = 0; j < d; j++) dPre[o + j] = r * sc * (dH[o + j] - pre[o + j] * c);
    }
  } else {
    dPre = dH;
  }
  if (hidden > 0) {
    gemm(true, false, d, hidden, B, 1, dPre, 0, d, ws.z1, 0, hidden, 0, grad, s.offW2, hidden);
    if (s.bias) columnSums(dPre, B, d, grad, s.offB2);
    const dZ1 = ws.dZ1;
    gemm(false, false, B, hidden, d, 1, dPre, 0, d, p, s.offW2, hidden, 0, dZ1, 0, hidden);
    const len = B * hidden;
    if (s.activation === 'tanh') {
      const z1 = ws.z1;
      for (let i = 0; i < len; i++) dZ1[i] *= 1 - z1[i] * z1[i];
    } else {
      const a1 = ws.a1;
      for (let i = 0; i < len; i++) if (!(a1[i] > 0)) dZ1[i] = 0;
    }
    gemm(true, false, hidden, k, B, 1, dZ1, 0, hidden, ws.xb, 0, k, 0, grad, s.offW1, k);
    if (s.bias) columnSums(dZ1, B, hidden, grad, s.offB1);
  } else {
    gemm(true, false, d, k, B, 1, dPre, 0, d, ws.xb, 0, k, 0, grad, s.offW1, k);
    if (s.bias) columnSums(dPre, B, d, grad, s.offB1);
  }
}

/** `a[i, :] += p[off .. off+c)` for each of the `r` rows. */
function addRowVector(a: FloatArray, r: number, c: number, p: FloatArray, off: number): void {
  for (let i = 0; i < r; i++) {
    const o = i * c;
    for (let j = 0; j < c; j++) a[o + j] += p[off + j];
  }
}

/**
 * `out[off + j] = Σ_i a[i, j]` (overwrites), summed in float64 in row order and stored once, so a
 * float32 `out` is rounded once rather than after every addition (for float64 the sums, and their
 * order, are those of accumulating into `out` directly).
 */
function columnSums(a: FloatArray, r: number, c: number, out: FloatArray, off: number): void {
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += a[i * c + j];
    out[off + j] = s;
  }
}
