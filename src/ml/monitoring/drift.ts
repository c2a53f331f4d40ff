/**
 * Univariate drift between a reference sample and a current sample of one feature (docs/monitoring.md).
 *
 * Numeric features: population stability index (PSI) over bins taken from the reference, the
 * two-sample Kolmogorov-Smirnov statistic and its asymptotic p-value, the Jensen-Shannon distance
 * (base 2) over the same bins, and the Wasserstein-1 distance divided by the reference standard
 * deviation. Categorical features: PSI and Jensen-Shannon over the categories, and the chi-squared
 * test of homogeneity. Missing values (null, undefined, NaN) are reported as a share and left out
 * of every statistic. `detectDrift` picks the deciding method by Evidently's default rule.
 *
 * Domain-free: imports only lib/.
 */
import { IriskError } from '../../lib/errors.js';

/** One observed value; null, undefined and NaN are missing. */
export type FeatureValue = number | string | boolean | null | undefined;

/** PSI bands used in credit risk practice: < 0.1 stable, 0.1 to 0.25 moderate, >= 0.25 significant. */
export type PsiBand = 'stable' | 'moderate' | 'significant';

/** The method that decides drift. */
export type DriftMethod = 'ks' | 'wasserstein' | 'chi2' | 'jensen_shannon';

/** Replacement proportion for an empty bin in PSI (and nowhere else). */
export const PSI_EPSILON = 1e-4;

/** True for null, undefined and NaN. */
export function isMissing(v: FeatureValue): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function requireNonEmpty(name: string, sample: readonly unknown[]): void {
  if (!Array.isArray(sample) || sample.length === 0) {
    throw new IriskError('DATASET_INVALID', `the ${name} sample is empty: drift needs at least one row on each side`, { sample: name });
  }
}

/** Splits a sample into its present values (sorted ascending) and the share that is missing. */
export function numericValues(sample: readonly FeatureValue[], name = 'sample'): { values: Float64Array; missingShare: number } {
  requireNonEmpty(name, sample);
  const out: number[] = [];
  for (const v of sample) {
    if (isMissing(v)) continue;
    if (typeof v !== 'number') {
      throw new IriskError('DATASET_INVALID', `the ${name} sample of a numeric feature holds a non-number (${JSON.stringify(v)})`, { sample: name, value: v });
    }
    out.push(v);
  }
  const values = Float64Array.from(out).sort();
  return { values, missingShare: (sample.length - values.length) / sample.length };
}

// ---------------------------------------------------------------------------------------------
// Binning and PSI

/** Type-7 (linear interpolation) quantile of a sorted sample, as numpy's default. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Bins derived from a sorted reference: interior cut points at the reference's `bins`-quantiles
 * (duplicates merged, so ties never make empty bins), bins closed on the right, plus one bin
 * below the reference minimum and one above its maximum, so that values outside the reference
 * range are seen as new (disjoint samples then have Jensen-Shannon distance 1).
 */
export interface ReferenceBins {
  min: number;
  max: number;
  /** Interior cut points, strictly increasing, each < max. */
  cuts: number[];
}

/** Builds the reference bins (deciles by default) from a sorted, non-empty reference. */
export function referenceBins(sortedRef: ArrayLike<number>, bins = 10): ReferenceBins {
  if (!Number.isInteger(bins) || bins < 2) throw new IriskError('USAGE', `bins must be an integer >= 2, got ${String(bins)}`, { bins });
  const min = sortedRef[0]!;
  const max = sortedRef[sortedRef.length - 1]!;
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) {
    const c = quantileSorted(sortedRef, k / bins);
    if (c < max && (cuts.length === 0 || c > cuts[cuts.length - 1]!)) cuts.push(c);
  }
  return { min, max, cuts };
}

/** Number of bins: below-min, the interior bins (cuts + 1), above-max. */
export function binCount(b: ReferenceBins): number {
  return b.cuts.length + 3;
}

/** Bin index of a value: 0 below the minimum, last above the maximum, else 1 + (cuts below the value). */
export function binOf(b: ReferenceBins, x: number): number {
  if (x < b.min) return 0;
  if (x > b.max) return b.cuts.length + 2;
  let lo = 0;
  let hi = b.cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b.cuts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return 1 + lo;
}

/** Proportions of a sample in each bin (sum 1). */
export function binProportions(b: ReferenceBins, values: ArrayLike<number>): Float64Array {
  const p = new Float64Array(binCount(b));
  for (let i = 0; i < values.length; i++) p[binOf(b, values[i]!)]!++;
  for (let i = 0; i < p.length; i++) p[i] = p[i]! / values.length;
  return p;
}

