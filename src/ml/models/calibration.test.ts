import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { isIriskError } from '../../lib/errors.js';
import type { LabelledData } from '../data/dataset.js';
import {
  applyCalibrator,
  applyCalibratorBatch,
  fitCalibrator,
  fitIsotonic,
  fitPlatt,
  parseCalibrator,
  poolAdjacentViolators,
  serializeCalibrator,
  type Calibrator,
  type CalibrationMethod,
} from './calibration.js';
import { fitLogistic, predictLogisticMargins } from './logistic.js';
import { errorCodeOf } from '../../../test/support.js';

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

const codeOf = errorCodeOf;

function brier(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / p.length;
}

/** n scores from `score`, labels drawn with probability trueP(score). */
function sample(n: number, seed: number, score: (r: Rng) => number, trueP: (s: number) => number) {
  const rng = new Rng(seed);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = score(rng);
    p[i] = trueP(scores[i]!);
    labels[i] = rng.chance(p[i]!) ? 1 : 0;
  }
  return { scores, labels, p };
}

describe('fitPlatt', () => {
  const A = 1.7;
  const B = -0.6;
  const data = sample(20_000, 7, (r) => r.normal(0, 2), (s) => sigmoid(A * s + B));

  it('recovers (a, b) of a known sigmoid within 4 standard errors', () => {
    const cal = fitPlatt(data.scores, data.labels);
    // Standard errors from the Fisher information at the truth (2x2, inverted by hand).
    let iaa = 0, iab = 0, ibb = 0;
    for (let i = 0; i < data.scores.length; i++) {
      const w = data.p[i]! * (1 - data.p[i]!);
      const s = data.scores[i]!;
      iaa += w * s * s;
      iab += w * s;
      ibb += w;
    }
    const det = iaa * ibb - iab * iab;
    const seA = Math.sqrt(ibb / det);
    const seB = Math.sqrt(iaa / det);
    expect(seA).toBeLessThan(0.05);
    expect(seB).toBeLessThan(0.05);
    expect(Math.abs(cal.a - A)).toBeLessThan(4 * seA);
    expect(Math.abs(cal.b - B)).toBeLessThan(4 * seB);
  });

  it('is equivariant to an affine change of the score (internal standardisation)', () => {
    const cal = fitPlatt(data.scores, data.labels);
    const shifted = data.scores.map((s) => 1000 + 50 * s);
    const cal2 = fitPlatt(shifted, data.labels);
    expect(cal2.a * 50).toBeCloseTo(cal.a, 8);
    expect(cal2.b + cal2.a * 1000).toBeCloseTo(cal.b, 6);
    for (let i = 0; i < 100; i++) expect(applyCalibrator(cal2, shifted[i]!)).toBeCloseTo(applyCalibrator(cal, data.scores[i]!), 9);
  });

  it('stays finite on separable data and never predicts 0 or 1 (smoothed targets)', () => {
    const scores = [-3, -2, -1.5, -1, 1, 1.5, 2, 3];
    const labels = [0, 0, 0, 0, 1, 1, 1, 1];
    const cal = fitPlatt(scores, labels);
    expect(Number.isFinite(cal.a)).toBe(true);
    expect(Number.isFinite(cal.b)).toBe(true);
    expect(cal.a).toBeGreaterThan(0);
    expect(cal.a).toBeLessThan(10);
    // With 4 + 4 rows the targets are 5/6 and 1/6: the fit cannot be more confident than that by much.
    expect(applyCalibrator(cal, 3)).toBeLessThan(0.99);
    expect(applyCalibrator(cal, 3)).toBeGreaterThan(5 / 6);
    expect(applyCalibrator(cal, -3)).toBeGreaterThan(0.01);
    expect(applyCalibrator(cal, 0)).toBeCloseTo(0.5, 9);
  });

  it('maps margins of a well-specified logistic model with a ~ 1 and b ~ 0', () => {
    const rng = new Rng(99);
    const make = (n: number): LabelledData => {
      const values = new Float32Array(n * 2);
      const labels = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const a = rng.normal(0, 1);
        const b = rng.uniform(-2, 2);
        values[2 * i] = a;
        values[2 * i + 1] = b;
        labels[i] = rng.chance(sigmoid(-0.4 + 1.1 * a - 0.7 * b)) ? 1 : 0;
      }
      return { rows: n, cols: 2, values, labels, featureNames: ['a', 'b'] };
    };
    const train = make(20_000);
    const held = make(20_000);
    const cal = fitPlatt(predictLogisticMargins(fitLogistic(train), held), held.labels);
    expect(Math.abs(cal.a - 1)).toBeLessThan(0.08);
    expect(Math.abs(cal.b)).toBeLessThan(0.08);
  });
});

