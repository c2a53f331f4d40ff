/**
 * Operating-point arithmetic over sorted scores with per-pair weights. The point estimate uses
 * weight 1 per pair; a bootstrap replicate uses subject multiplicities. Because thresholds only ever
 * sit at observed distances, and the sort order never changes between replicates, every rate is a
 * ratio of two prefix sums: FMR(u) = W_imp(<= t_u) / W_imp, FNMR(u) = W_gen(> t_u) / W_gen.
 *
 * Decision rule throughout: **match if distance <= threshold**.
 */
import type { SortedScores } from './sorted-scores.js';

/**
 * Prefix sums of pair weights over the sorted scores: `genuine[k]` is the total weight of the k
 * smallest genuine distances (length ng + 1), likewise `impostor` (length ni + 1).
 */
export interface CumulativeWeights {
  readonly genuine: Float64Array;
  readonly impostor: Float64Array;
}

/** Prefix sums with weight 1 per pair (plain counts): the point estimate. */
export function unitWeights(s: SortedScores): CumulativeWeights {
  const g = new Float64Array(s.genuine.length + 1);
  for (let k = 1; k < g.length; k++) g[k] = k;
  const i = new Float64Array(s.impostor.length + 1);
  for (let k = 1; k < i.length; k++) i[k] = k;
  return { genuine: g, impostor: i };
}

/**
 * Fills `out` with prefix sums for subject multiplicities `mult` (length subjectCount + 1, the last
 * slot fixed at 1): a genuine pair of subject s weighs mult[s]; an impostor pair of subjects a != b
 * weighs mult[a] * mult[b]; an impostor pair within one subject (other eye) weighs mult[s].
 */
export function fillSubjectWeights(s: SortedScores, mult: Float64Array, out: CumulativeWeights): void {
  const gs = s.genuineSubject;
  const g = out.genuine;
  let c = 0;
  for (let k = 0; k < gs.length; k++) {
    c += mult[gs[k]!]!;
    g[k + 1] = c;
  }
  const ia = s.impostorSubjectA;
  const ib = s.impostorPartner;
  const im = out.impostor;
  c = 0;
  for (let k = 0; k < ia.length; k++) {
    c += mult[ia[k]!]! * mult[ib[k]!]!;
    im[k + 1] = c;
  }
}

/** FMR and FNMR at one operating point. */
export interface Rates {
  fmr: number;
  fnmr: number;
}

/**
 * Rates when `genuineAccepted` genuine and `impostorAccepted` impostor pairs (counted from the
 * smallest distance) are accepted as matches.
 */
export function ratesAt(w: CumulativeWeights, genuineAccepted: number, impostorAccepted: number): Rates {
  const tg = w.genuine[w.genuine.length - 1]!;
  const ti = w.impostor[w.impostor.length - 1]!;
  return { fmr: w.impostor[impostorAccepted]! / ti, fnmr: (tg - w.genuine[genuineAccepted]!) / tg };
}

/** Equal error rate and the threshold where it occurs. */
export interface EerPoint {
  eer: number;
  threshold: number;
}

/**
 * EER where the FMR and FNMR curves cross. Finds (binary search, since FMR - FNMR never decreases
 * with the threshold) the first observed threshold t_u with FMR >= FNMR. If they are equal there,
 * EER is that common value at t_u (with several such thresholds, the smallest one). Otherwise the
 * crossing lies on the segment joining the DET points at t_{u-1} and t_u (the point before the first
 * threshold being FMR 0, FNMR 1) and is linearly interpolated, as is the reported threshold.
 */
export function eerOf(s: SortedScores, w: CumulativeWeights): EerPoint {
  const G = w.genuine;
  const I = w.impostor;
  const tg = G[G.length - 1]!;
  const ti = I[I.length - 1]!;
  const gAt = s.genuineAtOrBelow;
  const iAt = s.impostorAtOrBelow;
  const th = s.thresholds;
  // FMR(u) >= FNMR(u)  <=>  I[iAt[u]] * tg >= (tg - G[gAt[u]]) * ti; exact for integer weights.
  let lo = 0;
  let hi = th.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (I[iAt[mid]!]! * tg >= (tg - G[gAt[mid]!]!) * ti) hi = mid;
    else lo = mid + 1;
  }
  const u = lo;
  const accI = I[iAt[u]!]!;
  const rejG = tg - G[gAt[u]!]!;
  const fmrU = accI / ti;
  const fnmrU = rejG / tg;
  if (accI * tg === rejG * ti) return { eer: fmrU, threshold: th[u]! };
  let fmrP = 0;
  let fnmrP = 1;
  let tP = th[u]!;
  if (u > 0) {
    fmrP = I[iAt[u - 1]!]! / ti;
    fnmrP = (tg - G[gAt[u - 1]!]!) / tg;
    tP = th[u - 1]!;
  }
  const dP = fmrP - fnmrP;
  const dU = fmrU - fnmrU;
  const alpha = -dP / (dU - dP);
  return { eer: fmrP + alpha * (fmrU - fmrP), threshold: tP + alpha * (th[u]! - tP) };
}

/** The best operating point under an FMR ceiling. `threshold` is null when even the smallest observed distance breaks the ceiling (then every comparison is rejected). */
export interface FmrCeilingPoint {
  fnmr: number;
  /** FMR actually achieved at the chosen threshold (<= the target). */
  fmr: number;
  threshold: number | null;
}

/**
 * Smallest FNMR at any threshold whose FMR <= target: the largest observed distance t with
 * FMR(t) <= target (binary search; FMR never decreases with t). Ties are never split: all pairs at
 * one distance are accepted together, so if accepting a tied group of impostors would push FMR over
 * the target, the threshold falls to the next smaller observed distance and genuine pairs tied with
 * those impostors are rejected too.
 */
export function fnmrAtFmrOf(s: SortedScores, w: CumulativeWeights, target: number): FmrCeilingPoint {
  const G = w.genuine;
  const I = w.impostor;
  const tg = G[G.length - 1]!;
  const ti = I[I.length - 1]!;
  const iAt = s.impostorAtOrBelow;
  // Largest u with I[iAt[u]] / ti <= target, or -1.
  let lo = -1;
  let hi = iAt.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (I[iAt[mid]!]! / ti <= target) lo = mid;
    else hi = mid - 1;
  }
  if (lo < 0) return { fnmr: 1, fmr: 0, threshold: null };
  return { fnmr: (tg - G[s.genuineAtOrBelow[lo]!]!) / tg, fmr: I[iAt[lo]!]! / ti, threshold: s.thresholds[lo]! };
}