/** PSI = sum over bins of (c - r) ln(c / r), an empty side's proportion replaced by `epsilon`. */
export function psiFromProportions(ref: ArrayLike<number>, cur: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const c = cur[i]!;
    if (r === 0 && c === 0) continue;
    const rr = Math.max(r, epsilon);
    const cc = Math.max(c, epsilon);
    s += (cc - rr) * Math.log(cc / rr);
  }
  return s;
}

/** The conventional PSI band. */
export function psiBand(psi: number): PsiBand {
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'significant';
}

/** Jensen-Shannon distance in base 2 (0 identical, 1 disjoint): the square root of the JS divergence. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const m = (a + b) / 2;
    if (a > 0) d += 0.5 * a * Math.log2(a / m);
    if (b > 0) d += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(Math.max(0, Math.min(1, d)));
}

// ---------------------------------------------------------------------------------------------
// Kolmogorov-Smirnov

/**
 * Survival function of the Kolmogorov distribution, Q(lambda) = P(K > lambda)
 * = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2); for small lambda the equivalent theta-function
 * form 1 - sqrt(2 pi)/lambda sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 lambda^2)) converges faster.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const y = Math.exp((-Math.PI * Math.PI) / (8 * lambda * lambda));
    let s = 0;
    for (let j = 1; j <= 20; j++) s += y ** ((2 * j - 1) * (2 * j - 1));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let j = 1; j <= 100; j++) {
    const t = Math.exp(-2 * j * j * lambda * lambda);
    s += (j % 2 === 1 ? 1 : -1) * t;
    if (t < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/** Two-sample KS result. */
export interface KsResult {
  /** sup |F_ref - F_cur| over all values, ties handled. */
  statistic: number;
  /**
   * Asymptotic p-value Q((sqrt(ne) + 0.12 + 0.11/sqrt(ne)) D), ne = n m / (n + m), with Stephens'
   * small-sample correction; good to about two digits for n, m >= ~30, conservative with ties.
   */
  pValue: number;
}

/** Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value over sorted, non-empty samples. */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < n && a[i]! <= x) i++;
    while (j < m && b[j]! <= x) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { statistic: d, pValue: kolmogorovSurvival((en + 0.12 + 0.11 / en) * d) };
}

// ---------------------------------------------------------------------------------------------
// Wasserstein

/** Population standard deviation (ddof 0). */
export function populationSd(x: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i]! - mean) ** 2;
  return Math.sqrt(ss / x.length);
}

/** Wasserstein-1 distance between two empirical distributions: the area between their CDFs (sorted inputs). */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let area = 0;
  let prev = Math.min(a[0]!, b[0]!);
  while (i < n || j < m) {
    const x = Math.min(i < n ? a[i]! : Infinity, j < m ? b[j]! : Infinity);
    area += Math.abs(i / n - j / m) * (x - prev);
    while (i < n && a[i]! <= x) i++;
    while (j < m && b[j]! <= x) j++;
    prev = x;
  }
  return area;
}

/** Floor on the reference sd when normalising Wasserstein (as Evidently does), so a constant reference does not divide by zero. */
export const MIN_NORMALISING_SD = 0.001;

// ---------------------------------------------------------------------------------------------
// Chi-squared

function lnGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~15 digits for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let k = 1; k < 1000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lead));
  }
  // Modified Lentz.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(lead) * h);
}

