/**
 * Unchecked kernel of `perContextBulkLogPartitions`: for one row of logits, the log-sum-exp over
 * every word except the row's own `k` largest logits, for several `k` at once.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';

/**
 * Scratch for `topKExcludedLse`, reused across rows so that a pass over many contexts allocates
 * once: a binary min-heap of (logit, word) keys of capacity `kmax`.
 */
export interface TopKScratch {
  readonly values: Float64Array;
  readonly words: Int32Array;
}

/** Scratch for excluding up to `kmax` words per row. */
export function topKScratch(kmax: number): TopKScratch {
  return { values: new Float64Array(Math.max(1, kmax)), words: new Int32Array(Math.max(1, kmax)) };
}

// Keys are ordered by logit, ties by word index (the lower index ranks higher), so "the k largest
// logits" is one well-defined set even when logits tie. The excluded sum does not depend on how
// ties are broken (tied words have equal logits), but the two passes below must agree on the set.
function below(va: number, wa: number, vb: number, wb: number): boolean {
  return va < vb || (va === vb && wa > wb);
}

function siftDown(values: Float64Array, words: Int32Array, size: number, i: number): void {
  const v = values[i];
  const w = words[i];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && below(values[c + 1], words[c + 1], values[c], words[c])) c++;
    if (!below(values[c], words[c], v, w)) break;
    values[i] = values[c];
    words[i] = words[c];
    i = c;
  }
  values[i] = v;
  words[i] = w;
}

function siftUp(values: Float64Array, words: Int32Array, i: number): void {
  const v = values[i];
  const w = words[i];
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!below(v, w, values[p], words[p])) break;
    values[i] = values[p];
    words[i] = words[p];
    i = p;
  }
  values[i] = v;
  words[i] = w;
}

/**
 * Write into `out[outOff + j·outStride]` (for each `j`) `log Σ_{w ∉ top_{ksDesc[j]}} exp z[o + w]`,
 * where `top_k` is the set of the row's `k` largest logits, `w` ranging over `[0, n)`. Requires
 * `ksDesc` non-increasing with `0 ≤ ksDesc[j] < n` and `ksDesc[0]` ≤ the scratch capacity. Returns false when a logit is not finite (nothing useful is
 * written then; the caller raises the error).
 *
 * Why it is stable: pass 1 keeps the `kmax` largest keys in a min-heap and records the largest
 * logit `M` that is *not* among them; pass 2 sums `exp(z − M)` over the words outside the heap
 * (every term ≤ 1, the largest exactly 1), in float64. The excluded words' logits are never
 * subtracted from a total, so nothing cancels. For smaller `k`, the heap's words ranked `kmax − 1`
 * down to `k` are added back in increasing order with the online rescaling of a streaming
 * log-sum-exp (`s ← s·e^{m−v} + 1`, `m ← v`), again with every term ≤ 1. Cost: `O(n)` comparisons
 * plus `O(kmax log kmax)` heap work per row in typical orders (`O(n log kmax)` at worst), and `n`
 * exponentials.
 */
export function topKExcludedLse(z: FloatArray, o: number, n: number, ksDesc: Int32Array, scratch: TopKScratch, out: Float64Array, outOff: number, outStride: number): boolean {
  const kmax = ksDesc[0];
  if (kmax === 0) {
    // Every k is 0: the whole row. A logit of −∞ (a product that overflowed downwards) is an
    // overflow as in the k > 0 path below, not a word of zero mass; `v - v` is NaN exactly for
    // ±∞ and NaN.
    let mx = -Infinity;
    for (let w = 0; w < n; w++) {
      const v = z[o + w];
      if (v - v !== 0) return false;
      if (v > mx) mx = v;
    }
    let s = 0;
    for (let w = 0; w < n; w++) s += Math.exp(z[o + w] - mx);
    const r = mx + Math.log(s);
    for (let j = 0; j < ksDesc.length; j++) out[outOff + j * outStride] = r;
    return true;
  }
  const { values, words } = scratch;
  // Pass 1: the kmax largest keys, and the largest logit left outside them.
  let size = 0;
  let restMax = -Infinity;
  for (let w = 0; w < n; w++) {
    const v = z[o + w];
    if (v !== v || v === Infinity || v === -Infinity) return false;
    if (size < kmax) {
      values[size] = v;
      words[size] = w;
      siftUp(values, words, size);
      size++;
    } else if (below(values[0], words[0], v, w)) {
      // v enters the top set; the heap's smallest key leaves it.
      if (values[0] > restMax) restMax = values[0];
      values[0] = v;
      words[0] = w;
      siftDown(values, words, size, 0);
    } else if (v > restMax) restMax = v;
  }
  // Pass 2: the words outside the top kmax, relative to their own maximum.
  const tv = values[0];
  const tw = words[0];
  let s = 0;
  for (let w = 0; w < n; w++) {
    const v = z[o + w];
    if (below(v, w, tv, tw)) s += Math.exp(v - restMax);
  }
  // Heap-sort the top keys in place: moving the minimum to the end of a shrinking min-heap leaves
  // the keys in decreasing order, so that index r holds rank r (rank 0 = the largest logit).
  for (let end = size - 1; end > 0; end--) {
    const v0 = values[0];
    const w0 = words[0];
    values[0] = values[end];
    words[0] = words[end];
    values[end] = v0;
    words[end] = w0;
    siftDown(values, words, end, 0);
  }
  // Now values[0] is the largest logit (rank 0) and values[kmax − 1] the smallest of the top set.
  // Add ranks kmax−1, kmax−2, …, recording the log-sum-exp after the ranks ≥ k are in.
  let mx = restMax;
  let done = kmax; // ranks ≥ done are in the sum
  for (let j = 0; j < ksDesc.length; j++) {
    const k = ksDesc[j];
    while (done > k) {
      done--;
      const v = values[done];
      // v ≥ every logit already in the sum (the heap holds the largest keys), so rescale.
      s = s * Math.exp(mx - v) + 1;
      mx = v;
    }
    out[outOff + j * outStride] = mx + Math.log(s);
  }
  return true;
}
