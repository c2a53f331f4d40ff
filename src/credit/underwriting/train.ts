/**
 * Training the default model: XGBoost on loans originated before the out-of-time cutoff, early
 * stopping and calibration on the latest part of that period (a time-ordered holdout, never the
 * test period), evaluation on the loans originated after the cutoff.
 */
import { silentProgress, type Progress } from '../../lib/progress.js';
import { selectRows } from '../../ml/data/dataset.js';
import { evaluateBinary, type BinaryReport } from '../../ml/evaluation/index.js';
import { applyCalibratorBatch, fitCalibrator, type Calibrator } from '../../ml/models/calibration.js';
import { XgbModel } from '../../ml/models/xgboost/model.js';
import { resolveXgbParams, type XgbParams } from '../../ml/models/xgboost/params.js';
import { trainXgboost } from '../../ml/models/xgboost/train.js';
import { outOfTimeSplit, type UnderwritingSet } from './training-set.js';

export interface UnderwritingOptions {
  /** Share of loans (latest by origination) held out as the out-of-time test (default 0.2). */
  testShare?: number;
  /** Share of the training period (latest part) used for early stopping and calibration (default 0.2). */
  holdoutShare?: number;
  calibration?: 'platt' | 'isotonic';
  params?: Partial<XgbParams>;
  seed?: number;
  progress?: Progress;
}

export interface UnderwritingModel {
  model: XgbModel;
  calibrator: Calibrator;
  params: XgbParams;
  cutoff: number;
  counts: { train: number; trainPositives: number; holdout: number; test: number; testPositives: number };
  /** Evaluation of calibrated probabilities on the out-of-time test loans. */
  test: BinaryReport;
  testProbabilities: Float64Array;
  testLabels: Uint8Array;
}

export const UNDERWRITING_XGB_DEFAULTS: Partial<XgbParams> = { eta: 0.05, maxDepth: 4, subsample: 0.8, colsampleBytree: 0.8, rounds: 1000, earlyStoppingRounds: 50 };

/** Trains, calibrates and evaluates out of time; see the module comment. */
export function trainUnderwriting(set: UnderwritingSet, options: UnderwritingOptions = {}): UnderwritingModel {
  const { cutoff, train, test } = outOfTimeSplit(set, options.testShare ?? 0.2);
  const fitRows = Math.floor(train.length * (1 - (options.holdoutShare ?? 0.2)));
  const fit = selectRows(set, train.slice(0, fitRows));
  const holdout = selectRows(set, train.slice(fitRows));
  const testSet = selectRows(set, test);
  const params = resolveXgbParams({ ...UNDERWRITING_XGB_DEFAULTS, seed: options.seed ?? 1, ...options.params });
  const trained = trainXgboost(fit, params, { validation: holdout, progress: options.progress ?? silentProgress });
  const model = XgbModel.fromJson(trained.modelJson);
  const calibrator = fitCalibrator(options.calibration ?? 'platt', model.margins(holdout), holdout.labels);
  const testProbabilities = applyCalibratorBatch(calibrator, model.margins(testSet));
  const positives = (l: Uint8Array) => l.reduce((s, y) => s + y, 0);
  return {
    model,
    calibrator,
    params: resolveXgbParams({ ...params, rounds: trained.rounds, earlyStoppingRounds: null }),
    cutoff,
    counts: { train: fit.rows, trainPositives: positives(fit.labels), holdout: holdout.rows, test: testSet.rows, testPositives: positives(testSet.labels) },
    test: evaluateBinary(testSet.labels, testProbabilities),
    testProbabilities,
    testLabels: testSet.labels,
  };
}
