/**
 * ROC AUC for binary classifiers with DeLong confidence intervals, for one model and for the
 * difference between two models scored on the same rows.
 *
 * Everything starts from `groupBinaryScores`: the distinct scores (descending) with how many
 * positives and negatives share each one. That table is a sufficient statistic for the AUC with
 * midranks (ties count 1/2), its DeLong variance, the ROC and PR curves, the KS statistic and the
 * calibration table, so a report sorts once and reads the table many times. Sorting uses the native
 * typed-array sort on each class separately and one merge, O(n log n).
 *
 * Convention throughout: label 1 is the positive class and a higher score means "more likely 1".
 * Scores may be any finite reals (probabilities, log-odds, margins).
 *
 * DeLong's variance uses the fast algorithm of Sun & Xu (2014), "Fast implementation of DeLong's
 * algorithm for comparing the areas under correlated receiver operating characteristic curves": the
 * structural components are differences of midranks among positives, among negatives and among all
 * rows. A positive's component V10 = (negatives below it + half the tied negatives) / n0 and a
 * negative's component V01 = (positives above it + half the tied positives) / n1; both depend only on
 * the tie group, so they are computed per group.
 */
import { IriskError } from '../../lib/errors.js';

// ---------------------------------------------------------------------------------------------
// Standard normal distribution (no other module in src/lib or src/ml provides these).
// ---------------------------------------------------------------------------------------------

/**
 * Standard normal CDF Phi(x), relative error about 1e-15 on the smaller tail: Hart's (1968) rational
 * approximation as given by West (2005), "Better approximations to cumulative normal functions", for
 * |x| < 2.5 and Laplace's continued fraction beyond. Computed on the tail, so Phi(-8) keeps its
 * precision instead of being 1 minus a rounding error. Needed for p-values, normal quantiles and
 * the closed-form AUC of binormal models.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  // exp(-a^2/2) split as exp(-r^2/2) * exp(-(a-r)(a+r)/2) with r = a rounded to 1/16, so r^2 is
  // exact and the rounding of a^2 does not cost relative precision far in the tail (Cody's trick).
  // It underflows to 0 beyond |x| ~ 38.6, where the tail is below the smallest double anyway.
  const r = Math.round(a * 16) / 16;
  const e = Math.exp(-0.5 * r * r) * Math.exp(-0.5 * (a - r) * (a + r));
  let tail: number;
  if (a < 2.5) {
    let num = 3.52624965998911e-2 * a + 0.700383064443688;
    num = num * a + 6.37396220353165;
    num = num * a + 33.912866078383;
    num = num * a + 112.079291497871;
    num = num * a + 221.213596169931;
    num = num * a + 220.206867912376;
    let den = 8.83883476483184e-2 * a + 1.75566716318264;
    den = den * a + 16.064177579207;
    den = den * a + 86.7807322029461;
    den = den * a + 296.564248779674;
    den = den * a + 637.333633378831;
    den = den * a + 793.826512519948;
    den = den * a + 440.413735824752;
    tail = (e * num) / den;
  } else {
    // Laplace's continued fraction for the Mills ratio, a + 1/(a + 2/(a + 3/(a + ...))), evaluated
    // bottom-up; 60 terms reach double precision for a >= 2.5 (where the rational form loses
    // relative precision in the tail).
    let b = a;
    for (let k = 60; k >= 1; k--) b = a + k / b;
    tail = e / b / 2.5066282746310002;
  }
  return x > 0 ? 1 - tail : tail;
}

const QA = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const QB = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const QC = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const QD = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Standard normal quantile Phi^-1(p) for p in (0, 1) (0 and 1 give -/+Infinity): Acklam's rational
 * approximation refined by one Halley step against `normalCdf`, accurate to about 1e-15. Needed for
 * the z of a two-sided confidence level.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((QC[0]! * q + QC[1]!) * q + QC[2]!) * q + QC[3]!) * q + QC[4]!) * q + QC[5]!) / ((((QD[0]! * q + QD[1]!) * q + QD[2]!) * q + QD[3]!) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((QA[0]! * r + QA[1]!) * r + QA[2]!) * r + QA[3]!) * r + QA[4]!) * r + QA[5]!) * q) / (((((QB[0]! * r + QB[1]!) * r + QB[2]!) * r + QB[3]!) * r + QB[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((QC[0]! * q + QC[1]!) * q + QC[2]!) * q + QC[3]!) * q + QC[4]!) * q + QC[5]!) / ((((QD[0]! * q + QD[1]!) * q + QD[2]!) * q + QD[3]!) * q + 1);
  }
  // One Halley step on Phi(x) - p, computed on the smaller tail to keep precision for p near 1
  // (there Phi(x) - p = (1 - p) - Phi(-x)).
  const err = p > 0.5 ? 1 - p - normalCdf(-x) : normalCdf(x) - p;
  const u = err * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/** z such that a two-sided normal interval mean +/- z*se has the given coverage (1.96 for 0.95). */