describe('poolAdjacentViolators', () => {
  it('pools a small hand example into the exact expected blocks', () => {
    // 1 | 3 2 -> 2.5 | 4 3 3 -> 10/3 | 5
    const blocks = poolAdjacentViolators([1, 3, 2, 4, 3, 3, 5]);
    expect(blocks).toEqual([
      { start: 0, end: 1, weight: 1, value: 1 },
      { start: 1, end: 3, weight: 2, value: 2.5 },
      { start: 3, end: 6, weight: 3, value: 10 / 3 },
      { start: 6, end: 7, weight: 1, value: 5 },
    ]);
  });

  it('weighs values and merges equal neighbours so block values strictly increase', () => {
    // 2 (w 3) then 0 (w 1) -> 6/4 = 1.5; then 1.5 equals it -> one block of weight 5.
    expect(poolAdjacentViolators([2, 0, 1.5, 4], [3, 1, 1, 2])).toEqual([
      { start: 0, end: 3, weight: 5, value: 1.5 },
      { start: 3, end: 4, weight: 2, value: 4 },
    ]);
    expect(poolAdjacentViolators([5, 4, 3, 2])).toEqual([{ start: 0, end: 4, weight: 4, value: 3.5 }]);
    expect(codeOf(() => poolAdjacentViolators([1, 2], [1, 0]))).toBe('DATASET_INVALID');
  });
});

describe('fitIsotonic', () => {
  it('pools tied scores before PAV and stores block centres and values', () => {
    // Tied scores 0.2 (labels 0 then 1) must land in one block. Tie groups: 0.1->0, 0.2->1/2 (w 2),
    // 0.3->0, 0.4->1, 0.5->0, 0.6->1. PAV: {0.1}: 0 | {0.2, 0.2, 0.3}: 1/3 | {0.4, 0.5}: 1/2 | {0.6}: 1.
    // (Without pooling ties first, the 0.2 with label 0 would join the first block.)
    const cal = fitIsotonic([0.6, 0.2, 0.1, 0.5, 0.2, 0.4, 0.3], [1, 0, 0, 0, 1, 1, 0]);
    expect(cal.x).toHaveLength(4);
    expect(cal.x[0]).toBe(0.1);
    expect(cal.x[1]).toBeCloseTo(0.7 / 3, 12);
    expect(cal.x[2]).toBeCloseTo(0.45, 12);
    expect(cal.x[3]).toBe(0.6);
    expect(cal.y).toEqual([0, 1 / 3, 0.5, 1]);
    // Interpolation between centres, clipped outside.
    expect(applyCalibrator(cal, 0.05)).toBe(0);
    expect(applyCalibrator(cal, 0.1)).toBe(0);
    expect(applyCalibrator(cal, cal.x[1]!)).toBe(1 / 3);
    expect(applyCalibrator(cal, 0.525)).toBeCloseTo(0.75, 12);
    expect(applyCalibrator(cal, 0.6)).toBe(1);
    expect(applyCalibrator(cal, 7)).toBe(1);
  });

  it('fits a monotone distortion (true p = s^3): monotone output, Brier near the optimum and far below raw', () => {
    const trueP = (s: number): number => s ** 3;
    const fit = sample(5_000, 3, (r) => r.next(), trueP);
    const test = sample(20_000, 4, (r) => r.next(), trueP);
    const cal = fitIsotonic(fit.scores, fit.labels);
    for (let i = 1; i < cal.x.length; i++) {
      expect(cal.x[i]).toBeGreaterThan(cal.x[i - 1]!);
      expect(cal.y[i]).toBeGreaterThan(cal.y[i - 1]!);
    }
    const grid = Array.from({ length: 1001 }, (_, k) => k / 1000);
    const onGrid = applyCalibratorBatch(cal, grid);
    for (let k = 1; k < grid.length; k++) expect(onGrid[k]).toBeGreaterThanOrEqual(onGrid[k - 1]!);

    const calibrated = applyCalibratorBatch(cal, test.scores);
    const raw = brier(test.scores, test.labels); // expected 1/3 - 2/5 + 1/4 = 0.183
    const best = brier(test.p, test.labels); // expected 1/4 - 1/7 = 0.107
    const got = brier(calibrated, test.labels);
    expect(raw).toBeGreaterThan(0.17);
    expect(got).toBeLessThan(raw - 0.06);
    expect(got - best).toBeLessThan(0.004);
    // And it is close to the truth pointwise in the bulk.
    for (const s of [0.3, 0.5, 0.7, 0.9]) expect(Math.abs(applyCalibrator(cal, s) - trueP(s))).toBeLessThan(0.08);
  });
});

