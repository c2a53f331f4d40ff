import { describe, expect, it } from 'vitest';
import { tabularWorld } from '../../synth/tabular.js';
import { stratifiedFolds } from './folds.js';
import { meanAucInterval, trainTabular } from './tabular.js';

describe('stratified folds', () => {
  it('spread positives evenly and are reproducible', () => {
    const labels = Uint8Array.from({ length: 1003 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const folds = stratifiedFolds(labels, 5, 3);
    const pos = [0, 0, 0, 0, 0], all = [0, 0, 0, 0, 0];
    folds.forEach((f, i) => { all[f]!++; pos[f]! += labels[i]!; });
    expect(Math.max(...pos) - Math.min(...pos)).toBeLessThanOrEqual(1);
    expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
    expect(Array.from(stratifiedFolds(labels, 5, 3))).toEqual(Array.from(folds));
    expect(Array.from(stratifiedFolds(labels, 5, 4))).not.toEqual(Array.from(folds));
  });
  it('keep fold sizes within one row whatever the class counts', () => {
    for (const [neg, pos, k] of [[13, 6, 5], [7, 3, 2], [50, 11, 4], [9, 9, 3]] as const) {
      const labels = Uint8Array.from({ length: neg + pos }, (_, i) => (i < pos ? 1 : 0));
      const sizes = new Array(k).fill(0);
      stratifiedFolds(labels, k, 1).forEach((f) => sizes[f]++);
      expect(Math.max(...sizes) - Math.min(...sizes), `${neg}/${pos}/${k}`).toBeLessThanOrEqual(1);
    }
  });
  it('refuse too few rows of a class', () => {
    expect(() => stratifiedFolds(Uint8Array.from([1, 0, 0, 0, 0, 0]), 3, 1)).toThrow(expect.objectContaining({ code: 'DATASET_INVALID' }));
  });
});

describe('meanAucInterval', () => {
  it('widens to the t interval when the folds disagree more than their DeLong variances say', () => {
    const spread = [{ auc: 0.6, variance: 1e-6 }, { auc: 1, variance: 0 }, { auc: 0.8, variance: 1e-6 }];
    const [lo, hi] = meanAucInterval(spread);
    // t(0.975, 2) = 4.303, sd 0.2: half-width 4.303 * 0.2 / sqrt(3); clipped at 1 above.
    expect(lo).toBeCloseTo(0.8 - (4.303 * 0.2) / Math.sqrt(3), 6);
    expect(hi).toBe(1);
  });
  it('is centred on the mean and shrinks with more folds of the same variance', () => {
    const three = meanAucInterval([{ auc: 0.8, variance: 1e-4 }, { auc: 0.82, variance: 1e-4 }, { auc: 0.84, variance: 1e-4 }]);
    expect((three[0] + three[1]) / 2).toBeCloseTo(0.82, 10);
    const six = meanAucInterval(Array.from({ length: 6 }, () => ({ auc: 0.82, variance: 1e-4 })));
    expect(six[1] - six[0]).toBeLessThan(three[1] - three[0]);
  });
});

describe('trainTabular on a seeded synthetic world', () => {
  const world = tabularWorld({ rows: 6000, cols: 8, seed: 5 });
  const result = trainTabular(world, { folds: 4, seed: 2, params: { eta: 0.1, rounds: 400, earlyStoppingRounds: 20 } });

  it('beats the logistic baseline on a world with non-linear effects, with honest intervals', () => {
    expect(result.folds).toHaveLength(4);
    expect(result.auc).toBeGreaterThan(0.78);
    expect(result.logistic).not.toBeNull();
    expect(result.auc).toBeGreaterThan(result.logistic!.auc + 0.02);
    expect(result.aucCi[0]).toBeLessThan(result.auc);
    expect(result.aucCi[1]).toBeGreaterThan(result.auc);
    for (const f of result.folds) expect(f.rounds).toBeLessThan(400);
  });

  it('produces calibrated out-of-fold probabilities (cross-fitted Platt)', () => {
    expect(result.evaluation.calibration.ece).toBeLessThan(0.03);
    expect(result.final.calibrator?.kind).toBe('platt');
    expect(result.final.model.forest.roots.length).toBe(result.final.rounds);
  });

  it('is reproducible: same seed, same model', () => {
    const again = trainTabular(world, { folds: 4, seed: 2, params: { eta: 0.1, rounds: 400, earlyStoppingRounds: 20 }, logisticBaseline: false });
    expect(again.final.model.json).toBe(result.final.model.json);
    expect(again.auc).toBe(result.auc);
  });
});
