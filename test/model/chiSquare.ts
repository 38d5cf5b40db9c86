/**
 * Pearson chi-square goodness of fit for tests, with cells of small expected count pooled.
 *
 * The critical value uses the Wilson–Hilferty approximation (Wilson & Hilferty, "The distribution of
 * chi-square", PNAS 17, 1931): `χ²_{df, 1−α} ≈ df (1 − 2/(9df) + z_{1−α} √(2/(9df)))³`, accurate to
 * well under 1% for df ≥ 10 in the upper tail; `z_{0.999} = 3.0902` (standard normal tables).
 */
export function chiSquare(counts: ArrayLike<number>, expected: ArrayLike<number>, minExpected = 5): { stat: number; df: number } {
  let stat = 0;
  let cells = 0;
  let pooledObs = 0;
  let pooledExp = 0;
  for (let i = 0; i < counts.length; i++) {
    if (expected[i] >= minExpected) {
      stat += (counts[i] - expected[i]) ** 2 / expected[i];
      cells++;
    } else {
      pooledObs += counts[i];
      pooledExp += expected[i];
    }
  }
  if (pooledExp > 0) {
    stat += (pooledObs - pooledExp) ** 2 / pooledExp;
    cells++;
  }
  return { stat, df: cells - 1 };
}

/** Upper `1 − 0.001` quantile of chi-square with `df` degrees of freedom (Wilson–Hilferty). */
export function chiSquareCritical999(df: number): number {
  const z = 3.0902;
  const c = 2 / (9 * df);
  return df * (1 - c + z * Math.sqrt(c)) ** 3;
}
