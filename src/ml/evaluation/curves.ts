/**
 * Curves and distributions for plots and reports: DET points (FMR against FNMR over thresholds) and
 * fixed-bin score histograms.
 */
import { IriskError } from '../../lib/errors.js';
import type { SortedScores } from './sorted-scores.js';

/** One point of a DET curve: the rates when matching at distance <= threshold. */
export interface DetPoint {
  threshold: number;
  fmr: number;
  fnmr: number;
}

/**
 * DET curve at the observed distances, downsampled to at most `maxPoints` points (default 500)
 * spaced evenly along the curve's length in log-log space (rates of zero are floored at half a pair
 * for spacing only), so the low-FMR tail keeps as much detail as the bulk. The first and last
 * observed thresholds are always kept; points are ordered by increasing threshold.
 */
export function detCurve(s: SortedScores, maxPoints = 500): DetPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new IriskError('CONFIG_INVALID', `A DET curve needs at least 2 points, got ${maxPoints}`, { maxPoints });
  }
  const m = s.thresholds.length;
  const ng = s.genuine.length;
  const ni = s.impostor.length;
  const point = (u: number): DetPoint => ({
    threshold: s.thresholds[u]!,
    fmr: s.impostorAtOrBelow[u]! / ni,
    fnmr: (ng - s.genuineAtOrBelow[u]!) / ng,
  });
  if (m <= maxPoints) return Array.from({ length: m }, (_, u) => point(u));

  const fx = 0.5 / ni;
  const fy = 0.5 / ng;
  const len = new Float64Array(m);
  let px = Math.log10(Math.max(s.impostorAtOrBelow[0]! / ni, fx));
  let py = Math.log10(Math.max((ng - s.genuineAtOrBelow[0]!) / ng, fy));
  for (let u = 1; u < m; u++) {
    const x = Math.log10(Math.max(s.impostorAtOrBelow[u]! / ni, fx));
    const y = Math.log10(Math.max((ng - s.genuineAtOrBelow[u]!) / ng, fy));
    len[u] = len[u - 1]! + Math.hypot(x - px, y - py);
    px = x;
    py = y;
  }
  const total = len[m - 1]!;
  const out: DetPoint[] = [point(0)];
  let last = 0;
  const step = total / (maxPoints - 1);
  for (let k = 1, u = 1; k < maxPoints - 1; k++) {
    const target = k * step;
    while (u < m - 1 && len[u]! < target) u++;
    if (u >= m - 1) break;
    if (u !== last) {
      out.push(point(u));
      last = u;
    }
  }
  out.push(point(m - 1));
  return out;
}

/** Fixed-bin histogram; `density` integrates to the fraction of values inside [lo, hi]. */
export interface Histogram {
  lo: number;
  hi: number;
  binWidth: number;
  /** Bin edges, length bins + 1. */
  edges: number[];
  counts: number[];
  /** counts / (n * binWidth). */
  density: number[];
  /** All values, including those outside the range. */
  n: number;
  below: number;
  above: number;
}

/** Options for histograms: `bins` equal bins over [lo, hi] (defaults 100 over [0, 1]). */
export interface HistogramOptions {
  bins?: number;
  lo?: number;
  hi?: number;
}

/**
 * Histogram of values in equal bins over [lo, hi] (the top edge belongs to the last bin) as counts
 * and densities. Values outside the range are counted in `below` / `above`, not clamped.
 */
export function histogram(values: ArrayLike<number>, options: HistogramOptions = {}): Histogram {
  const bins = options.bins ?? 100;
  const lo = options.lo ?? 0;
  const hi = options.hi ?? 1;
  if (!Number.isInteger(bins) || bins < 1 || !(hi > lo)) {
    throw new IriskError('CONFIG_INVALID', `A histogram needs a positive whole number of bins over a non-empty range, got ${bins} bins over [${lo}, ${hi}]`, {
      bins,
      lo,
      hi,
    });
  }
  const binWidth = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < lo) below++;
    else if (v > hi) above++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / binWidth))]!++;
  }
  const n = values.length;
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * binWidth);
  const density = counts.map((c) => (n === 0 ? 0 : c / (n * binWidth)));
  return { lo, hi, binWidth, edges, counts, density, n, below, above };
}

/** Genuine and impostor score histograms over the same bins. */
export function scoreHistograms(s: SortedScores, options: HistogramOptions = {}): { genuine: Histogram; impostor: Histogram } {
  return { genuine: histogram(s.genuine, options), impostor: histogram(s.impostor, options) };
}