describe('calibrator JSON', () => {
  const data = sample(2_000, 12, (r) => r.normal(0, 1), (s) => sigmoid(2 * s));
  const cals: Calibrator[] = [fitPlatt(data.scores, data.labels), fitIsotonic(data.scores, data.labels), { kind: 'identity' }];

  it.each(cals.map((c) => [c.kind, c] as const))('%s round-trips to identical predictions', (_, cal) => {
    const text = serializeCalibrator(cal);
    const back = parseCalibrator(text);
    expect(back).toEqual(cal);
    const probs = data.scores.map((s) => Math.min(1, Math.max(0, sigmoid(s))));
    const input = cal.kind === 'identity' ? probs : data.scores;
    expect(applyCalibratorBatch(back, input)).toEqual(applyCalibratorBatch(cal, input));
  });

  it.each<[string, string]>([
    ['bad JSON', '{"kind":"platt","a":'],
    ['not an object', '"platt"'],
    ['unknown kind', '{"kind":"beta","a":1,"b":0}'],
    ['missing b', '{"kind":"platt","a":1}'],
    ['string a', '{"kind":"platt","a":"1","b":0}'],
    ['infinite a', '{"kind":"platt","a":1e400,"b":0}'],
    ['extra field', '{"kind":"platt","a":1,"b":0,"c":2}'],
    ['no breakpoints', '{"kind":"isotonic","x":[],"y":[]}'],
    ['length mismatch', '{"kind":"isotonic","x":[0,1],"y":[0.5]}'],
    ['x not strictly increasing', '{"kind":"isotonic","x":[0,1,1],"y":[0.1,0.2,0.3]}'],
    ['y decreasing', '{"kind":"isotonic","x":[0,1,2],"y":[0.1,0.3,0.2]}'],
    ['y above 1', '{"kind":"isotonic","x":[0,1],"y":[0.5,1.01]}'],
    ['y below 0', '{"kind":"isotonic","x":[0,1],"y":[-0.01,0.5]}'],
    ['null in x', '{"kind":"isotonic","x":[null,1],"y":[0,1]}'],
    ['identity with a field', '{"kind":"identity","a":1}'],
  ])('rejects %s with MODEL_INVALID', (_, text) => {
    expect(codeOf(() => parseCalibrator(text))).toBe('MODEL_INVALID');
  });
});

describe('calibration: API and invalid input', () => {
  it('fitCalibrator dispatches on the method and rejects unknown ones with CONFIG_INVALID', () => {
    const d = sample(500, 1, (r) => r.normal(0, 1), (s) => sigmoid(s));
    expect(fitCalibrator('platt', d.scores, d.labels)).toEqual(fitPlatt(d.scores, d.labels));
    expect(fitCalibrator('isotonic', d.scores, d.labels)).toEqual(fitIsotonic(d.scores, d.labels));
    expect(codeOf(() => fitCalibrator('beta' as CalibrationMethod, d.scores, d.labels))).toBe('CONFIG_INVALID');
  });

  it('rejects a single class, empty input, NaN scores, bad labels and length mismatches with DATASET_INVALID', () => {
    for (const method of ['platt', 'isotonic'] as const) {
      expect(codeOf(() => fitCalibrator(method, [0.1, 0.2, 0.3], [1, 1, 1]))).toBe('DATASET_INVALID');
      expect(codeOf(() => fitCalibrator(method, [], []))).toBe('DATASET_INVALID');
      expect(codeOf(() => fitCalibrator(method, [0.1, NaN, 0.3], [0, 1, 1]))).toBe('DATASET_INVALID');
      expect(codeOf(() => fitCalibrator(method, [0.1, 0.2, 0.3], [0, 2, 1]))).toBe('DATASET_INVALID');
      expect(codeOf(() => fitCalibrator(method, [0.1, 0.2, 0.3], [0, 1]))).toBe('DATASET_INVALID');
      expect(codeOf(() => fitCalibrator(method, [0.1, 0.2], [0, 1]))).toBe('none');
    }
  });

  it('applies: identity checks probabilities, non-finite scores are rejected, out buffers are checked', () => {
    expect(applyCalibrator({ kind: 'identity' }, 0.25)).toBe(0.25);
    expect(codeOf(() => applyCalibrator({ kind: 'identity' }, 1.5))).toBe('DATASET_INVALID');
    expect(codeOf(() => applyCalibrator({ kind: 'platt', a: 1, b: 0 }, NaN))).toBe('DATASET_INVALID');
    expect(applyCalibrator({ kind: 'platt', a: 2, b: -1 }, 0.5)).toBe(0.5);
    expect(applyCalibrator({ kind: 'platt', a: 1, b: 0 }, -800)).toBe(0);
    const out = new Float64Array(2);
    expect(applyCalibratorBatch({ kind: 'platt', a: 1, b: 0 }, [0, 0], out)).toBe(out);
    expect(Array.from(out)).toEqual([0.5, 0.5]);
    expect(codeOf(() => applyCalibratorBatch({ kind: 'identity' }, [0.1, 0.2], new Float64Array(3)))).toBe('CONFIG_INVALID');
  });
});