export function twoSidedZ(confidence: number): number {
  checkConfidence(confidence);
  return normalQuantile(0.5 + confidence / 2);
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new IriskError('CONFIG_INVALID', `Confidence must be strictly between 0 and 1, got ${confidence}`, { confidence });
  }
}

// ---------------------------------------------------------------------------------------------
// Scores grouped by distinct value.
// ---------------------------------------------------------------------------------------------

/**
 * Labelled scores reduced to their distinct values (descending) with the number of positives and
 * negatives at each value. Every metric of a single score vector reads this table.
 */
export interface BinaryScores {
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  /** Distinct scores, strictly descending. */
  readonly values: Float64Array;
  /** Positives whose score equals `values[k]`. */
  readonly pos: Int32Array;
  /** Negatives whose score equals `values[k]`. */
  readonly neg: Int32Array;
}

function invalid(message: string, details: Record<string, unknown> = {}): IriskError {
  return new IriskError('DATASET_INVALID', message, details);
}

/**
 * Checks that labels and scores have equal lengths, labels are exactly 0 or 1 and scores are finite;
 * returns the number of positives. Throws DATASET_INVALID naming the first offending row, because a
 * silently skipped row would change every metric.
 */
export function validateLabelledScores(labels: ArrayLike<number>, scores: ArrayLike<number>, what = 'score'): number {
  if (labels.length !== scores.length) {
    throw invalid(`Labels and ${what}s differ in length (${labels.length} labels, ${scores.length} ${what}s); they must be aligned row by row`, {
      labels: labels.length,
      [`${what}s`]: scores.length,
    });
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y === 1) positives++;
    else if (y !== 0) throw invalid(`Label at row ${i} is ${String(y)}; labels must be exactly 0 or 1`, { row: i, value: y });
    const s = scores[i]!;
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw invalid(`The ${what} at row ${i} is ${String(s)}; ${what}s must be finite numbers`, { row: i, value: s });
    }
  }
  return positives;
}

/** Throws DATASET_INVALID unless both classes are present (AUC, ROC and KS compare the two). */
export function requireBothClasses(g: { n: number; positives: number }, context = 'the data'): void {
  if (g.n === 0) throw invalid(`No rows in ${context}; a binary evaluation needs labelled rows`);
  if (g.positives === 0 || g.positives === g.n) {
    const only = g.positives === 0 ? 0 : 1;
    throw invalid(`Every label in ${context} is ${only}; a binary evaluation needs both positives (1) and negatives (0)`, {
      n: g.n,
      positives: g.positives,
    });
  }
}

/**
 * Validates labels and scores and groups them by distinct score (see `BinaryScores`). One class may
 * be absent here; functions that compare the classes check for both. O(n log n) with native sorts.
 */
export function groupBinaryScores(labels: ArrayLike<number>, scores: ArrayLike<number>): BinaryScores {
  const positives = validateLabelledScores(labels, scores);
  const n = labels.length;
  const negatives = n - positives;
  const p = new Float64Array(positives);
  const q = new Float64Array(negatives);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (labels[i] === 1) p[a++] = scores[i]!;
    else q[b++] = scores[i]!;
  }
  p.sort();
  q.sort();
  const values = new Float64Array(n);
  const pos = new Int32Array(n);
  const neg = new Int32Array(n);
  let m = 0;
  let i = positives - 1;
  let j = negatives - 1;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? q[j]! : j < 0 ? p[i]! : Math.max(p[i]!, q[j]!);
    let cp = 0;
    let cn = 0;
    while (i >= 0 && p[i] === v) {
      cp++;
      i--;
    }
    while (j >= 0 && q[j] === v) {
      cn++;
      j--;
    }
    values[m] = v;
    pos[m] = cp;
    neg[m] = cn;
    m++;
  }
  return { n, positives, negatives, values: values.slice(0, m), pos: pos.slice(0, m), neg: neg.slice(0, m) };
}

