/**
 * The logistic link, written so that neither direction overflows for large margins.
 */

/** 1 / (1 + e^-m), stable for large |m|. */
export function sigmoid(m: number): number {
  if (m >= 0) return 1 / (1 + Math.exp(-m));
  const e = Math.exp(m);
  return e / (1 + e);
}

/** log(1 + e^m), without overflow. */
export function softplus(m: number): number {
  return m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
}
