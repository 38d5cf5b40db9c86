/**
 * Unchecked kernel of `anchorSweep`'s one-pass sweep: the log-partitions of nested bulks
 * `B_k = all words but the top k` from that of the smallest one.
 *
 * `B_k = B_K ∪ {ranked words k, …, K − 1}` for `k ≤ K`, so `log Z_{B_k} = LSE(log Z_{B_K},
 * t_k, …, t_{K−1})` where `t_r` is the logit of the word ranked `r`. Terms are only ADDED (never a
 * total minus the excluded mass, which would cancel when the top words carry almost all of it),
 * with the online log-sum-exp (a running maximum `M`, and a sum rescaled by `exp(M_old − M_new) ≤
 * 1` when the maximum rises), in float64.
 *
 * @internal
 */
import type { FloatArray } from '../core/matrix.js';

const { exp, log } = Math;

/**
 * For each of `ni` contexts: `zK[i] = log Z_{B_K}`, `T[i·K + r]` the logit of the word ranked `r`
 * (`K = kmax`). For every target `j`, `out[j][off + i] = log Z_{B_{ks[j]}}` (`ks[j] ≤ K`; `ks[j] = K`
 * copies `zK` exactly).
 *
 * @returns `-1`, or the first `i` whose logits `T` were not finite.
 */
export function nestedBulkLseKernel(ni: number, K: number, zK: Float64Array, T: FloatArray, ks: readonly number[], out: readonly Float64Array[], off: number): number {
  // Targets by k: at[r] lists the targets recorded once the word ranked r has been added.
  const at: number[][] = Array.from({ length: K + 1 }, () => []);
  ks.forEach((k, j) => at[k].push(j));
  for (let i = 0; i < ni; i++) {
    let M = zK[i];
    let S = 1;
    for (const j of at[K]) out[j][off + i] = M;
    const o = i * K;
    for (let r = K - 1; r >= 0; r--) {
      const t = T[o + r];
      if (t - t !== 0) return i;
      if (t > M) {
        S = S * exp(M - t) + 1;
        M = t;
      } else S += exp(t - M);
      const js = at[r];
      if (js.length > 0) {
        const v = M + log(S);
        for (const j of js) out[j][off + i] = v;
      }
    }
  }
  return -1;
}