// ---------------------------------------------------------------------------------------------
// AUC and DeLong.
// ---------------------------------------------------------------------------------------------

/** DeLong structural components per tie group: V10 for the positives, V01 for the negatives there. */
interface Components {
  v10: Float64Array;
  v01: Float64Array;
  auc: number;
}

function componentsOf(g: BinaryScores): Components {
  requireBothClasses(g);
  const m = g.values.length;
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(m);
  let posAbove = 0;
  let negAbove = 0;
  let u = 0;
  for (let k = 0; k < m; k++) {
    const pk = g.pos[k]!;
    const nk = g.neg[k]!;
    const negBelow = g.negatives - negAbove - nk;
    v10[k] = (negBelow + nk / 2) / g.negatives;
    v01[k] = (posAbove + pk / 2) / g.positives;
    u += nk * (posAbove + pk / 2);
    posAbove += pk;
    negAbove += nk;
  }
  return { v10, v01, auc: u / (g.positives * g.negatives) };
}

/**
 * ROC AUC of grouped scores: the probability that a random positive scores above a random negative,
 * ties counting 1/2 (the Mann-Whitney U over n1*n0). Throws DATASET_INVALID without both classes.
 */
export function aucOf(g: BinaryScores): number {
  return componentsOf(g).auc;
}

/**
 * ROC AUC (midranks, ties count 1/2) of any finite scores, O(n log n). The threshold-free ranking
 * quality of a score: what a lender's cut-off cannot change.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return aucOf(groupBinaryScores(labels, scores));
}

/**
 * DeLong variance of the empirical AUC: S10/n1 + S01/n0, with S10 and S01 the sample variances of
 * the positives' and negatives' structural components. NaN when a class has a single row (its
 * variance cannot be estimated); 0 when the components do not vary (e.g. AUC exactly 0 or 1).
 */
export function delongVarianceOf(g: BinaryScores): number {
  const c = componentsOf(g);
  return varianceFromComponents(g, c);
}

function varianceFromComponents(g: BinaryScores, c: Components): number {
  if (g.positives < 2 || g.negatives < 2) return NaN;
  let s10 = 0;
  let s01 = 0;
  for (let k = 0; k < g.values.length; k++) {
    const a = c.v10[k]! - c.auc;
    const b = c.v01[k]! - c.auc;
    s10 += g.pos[k]! * a * a;
    s01 += g.neg[k]! * b * b;
  }
  s10 /= g.positives - 1;
  s01 /= g.negatives - 1;
  return s10 / g.positives + s01 / g.negatives;
}

/** AUC with its DeLong variance and a confidence interval. */
export interface AucWithCi {
  auc: number;
  variance: number;
  ci: [number, number];
}

/**
 * AUC with DeLong variance and a CI computed on the logit scale: logit(AUC) +/- z * se / (AUC(1-AUC)),
 * transformed back. Why logit rather than a plain normal interval clipped to [0, 1]: good models
 * have AUCs near 1, where the AUC's sampling distribution is skewed; the plain interval then
 * overshoots 1 (and clipping gives an interval that claims certainty at the boundary) and
 * under-covers, while the logit interval stays inside (0, 1), is asymmetric the right way and keeps
 * its coverage (Pepe 2003, sec. 5.2; Qin & Hotilovac 2008). Degenerate cases: variance 0 (AUC 0 or
 * 1, or components that do not vary) gives [auc, auc]; an inestimable variance (NaN, a class of one)
 * gives [0, 1].
 */
export function delongCiOf(g: BinaryScores, confidence = 0.95): AucWithCi {
  const z = twoSidedZ(confidence);
  const c = componentsOf(g);
  const variance = varianceFromComponents(g, c);
  return { auc: c.auc, variance, ci: logitInterval(c.auc, variance, z) };
}

function logitInterval(auc: number, variance: number, z: number): [number, number] {
  if (Number.isNaN(variance)) return [0, 1];
  if (variance <= 0 || auc <= 0 || auc >= 1) return [auc, auc];
  const centre = Math.log(auc / (1 - auc));
  const half = (z * Math.sqrt(variance)) / (auc * (1 - auc));
  const expit = (t: number): number => 1 / (1 + Math.exp(-t));
  return [expit(centre - half), expit(centre + half)];
}

