/**
 * Training the default model: XGBoost on the points before the out-of-time cutoff, early stopping
 * and calibration on the latest part of that period (a time-ordered holdout, never the test
 * period), evaluation on the points after the cutoff. Snapshot datasets (one instant) split at
 * random instead (see `splitUnderwriting`).
 */
import { IriskError } from '../../lib/errors.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { selectRows } from '../../ml/data/dataset.js';
import { evaluateBinary, type BinaryReport } from '../../ml/evaluation/index.js';
import { applyCalibratorBatch, fitCalibrator, type Calibrator } from '../../ml/models/calibration.js';
import { XgbModel } from '../../ml/models/xgboost/model.js';
import { resolveXgbParams, type XgbParams } from '../../ml/models/xgboost/params.js';
import { trainXgboost } from '../../ml/models/xgboost/train.js';
import { splitUnderwriting, type UnderwritingSet, type UnderwritingSplit } from './training-set.js';

export interface UnderwritingOptions {
  /** Share of points (the latest, out of time) held out as the test (default 0.2). */
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
  split: Pick<UnderwritingSplit, 'kind' | 'cutoff'>;
  counts: { train: number; trainPositives: number; holdout: number; test: number; testPositives: number };
  /** Evaluation of calibrated probabilities on the test points. */
  test: BinaryReport;
  testProbabilities: Float64Array;
  testLabels: Uint8Array;
  /** Row indices (into the set) of the test points, in the order of `testProbabilities`. */
  testRows: number[];
}

export const UNDERWRITING_XGB_DEFAULTS: Partial<XgbParams> = { eta: 0.05, maxDepth: 4, subsample: 0.8, colsampleBytree: 0.8, rounds: 1000, earlyStoppingRounds: 50 };

/** Trains, calibrates and evaluates out of time; see the module comment. */
export function trainUnderwriting(set: UnderwritingSet, options: UnderwritingOptions = {}): UnderwritingModel {
  const seed = options.seed ?? 1;
  const split = splitUnderwriting(set, { testShare: options.testShare ?? 0.2, holdoutShare: options.holdoutShare ?? 0.2, seed });
  const { fit: fitRows, holdout: holdoutRows, test } = split;
  if (fitRows.length === 0 || holdoutRows.length === 0 || test.length === 0) {
    throw new IriskError('DATASET_INVALID', `too few labelled points to train and test (${set.rows}): need points in the fit, holdout and test parts`);
  }
  const fit = selectRows(set, fitRows);
  const holdout = selectRows(set, holdoutRows);
  const testSet = selectRows(set, test);
  const params = resolveXgbParams({ ...UNDERWRITING_XGB_DEFAULTS, seed, ...options.params });
  const trained = trainXgboost(fit, params, { validation: holdout, progress: options.progress ?? silentProgress });
  const model = XgbModel.fromJson(trained.modelJson);
  const calibrator = fitCalibrator(options.calibration ?? 'platt', model.margins(holdout), holdout.labels);
  const testProbabilities = applyCalibratorBatch(calibrator, model.margins(testSet));
  const positives = (l: Uint8Array) => l.reduce((s, y) => s + y, 0);
  return {
    model,
    calibrator,
    params: resolveXgbParams({ ...params, rounds: trained.rounds, earlyStoppingRounds: null }),
    split: { kind: split.kind, cutoff: split.cutoff },
    counts: { train: fit.rows, trainPositives: positives(fit.labels), holdout: holdout.rows, test: testSet.rows, testPositives: positives(testSet.labels) },
    test: evaluateBinary(testSet.labels, testProbabilities),
    testProbabilities,
    testLabels: testSet.labels,
    testRows: test,
  };
}
