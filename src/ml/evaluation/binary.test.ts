import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { isIriskError } from '../../lib/errors.js';
import { delongAuc } from './auc.js';
import { averagePrecision, ksStatistic } from './binary-curves.js';
import { brierScore, calibrationTable, logLoss } from './calibration-table.js';
import { evaluateBinary } from './binary.js';
import { expectErrorCode } from '../../../test/support.js';

/** Logistic model: x ~ N(0, 1), p = sigmoid(a + b x), y ~ Bernoulli(p). */
function credit(seed: string, n: number, a = -2.5, b = 1.2): { y: Uint8Array; p: Float64Array } {
  const rng = new Rng(seed);
  const y = new Uint8Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pi = 1 / (1 + Math.exp(-(a + b * rng.normal())));
    p[i] = pi;
    y[i] = rng.chance(pi) ? 1 : 0;
  }
  return { y, p };
}

const expectInvalid = (f: () => unknown, pattern?: RegExp): void => expectErrorCode(f, 'DATASET_INVALID', pattern);

describe('evaluateBinary', () => {
  const { y, p } = credit('binary-report', 5000);

  it('reports the same numbers as the individual metrics', () => {
    const r = evaluateBinary(y, p, { bins: 10, confidence: 0.9 });
    const positives = y.reduce((a, v) => a + v, 0);
    expect(r.n).toBe(5000);
    expect(r.positives).toBe(positives);
    expect(r.prevalence).toBe(positives / 5000);
    const d = delongAuc(y, p, 0.9);
    expect(r.auc).toBe(d.auc);
    expect(r.aucCi).toEqual(d.ci);
    expect(r.gini).toBeCloseTo(2 * d.auc - 1, 15);
    const ks = ksStatistic(y, p);
    expect(r.ks).toBe(ks.ks);
    expect(r.ksThreshold).toBe(ks.threshold);
    expect(r.brier).toBeCloseTo(brierScore(y, p), 14);
    expect(r.logLoss).toBeCloseTo(logLoss(y, p), 14);
    expect(r.prAuc).toBe(averagePrecision(y, p));
    expect(r.calibration).toEqual(calibrationTable(y, p, { bins: 10, strategy: 'quantile' }));
    expect(r.bySegment).toBeUndefined();
    // The data are calibrated by construction and the score discriminates.
    expect(r.calibration.ece).toBeLessThan(0.03);
    expect(r.auc).toBeGreaterThan(0.7);
    expect(r.aucCi[0]).toBeLessThan(r.auc);
    expect(r.aucCi[1]).toBeGreaterThan(r.auc);
    // The report is plain JSON (no Infinity or NaN turned into null on the way).
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('reports segments, with counts and null metrics for small or one-class segments', () => {
    const n = y.length;
    const segments = Array.from({ length: n }, (_, i) => (i < 3000 ? 'web' : i < 4980 ? 'branch' : 'phone'));
    const labels = Array.from(y);
    for (let i = 4980; i < n; i++) labels[i] = 0; // 'phone': 20 rows, all 0
    const segA = evaluateBinary(labels, p, { segments, minSegmentSize: 10 });
    const by = segA.bySegment!;
    expect(Object.keys(by)).toEqual(['branch', 'phone', 'web']);
    expect(by.web!.n).toBe(3000);
    expect(by.web!.auc).toBe(delongAuc(labels.slice(0, 3000), p.slice(0, 3000)).auc);
    expect(by.branch!.n + by.web!.n + by.phone!.n).toBe(n);
    expect(by.phone).toMatchObject({ n: 20, positives: 0, prevalence: 0, auc: null, aucCi: null, calibration: null, skipped: 'only label 0' });
    expect(by.web!.skipped).toBeUndefined();

    const segB = evaluateBinary(labels, p, { segments, minSegmentSize: 2000 });
    expect(segB.bySegment!.web!.auc).not.toBeNull();
    expect(segB.bySegment!.branch).toMatchObject({ n: 1980, auc: null, ks: null, brier: null, skipped: 'fewer than 2000 rows' });
    expect(segB.bySegment!.branch!.positives).toBe(labels.slice(3000, 4980).reduce((a, v) => a + v, 0));
  });

  it('rejects every kind of bad input with DATASET_INVALID', () => {
    expectInvalid(() => evaluateBinary([0, 1, 0], [0.1, 0.2]), /differ in length/);
    expectInvalid(() => evaluateBinary([0, 1, 2], [0.1, 0.2, 0.3]), /row 2 is 2/);
    expectInvalid(() => evaluateBinary([0, 1, 0.5], [0.1, 0.2, 0.3]), /exactly 0 or 1/);
    expectInvalid(() => evaluateBinary([0, 1, -1], [0.1, 0.2, 0.3]));
    expectInvalid(() => evaluateBinary([0, 1, NaN], [0.1, 0.2, 0.3]));
    expectInvalid(() => evaluateBinary([0, 1, 1], [0.1, NaN, 0.3]), /row 1/);
    expectInvalid(() => evaluateBinary([0, 1, 1], [0.1, Infinity, 0.3]));
    expectInvalid(() => evaluateBinary([0, 1, 1], [0.1, 1.01, 0.3]), /\[0, 1\]/);
    expectInvalid(() => evaluateBinary([0, 1, 1], [-0.2, 0.5, 0.3]));
    expectInvalid(() => evaluateBinary([1, 1, 1], [0.1, 0.5, 0.3]), /both positives/);
    expectInvalid(() => evaluateBinary([0, 0], [0.1, 0.5]), /both positives/);
    expectInvalid(() => evaluateBinary([], []));
    expectInvalid(() => evaluateBinary([0, 1], [0.1, 0.5], { segments: ['a'] }), /one segment per row/);
    expectInvalid(() => evaluateBinary([0, 1], [0.1, 0.5], { segments: ['a', 7 as unknown as string] }));
    for (const bad of [{ bins: 0 }, { bins: 2.5 }, { confidence: 1 }, { confidence: 0 }, { minSegmentSize: 0 }]) {
      expect(() => evaluateBinary([0, 1], [0.1, 0.5], bad)).toThrow();
    }
  });

  it('evaluates 150,000 rows with segments well under a second', () => {
    const big = credit('binary-perf', 150_000);
    const segments = Array.from({ length: 150_000 }, (_, i) => ['a', 'b', 'c'][i % 3]!);
    evaluateBinary(big.y, big.p); // warm up the JIT
    const t0 = performance.now();
    const r = evaluateBinary(big.y, big.p, { segments });
    const ms = performance.now() - t0;
    expect(r.n).toBe(150_000);
    expect(Object.keys(r.bySegment!)).toHaveLength(3);
    expect(ms).toBeLessThan(1000);
  });
});
