/**
 * Threshold curves of a binary classifier: ROC, the KS statistic, precision-recall and average
 * precision, plus downsampling of long curves for plots. Decision rule: predict positive (1) when
 * score >= threshold. Each function has a form over grouped scores (`...Of`, see `groupBinaryScores`)
 * so a report sorts once, and a convenience form over raw labels and scores.
 */
import { IriskError } from '../../lib/errors.js';
import { groupBinaryScores, requireBothClasses, type BinaryScores } from './auc.js';

/** One ROC operating point: the rates when predicting positive at score >= threshold. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

/**
 * ROC curve: (0, 0) at threshold +Infinity, then one point per distinct score in decreasing order,
 * ending at (1, 1). Ties move the curve diagonally, as the midrank AUC assumes. Throws
 * DATASET_INVALID without both classes.
 */
export function rocCurveOf(g: BinaryScores): RocPoint[] {
  requireBothClasses(g);
  const out: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < g.values.length; k++) {
    tp += g.pos[k]!;
    fp += g.neg[k]!;
    out.push({ fpr: fp / g.negatives, tpr: tp / g.positives, threshold: g.values[k]! });
  }
  return out;
}

/** ROC curve of labels (0/1) and finite scores; see `rocCurveOf`. */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocPoint[] {
  return rocCurveOf(groupBinaryScores(labels, scores));
}

/** Kolmogorov-Smirnov separation and where it is reached. */
export interface KsResult {
  /** max over thresholds of |TPR - FPR| (the largest gap between the classes' score CDFs). */
  ks: number;
  /** The highest threshold (score >= threshold) at which the maximum is reached. */
  threshold: number;
  fpr: number;
  tpr: number;
}

/**
 * KS statistic: the largest |TPR - FPR| over the observed thresholds, with the (highest) threshold
 * that reaches it. Credit scoring reports it alongside the Gini because it names a cut-off.
 */
export function ksOf(g: BinaryScores): KsResult {
  requireBothClasses(g);
  let best: KsResult = { ks: -1, threshold: g.values[0]!, fpr: 0, tpr: 0 };
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < g.values.length; k++) {
    tp += g.pos[k]!;
    fp += g.neg[k]!;
    const tpr = tp / g.positives;
    const fpr = fp / g.negatives;
    const gap = Math.abs(tpr - fpr);
    if (gap > best.ks) best = { ks: gap, threshold: g.values[k]!, fpr, tpr };
  }
  return best;
}

/** KS statistic of labels (0/1) and finite scores; see `ksOf`. */
export function ksStatistic(labels: ArrayLike<number>, scores: ArrayLike<number>): KsResult {
  return ksOf(groupBinaryScores(labels, scores));
}

/** One precision-recall point at score >= threshold. */
export interface PrPoint {
  recall: number;
  precision: number;
  threshold: number;
}

/**
 * Precision-recall curve: the conventional anchor (recall 0, precision 1) at threshold +Infinity,
 * then one point per distinct score in decreasing order (recall non-decreasing). Informative where
 * positives are rare, as defaults and attacks are. Throws DATASET_INVALID without both classes.
 */
export function precisionRecallCurveOf(g: BinaryScores): PrPoint[] {
  requireBothClasses(g);
  const out: PrPoint[] = [{ recall: 0, precision: 1, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < g.values.length; k++) {
    tp += g.pos[k]!;
    fp += g.neg[k]!;
    out.push({ recall: tp / g.positives, precision: tp / (tp + fp), threshold: g.values[k]! });
  }
  return out;
}

/** Precision-recall curve of labels (0/1) and finite scores; see `precisionRecallCurveOf`. */
export function precisionRecallCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): PrPoint[] {
  return precisionRecallCurveOf(groupBinaryScores(labels, scores));
}

/**
 * Average precision, the area under the PR curve as a step function: sum over distinct thresholds
 * (descending) of (R_k - R_{k-1}) * P_k, R_0 = 0 (scikit-learn's `average_precision_score`). Step-wise
 * rather than trapezoidal because linear interpolation between PR points is optimistic.
 */
export function averagePrecisionOf(g: BinaryScores): number {
  requireBothClasses(g);
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let k = 0; k < g.values.length; k++) {
    const pk = g.pos[k]!;
    tp += pk;
    fp += g.neg[k]!;
    if (pk > 0) ap += (pk / g.positives) * (tp / (tp + fp));
  }
  return ap;
}

/** Average precision (PR AUC) of labels (0/1) and finite scores; see `averagePrecisionOf`. */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return averagePrecisionOf(groupBinaryScores(labels, scores));
}

/**
 * At most `maxPoints` points of a curve (default 500), spaced evenly along its length in the plane
 * given by `xy`, always keeping the first and last point and the original order. A ROC curve over
 * 150k distinct scores has 150k points; a plot needs a few hundred.
 */
export function downsampleCurve<T>(points: readonly T[], xy: (p: T) => readonly [number, number], maxPoints = 500): T[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new IriskError('CONFIG_INVALID', `A downsampled curve needs at least 2 points, got ${maxPoints}`, { maxPoints });
  }
  const m = points.length;
  if (m <= maxPoints) return points.slice();
  const len = new Float64Array(m);
  let [px, py] = xy(points[0]!);
  for (let u = 1; u < m; u++) {
    const [x, y] = xy(points[u]!);
    len[u] = len[u - 1]! + (Number.isFinite(x - px) && Number.isFinite(y - py) ? Math.hypot(x - px, y - py) : 0);
    px = x;
    py = y;
  }
  const step = len[m - 1]! / (maxPoints - 1);
  const out: T[] = [points[0]!];
  let last = 0;
  for (let k = 1, u = 1; k < maxPoints - 1 && step > 0; k++) {
    const target = k * step;
    while (u < m - 1 && len[u]! < target) u++;
    if (u >= m - 1) break;
    if (u !== last) {
      out.push(points[u]!);
      last = u;
    }
  }
  out.push(points[m - 1]!);
  return out;
}
