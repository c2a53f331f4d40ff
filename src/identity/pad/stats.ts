/**
 * Small statistics the PAD feature groups share.
 */

/** Mean and (population) variance of the first n values; NaN for both when n is 0. */
export function meanVariance(values: ArrayLike<number>, n = values.length): { mean: number; variance: number } {
  if (n === 0) return { mean: NaN, variance: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i]! - mean) ** 2;
  return { mean, variance: v / n };
}

/** Resolution (grey levels) and range of the histogram behind `robustSigma`. */
const SIGMA_BINS_PER_LEVEL = 32;
const SIGMA_MAX_LEVEL = 64;

/**
 * Robust standard deviation of zero-centred residuals: 1.4826 x median |r| over the first n
 * values (normal-consistent), from a histogram with 1/32 grey-level bins (|r| capped at 64).
 * NaN when n is 0.
 */
export function robustSigma(residuals: ArrayLike<number>, n = residuals.length): number {
  if (n === 0) return NaN;
  const bins = new Uint32Array(SIGMA_BINS_PER_LEVEL * SIGMA_MAX_LEVEL);
  const last = bins.length - 1;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(Math.abs(residuals[i]!) * SIGMA_BINS_PER_LEVEL);
    bins[b > last ? last : b]++;
  }
  const half = n / 2;
  let acc = 0;
  for (let b = 0; b <= last; b++) {
    acc += bins[b]!;
    if (acc >= half) return (1.4826 * (b + 0.5)) / SIGMA_BINS_PER_LEVEL;
  }
  return (1.4826 * SIGMA_MAX_LEVEL);
}

/** Median of a small array (copies). NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 === 1 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}