/** AUC, DeLong variance and logit-scale CI of any finite scores (see `delongCiOf`). */
export function delongAuc(labels: ArrayLike<number>, scores: ArrayLike<number>, confidence = 0.95): AucWithCi {
  return delongCiOf(groupBinaryScores(labels, scores), confidence);
}

/** Two correlated AUCs compared by DeLong's test. */
export interface PairedAucComparison {
  aucA: number;
  aucB: number;
  /** aucA - aucB. */
  diff: number;
  /** Standard error of `diff` (accounts for the correlation of A and B over the same rows). */
  se: number;
  /** Normal CI for `diff`, clipped to [-1, 1]. */
  ci: [number, number];
  /** Two-sided p-value of H0: AUC_A = AUC_B. */
  pValue: number;
}

/** Per-row structural component (V10 for positives, V01 for negatives) of one score vector. */
function rowComponents(labels: ArrayLike<number>, scores: ArrayLike<number>, g: BinaryScores, c: Components): Float64Array {
  const out = new Float64Array(labels.length);
  const values = g.values;
  for (let i = 0; i < labels.length; i++) {
    const s = scores[i]!;
    // values are strictly descending: find k with values[k] === s.
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! > s) lo = mid + 1;
      else hi = mid;
    }
    out[i] = labels[i] === 1 ? c.v10[lo]! : c.v01[lo]!;
  }
  return out;
}

/**
 * DeLong's test for two models scored on the same rows: the difference of their AUCs (A - B), its
 * standard error from the DeLong covariance of the two correlated AUCs
 * (var = (S10_AA + S10_BB - 2 S10_AB)/n1 + (S01_AA + S01_BB - 2 S01_AB)/n0), a normal CI clipped to
 * [-1, 1] and a two-sided p-value. Why paired: comparing two separate CIs ignores that both models
 * see the same hard and easy rows, and is far too conservative. Degenerate cases do not give NaN:
 * when se is 0 (e.g. identical scores) the CI is [diff, diff] and the p-value is 1 if diff is 0,
 * else 0. With a class of a single row se is NaN, the CI [-1, 1] and the p-value NaN.
 */
export function pairedDelong(
  labels: ArrayLike<number>,
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  confidence = 0.95,
): PairedAucComparison {
  const z = twoSidedZ(confidence);
  if (scoresA.length !== scoresB.length) {
    throw invalid(`The two score vectors differ in length (${scoresA.length} and ${scoresB.length}); both models must score the same rows`, {
      a: scoresA.length,
      b: scoresB.length,
    });
  }
  const gA = groupBinaryScores(labels, scoresA);
  const gB = groupBinaryScores(labels, scoresB);
  const cA = componentsOf(gA);
  const cB = componentsOf(gB);
  const diff = cA.auc - cB.auc;
  const n1 = gA.positives;
  const n0 = gA.negatives;
  if (n1 < 2 || n0 < 2) return { aucA: cA.auc, aucB: cB.auc, diff, se: NaN, ci: [-1, 1], pValue: NaN };

  const ra = rowComponents(labels, scoresA, gA, cA);
  const rb = rowComponents(labels, scoresB, gB, cB);
  // Variance of the per-row difference of components, per class: equals S_AA + S_BB - 2 S_AB and
  // is exactly 0 when the two models' components agree row by row.
  let s10 = 0;
  let s01 = 0;
  for (let i = 0; i < ra.length; i++) {
    const d = ra[i]! - cA.auc - (rb[i]! - cB.auc);
    if (labels[i] === 1) s10 += d * d;
    else s01 += d * d;
  }
  const variance = s10 / (n1 - 1) / n1 + s01 / (n0 - 1) / n0;
  const se = Math.sqrt(Math.max(0, variance));
  if (se === 0) {
    return { aucA: cA.auc, aucB: cB.auc, diff, se: 0, ci: [diff, diff], pValue: diff === 0 ? 1 : 0 };
  }
  const ci: [number, number] = [Math.max(-1, diff - z * se), Math.min(1, diff + z * se)];
  return { aucA: cA.auc, aucB: cB.auc, diff, se, ci, pValue: Math.min(1, 2 * normalCdf(-Math.abs(diff) / se)) };
}
