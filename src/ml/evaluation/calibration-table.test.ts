import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { isIriskError } from '../../lib/errors.js';
import { brierScore, calibrationErrors, calibrationTable, logLoss } from './calibration-table.js';
import { expectErrorCode } from '../../../test/support.js';

/** y ~ Bernoulli(p) with p ~ Uniform(0, 1): perfectly calibrated probabilities. */
function calibrated(seed: string, n: number): { y: number[]; p: number[] } {
  const rng = new Rng(seed);
  const y: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < n; i++) {
    const pi = rng.next();
    p.push(pi);
    y.push(rng.chance(pi) ? 1 : 0);
  }
  return { y, p };
}

const expectInvalid = (f: () => unknown, pattern?: RegExp): void => expectErrorCode(f, 'DATASET_INVALID', pattern);

describe('calibration table', () => {
  const { y, p } = calibrated('calibration', 50_000);

  it('finds perfectly calibrated probabilities calibrated and distorted ones not', () => {
    for (const strategy of ['uniform', 'quantile'] as const) {
      const good = calibrationTable(y, p, { bins: 10, strategy });
      expect(good.ece).toBeLessThan(0.02);
      expect(good.mce).toBeLessThan(0.04);
      const distorted = calibrationTable(
        y,
        p.map((v) => v ** 3),
        { bins: 10, strategy },
      );
      expect(distorted.ece).toBeGreaterThan(0.1);
      expect(distorted.mce).toBeGreaterThan(distorted.ece);
      for (const b of distorted.bins) expect(b.observedRate).toBeGreaterThanOrEqual(b.meanPredicted - 0.02); // p^3 under-predicts
    }
  });

  it('builds uniform bins on fixed edges and quantile bins of equal counts', () => {
    const uniform = calibrationTable(y, p, { bins: 10, strategy: 'uniform' });
    expect(uniform.strategy).toBe('uniform');
    expect(uniform.bins).toHaveLength(10);
    uniform.bins.forEach((b, k) => {
      expect(b.lo).toBeCloseTo(k / 10, 12);
      expect(b.hi).toBeCloseTo((k + 1) / 10, 12);
      expect(b.meanPredicted).toBeGreaterThanOrEqual(b.lo);
      expect(b.meanPredicted).toBeLessThan(b.hi);
    });
    expect(uniform.bins.reduce((a, b) => a + b.count, 0)).toBe(50_000);

    const quantile = calibrationTable(
      y,
      p.map((v) => v * v * 0.1), // crowded near 0, as default probabilities are
      { bins: 8 },
    );
    expect(quantile.strategy).toBe('quantile');
    expect(quantile.bins).toHaveLength(8);
    for (const b of quantile.bins) expect(b.count).toBe(50_000 / 8);
    for (let k = 1; k < quantile.bins.length; k++) expect(quantile.bins[k]!.lo).toBe(quantile.bins[k - 1]!.hi);
  });

  it('leaves out empty bins and keeps tied predictions together', () => {
    const t = calibrationTable([0, 1, 0, 1, 1, 0], [0.05, 0.05, 0.05, 0.95, 0.95, 0.55], { bins: 10, strategy: 'uniform' });
    const expected = [
      { lo: 0, hi: 0.1, count: 3, meanPredicted: 0.05, observedRate: 1 / 3 },
      { lo: 0.5, hi: 0.6, count: 1, meanPredicted: 0.55, observedRate: 0 },
      { lo: 0.9, hi: 1, count: 2, meanPredicted: 0.95, observedRate: 1 },
    ];
    expect(t.bins).toHaveLength(expected.length);
    t.bins.forEach((bin, k) => {
      const e = expected[k]!;
      expect(bin.count).toBe(e.count);
      for (const key of ['lo', 'hi', 'meanPredicted', 'observedRate'] as const) expect(bin[key]).toBeCloseTo(e[key], 14);
    });
    // ECE = (3 * |1/3 - 0.05| + 1 * 0.55 + 2 * 0.05) / 6; MCE = 0.55.
    expect(t.ece).toBeCloseTo((3 * (1 / 3 - 0.05) + 0.55 + 0.1) / 6, 14);
    expect(t.mce).toBeCloseTo(0.55, 14);
    const q = calibrationTable([0, 1, 0, 1, 1, 0], [0.2, 0.2, 0.2, 0.2, 0.2, 0.9], { bins: 3, strategy: 'quantile' });
    expect(q.bins.map((b) => b.count)).toEqual([5, 1]);
    expect(q.bins[1]).toMatchObject({ lo: 0.9, hi: 0.9 });
    expect(calibrationErrors(q.bins)).toEqual({ ece: q.ece, mce: q.mce });
  });

  it('rejects probabilities outside [0, 1] and bad options', () => {
    expectInvalid(() => calibrationTable([0, 1], [0.2, 1.5]));
    expectInvalid(() => calibrationTable([0, 1], [-0.1, 0.5]));
    expectInvalid(() => calibrationTable([0, 1], [NaN, 0.5]));
    expectInvalid(() => calibrationTable([0, 1, 1], [0.2, 0.5]));
    expectInvalid(() => calibrationTable([], []));
    expect(() => calibrationTable([0, 1], [0.2, 0.5], { bins: 0 })).toThrow(/bins/);
    expect(() => calibrationTable([0, 1], [0.2, 0.5], { strategy: 'equal' as 'uniform' })).toThrow(/strategy/);
  });
});

describe('proper scoring rules', () => {
  it('Brier score of a hand example', () => {
    // (0.1^2 + 0.2^2 + 0.4^2 + 0.5^2) / 4
    expect(brierScore([1, 0, 1, 0], [0.9, 0.2, 0.6, 0.5])).toBeCloseTo(0.115, 14);
    expect(brierScore([0, 1], [0, 1])).toBe(0);
    expect(brierScore([0, 1], [1, 0])).toBe(1);
    expect(brierScore([1, 1], [0.5, 0.5])).toBe(0.25); // one class is fine here
  });

  it('log loss of a hand example, with clipping of certain mistakes', () => {
    expect(logLoss([1, 0, 1, 0], [0.9, 0.2, 0.6, 0.5])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.6) + Math.log(0.5)) / 4, 14);
    const right = logLoss([1, 0], [1, 0]); // about -ln(1 - 1e-15): tiny but not 0
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(1.1e-15);
    const wrong = logLoss([0, 1], [1, 0]);
    expect(Number.isFinite(wrong)).toBe(true);
    expect(wrong).toBeGreaterThan(34);
    expect(wrong).toBeLessThan(35); // -ln(1e-15) = 34.54
  });

  it('rejects bad input', () => {
    expectInvalid(() => brierScore([0, 1], [0.5]));
    expectInvalid(() => brierScore([0, 3], [0.5, 0.5]));
    expectInvalid(() => logLoss([0, 1], [0.5, 2]));
    expectInvalid(() => logLoss([0, 1], [0.5, Infinity]));
  });
});
