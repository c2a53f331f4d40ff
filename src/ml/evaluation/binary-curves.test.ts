import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { isIriskError } from '../../lib/errors.js';
import { rocAuc } from './auc.js';
import { averagePrecision, downsampleCurve, ksStatistic, precisionRecallCurve, rocCurve } from './binary-curves.js';

function tiedData(seed: number, n: number): { y: number[]; s: number[] } {
  const rng = new Rng(seed);
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.chance(0.3) ? 1 : 0;
    y.push(label);
    s.push(Math.round(4 * rng.normal(label, 1.5)) / 4);
  }
  return { y, s };
}

/** TPR and FPR when predicting positive at score >= t, by counting. */
function ratesAt(y: readonly number[], s: readonly number[], t: number): { tpr: number; fpr: number; precision: number } {
  let tp = 0;
  let fp = 0;
  let p = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) p++;
    if (s[i]! >= t) {
      if (y[i] === 1) tp++;
      else fp++;
    }
  }
  return { tpr: tp / p, fpr: fp / (y.length - p), precision: tp / (tp + fp) };
}

describe('ROC curve', () => {
  it('starts at (0, 0), has one point per distinct score, ends at (1, 1) and integrates to the AUC', () => {
    const { y, s } = tiedData(1, 500);
    const roc = rocCurve(y, s);
    expect(roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: Infinity });
    expect(roc.length).toBe(new Set(s).size + 1);
    expect(roc[roc.length - 1]!.fpr).toBe(1);
    expect(roc[roc.length - 1]!.tpr).toBe(1);
    let area = 0;
    for (let k = 1; k < roc.length; k++) {
      const a = roc[k - 1]!;
      const b = roc[k]!;
      expect(b.threshold).toBeLessThan(a.threshold);
      expect(b.fpr).toBeGreaterThanOrEqual(a.fpr);
      expect(b.tpr).toBeGreaterThanOrEqual(a.tpr);
      const brute = ratesAt(y, s, b.threshold);
      expect(b.tpr).toBeCloseTo(brute.tpr, 14);
      expect(b.fpr).toBeCloseTo(brute.fpr, 14);
      area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2; // ties run diagonally: trapezoids = midrank AUC
    }
    expect(area).toBeCloseTo(rocAuc(y, s), 12);
  });

  it('rejects a single class', () => {
    let caught: unknown;
    try {
      rocCurve([0, 0, 0], [1, 2, 3]);
    } catch (e) {
      caught = e;
    }
    expect(isIriskError(caught, 'DATASET_INVALID')).toBe(true);
  });
});

describe('KS statistic', () => {
  it('equals the largest gap found by brute force over every threshold', () => {
    for (const seed of [2, 3, 4]) {
      const { y, s } = tiedData(seed, 400);
      let best = -1;
      let bestT = NaN;
      for (const t of [...new Set(s)].sort((a, b) => b - a)) {
        const { tpr, fpr } = ratesAt(y, s, t);
        if (Math.abs(tpr - fpr) > best + 1e-15) {
          best = Math.abs(tpr - fpr);
          bestT = t;
        }
      }
      const ks = ksStatistic(y, s);
      expect(ks.ks).toBeCloseTo(best, 14);
      expect(ks.threshold).toBe(bestT);
      expect(Math.abs(ks.tpr - ks.fpr)).toBeCloseTo(best, 14);
    }
  });

  it('is 1 for a perfect separation and 0 when every score is tied', () => {
    expect(ksStatistic([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toEqual({ ks: 1, threshold: 0.8, fpr: 0, tpr: 1 });
    expect(ksStatistic([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]).ks).toBe(0);
  });
});

describe('precision-recall and average precision', () => {
  it('matches the scikit-learn documentation example', () => {
    // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
    const y = [0, 0, 1, 1];
    const s = [0.1, 0.4, 0.35, 0.8];
    expect(averagePrecision(y, s)).toBeCloseTo(5 / 6, 14);
    expect(precisionRecallCurve(y, s)).toEqual([
      { recall: 0, precision: 1, threshold: Infinity },
      { recall: 0.5, precision: 1, threshold: 0.8 },
      { recall: 0.5, precision: 0.5, threshold: 0.4 },
      { recall: 1, precision: 2 / 3, threshold: 0.35 },
      { recall: 1, precision: 0.5, threshold: 0.1 },
    ]);
  });

  it('counts tied scores as one threshold', () => {
    // Thresholds 0.9: TP 1, FP 0 (P 1, R 1/3); 0.5: TP 3, FP 1 (P 3/4, R 1); AP = 1/3 * 1 + 2/3 * 3/4.
    expect(averagePrecision([1, 1, 0, 1, 0], [0.9, 0.5, 0.5, 0.5, 0.1])).toBeCloseTo(1 / 3 + 0.5, 14);
  });

  it('equals the step-wise sum computed by brute force, and prevalence for an uninformative score', () => {
    const { y, s } = tiedData(5, 300);
    let ap = 0;
    let prevRecall = 0;
    for (const t of [...new Set(s)].sort((a, b) => b - a)) {
      const { tpr, precision } = ratesAt(y, s, t);
      ap += (tpr - prevRecall) * precision;
      prevRecall = tpr;
    }
    expect(averagePrecision(y, s)).toBeCloseTo(ap, 14);
    const prevalence = y.filter((v) => v === 1).length / y.length;
    expect(averagePrecision(y, new Array<number>(y.length).fill(0.3))).toBeCloseTo(prevalence, 14);
  });
});

describe('downsampleCurve', () => {
  it('keeps at most maxPoints in order, always with the first and last point', () => {
    const rng = new Rng(7);
    const y: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const label = rng.chance(0.5) ? 1 : 0;
      y.push(label);
      s.push(rng.normal(label, 1));
    }
    const roc = rocCurve(y, s);
    const small = downsampleCurve(roc, (p) => [p.fpr, p.tpr], 500);
    expect(small.length).toBeLessThanOrEqual(500);
    expect(small.length).toBeGreaterThan(400);
    expect(small[0]).toBe(roc[0]);
    expect(small[small.length - 1]).toBe(roc[roc.length - 1]);
    for (let k = 1; k < small.length; k++) expect(small[k]!.threshold).toBeLessThan(small[k - 1]!.threshold);
    // No gap along the curve is much longer than an even share of its length.
    let maxGap = 0;
    for (let k = 1; k < small.length; k++) maxGap = Math.max(maxGap, Math.hypot(small[k]!.fpr - small[k - 1]!.fpr, small[k]!.tpr - small[k - 1]!.tpr));
    expect(maxGap).toBeLessThan(0.02);
    expect(downsampleCurve(roc.slice(0, 10), (p) => [p.fpr, p.tpr])).toHaveLength(10);
  });
});
