import { describe, expect, it } from 'vitest';
import { tabularWorld } from '../../synth/tabular.js';
import { selectRows } from '../data/dataset.js';
import { fitCalibrator } from '../models/calibration.js';
import { xgboostScorer } from '../models/scorer.js';
import { XgbModel } from '../models/xgboost/model.js';
import { trainXgboost } from '../models/xgboost/train.js';
import { runGate } from './gate.js';

const world = tabularWorld({ rows: 8000, cols: 8, seed: 21 });
const train = selectRows(world, Array.from({ length: 4000 }, (_, i) => i));
const calib = selectRows(world, Array.from({ length: 2000 }, (_, i) => 4000 + i));
const test = selectRows(world, Array.from({ length: 2000 }, (_, i) => 6000 + i));

function scorer(params: Parameters<typeof trainXgboost>[1]) {
  const model = XgbModel.fromJson(trainXgboost(train, params).modelJson);
  const cal = fitCalibrator('platt', model.margins(calib), calib.labels);
  return xgboostScorer(model, world.featureNames, cal, model.json.length);
}

const good = scorer({ rounds: 150, maxDepth: 3, eta: 0.08 });
// Degraded on purpose: one tree stump.
const degraded = scorer({ rounds: 1, maxDepth: 1 });
const generous = { p99LatencyMicros: 1e9 };

describe('the regression gate', () => {
  it('passes a candidate equal to the baseline', () => {
    const report = runGate({ model: good, data: test }, { model: good, data: test }, generous);
    expect(report.comparison.diff).toBe(0);
    expect(report.checks.find((c) => c.name === 'auc')!.pass).toBe(true);
    expect(report.pass).toBe(true);
  });

  it('fails a deliberately degraded candidate on AUC, and passes the good one against it', () => {
    const report = runGate({ model: degraded, data: test }, { model: good, data: test }, generous);
    expect(report.comparison.ci[1]).toBeLessThan(0);
    expect(report.checks.find((c) => c.name === 'auc')!.pass).toBe(false);
    expect(report.pass).toBe(false);
    expect(runGate({ model: good, data: test }, { model: degraded, data: test }, generous).pass).toBe(true);
  });

  it('fails on calibration, size and latency budgets when they are exceeded', () => {
    const uncalibrated = xgboostScorer(good.xgboost!, world.featureNames, { kind: 'platt', a: 1, b: 2 }, 10);
    const r1 = runGate({ model: uncalibrated, data: test }, { model: good, data: test }, generous);
    expect(r1.checks.find((c) => c.name === 'calibration')!.pass).toBe(false);
    expect(r1.checks.find((c) => c.name === 'auc')!.pass).toBe(true); // a monotone map keeps the AUC
    const r2 = runGate({ model: good, data: test }, { model: good, data: test }, { ...generous, maxModelBytes: 100 });
    expect(r2.checks.find((c) => c.name === 'size')!.pass).toBe(false);
    const r3 = runGate({ model: good, data: test }, { model: good, data: test }, { p99LatencyMicros: 0, latencyRows: 50 });
    expect(r3.checks.find((c) => c.name === 'latency')!.pass).toBe(false);
  });
});