/** P(chi2_df > x). */
export function chiSquaredSurvival(x: number, df: number): number {
  if (df <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

/** Chi-squared test of homogeneity on a 2 x k table of counts (reference row, current row). */
export interface Chi2Result {
  statistic: number;
  df: number;
  pValue: number;
}

/**
 * Two-sample chi-squared test of homogeneity (no continuity correction). For two categories it is
 * the square of the pooled two-proportion z statistic, so it also covers Evidently's z-test for
 * binary features.
 */
export function chiSquaredHomogeneity(refCounts: readonly number[], curCounts: readonly number[]): Chi2Result {
  const n = refCounts.reduce((s, c) => s + c, 0);
  const m = curCounts.reduce((s, c) => s + c, 0);
  let stat = 0;
  let k = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const tot = refCounts[i]! + curCounts[i]!;
    if (tot === 0) continue;
    k++;
    const er = (tot * n) / (n + m);
    const ec = (tot * m) / (n + m);
    stat += (refCounts[i]! - er) ** 2 / er + (curCounts[i]! - ec) ** 2 / ec;
  }
  const df = Math.max(0, k - 1);
  return { statistic: stat, df, pValue: df === 0 ? 1 : chiSquaredSurvival(stat, df) };
}

// ---------------------------------------------------------------------------------------------
// Per-kind statistics

/** Everything measured between two samples of a numeric feature. Statistics are null when a side has no present value. */
export interface NumericDriftStats {
  kind: 'numeric';
  n: { reference: number; current: number };
  missingShare: { reference: number; current: number };
  psi: number | null;
  psiBand: PsiBand | null;
  ks: KsResult | null;
  jensenShannon: number | null;
  /** Wasserstein-1 distance / max(reference population sd, 0.001). */
  wassersteinNormed: number | null;
  /** Distinct present reference values (for the low-cardinality rule). */
  referenceDistinct: number;
}

/** Numeric drift statistics; `bins` is the number of reference quantile bins for PSI and JS (10 = deciles). */
export function numericDriftStats(reference: readonly FeatureValue[], current: readonly FeatureValue[], options: { bins?: number; epsilon?: number } = {}): NumericDriftStats {
  const ref = numericValues(reference, 'reference');
  const cur = numericValues(current, 'current');
  const r = ref.values;
  const c = cur.values;
  let distinct = 0;
  for (let i = 0; i < r.length; i++) if (i === 0 || r[i] !== r[i - 1]) distinct++;
  const base = {
    kind: 'numeric' as const,
    n: { reference: r.length, current: c.length },
    missingShare: { reference: ref.missingShare, current: cur.missingShare },
    referenceDistinct: distinct,
  };
  if (r.length === 0 || c.length === 0) return { ...base, psi: null, psiBand: null, ks: null, jensenShannon: null, wassersteinNormed: null };
  const bins = referenceBins(r, options.bins ?? 10);
  const pr = binProportions(bins, r);
  const pc = binProportions(bins, c);
  const psi = psiFromProportions(pr, pc, options.epsilon ?? PSI_EPSILON);
  return {
    ...base,
    psi,
    psiBand: psiBand(psi),
    ks: ksTwoSample(r, c),
    jensenShannon: jensenShannonDistance(pr, pc),
    wassersteinNormed: wasserstein1(r, c) / Math.max(populationSd(r), MIN_NORMALISING_SD),
  };
}

/** Everything measured between two samples of a categorical feature. */
export interface CategoricalDriftStats {
  kind: 'categorical';
  n: { reference: number; current: number };
  missingShare: { reference: number; current: number };
  /** Categories in first-seen order (reference first), with their counts on each side. */
  categories: { value: string; reference: number; current: number }[];
  psi: number | null;
  psiBand: PsiBand | null;
  chi2: Chi2Result | null;
  jensenShannon: number | null;
}

/** Categorical drift statistics; values are compared as strings (1 and '1' are one category). */
export function categoricalDriftStats(reference: readonly FeatureValue[], current: readonly FeatureValue[], options: { epsilon?: number } = {}): CategoricalDriftStats {
  requireNonEmpty('reference', reference);
  requireNonEmpty('current', current);
  const index = new Map<string, number>();
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  const count = (sample: readonly FeatureValue[], side: number[]): number => {
    let n = 0;
    for (const v of sample) {
      if (isMissing(v)) continue;
      const key = String(v);
      let k = index.get(key);
      if (k === undefined) {
        k = refCounts.length;
        index.set(key, k);
        refCounts.push(0);
        curCounts.push(0);
      }
      side[k]!++;
      n++;
    }
    return n;
  };
  const nr = count(reference, refCounts);
  const nc = count(current, curCounts);
  const categories = [...index.entries()].map(([value, k]) => ({ value, reference: refCounts[k]!, current: curCounts[k]! }));
  const base = {
    kind: 'categorical' as const,
    n: { reference: nr, current: nc },
    missingShare: { reference: (reference.length - nr) / reference.length, current: (current.length - nc) / current.length },
    categories,
  };
  if (nr === 0 || nc === 0) return { ...base, psi: null, psiBand: null, chi2: null, jensenShannon: null };
  const pr = refCounts.map((x) => x / nr);
  const pc = curCounts.map((x) => x / nc);
  const psi = psiFromProportions(pr, pc, options.epsilon ?? PSI_EPSILON);
  return { ...base, psi, psiBand: psiBand(psi), chi2: chiSquaredHomogeneity(refCounts, curCounts), jensenShannon: jensenShannonDistance(pr, pc) };
}

// ---------------------------------------------------------------------------------------------
// Decision

/** How `detectDrift` decides; every field has Evidently's default. */
export interface DriftOptions {
  /** Feature kind; default: numeric when every present value is a number, else categorical. */
  kind?: 'numeric' | 'categorical';
  /** Reference rows (present values) at or below which a statistical test decides, above which a distance does (1000). */
  largeReference?: number;
  /** p-value below which KS and chi-squared flag drift (0.05). */
  pValueThreshold?: number;
  /** Normalised Wasserstein at or above which drift is flagged (0.1). */
  wassersteinThreshold?: number;
  /** Jensen-Shannon distance at or above which drift is flagged (0.1). */
  jensenShannonThreshold?: number;
  /** A numeric feature with at most this many distinct reference values is treated as categorical (5; 0 turns the rule off). */
  maxCategoricalDistinct?: number;
  /** PSI bins from reference quantiles (10). */
  bins?: number;
  /** PSI empty-bin proportion (1e-4). */
  epsilon?: number;
}

export const DRIFT_DEFAULTS: Required<Omit<DriftOptions, 'kind'>> = {
  largeReference: 1000,
  pValueThreshold: 0.05,
  wassersteinThreshold: 0.1,
  jensenShannonThreshold: 0.1,
  maxCategoricalDistinct: 5,
  bins: 10,
  epsilon: PSI_EPSILON,
};

/** The drift verdict for one feature, with every statistic behind it. */
export interface DriftResult {
  /** The kind the test was run as (a low-cardinality numeric feature is tested as categorical). */
  kind: 'numeric' | 'categorical';
  /** The deciding method, or null when a side had no present value (nothing to test). */
  method: DriftMethod | null;
  /** The deciding value (a p-value for ks/chi2, a distance otherwise). */
  value: number | null;
  threshold: number | null;
  drifted: boolean;
  psi: number | null;
  psiBand: PsiBand | null;
  stats: NumericDriftStats | CategoricalDriftStats;
}

function inferKind(sample: readonly FeatureValue[]): 'numeric' | 'categorical' {
  for (const v of sample) if (!isMissing(v) && typeof v !== 'number') return 'categorical';
  return 'numeric';
}

/**
 * Drift of one feature, decided the way Evidently's defaults do: with <= 1000 present reference
 * values, the two-sample KS test (numeric) or chi-squared test (categorical) at p < 0.05; with
 * more, normalised Wasserstein (numeric) or Jensen-Shannon distance (categorical) >= 0.1. A numeric
 * feature with <= 5 distinct reference values is tested as categorical. PSI and its band are
 * always returned beside the verdict. Throws DATASET_INVALID on an empty sample.
 */
export function detectDrift(reference: readonly FeatureValue[], current: readonly FeatureValue[], options: DriftOptions = {}): DriftResult {
  requireNonEmpty('reference', reference);
  requireNonEmpty('current', current);
  const o = { ...DRIFT_DEFAULTS, ...options };
  let kind = options.kind ?? (inferKind(reference) === 'numeric' && inferKind(current) === 'numeric' ? 'numeric' : 'categorical');
  let stats: NumericDriftStats | CategoricalDriftStats;
  if (kind === 'numeric') {
    const num = numericDriftStats(reference, current, { bins: o.bins, epsilon: o.epsilon });
    if (num.n.reference > 0 && num.referenceDistinct <= o.maxCategoricalDistinct) {
      kind = 'categorical';
      stats = categoricalDriftStats(reference, current, { epsilon: o.epsilon });
    } else {
      stats = num;
    }
  } else {
    stats = categoricalDriftStats(reference, current, { epsilon: o.epsilon });
  }
  const common = { kind, psi: stats.psi, psiBand: stats.psiBand, stats };
  const small = stats.n.reference <= o.largeReference;
  if (stats.kind === 'numeric') {
    if (stats.ks === null || stats.wassersteinNormed === null) return { ...common, method: null, value: null, threshold: null, drifted: false };
    return small
      ? { ...common, method: 'ks', value: stats.ks.pValue, threshold: o.pValueThreshold, drifted: stats.ks.pValue < o.pValueThreshold }
      : { ...common, method: 'wasserstein', value: stats.wassersteinNormed, threshold: o.wassersteinThreshold, drifted: stats.wassersteinNormed >= o.wassersteinThreshold };
  }
  if (stats.chi2 === null || stats.jensenShannon === null) return { ...common, method: null, value: null, threshold: null, drifted: false };
  return small
    ? { ...common, method: 'chi2', value: stats.chi2.pValue, threshold: o.pValueThreshold, drifted: stats.chi2.pValue < o.pValueThreshold }
    : { ...common, method: 'jensen_shannon', value: stats.jensenShannon, threshold: o.jensenShannonThreshold, drifted: stats.jensenShannon >= o.jensenShannonThreshold };
}
