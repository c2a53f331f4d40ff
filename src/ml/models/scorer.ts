/**
 * A scorer is what serves: a model (XGBoost or logistic) plus an optional probability calibrator,
 * stored as files (`model.json`, `calibration.json`) that the registry keeps. It turns feature rows
 * into calibrated probabilities with no native library.
 */
import { IriskError } from '../../lib/errors.js';
import type { FeatureMatrix } from '../data/dataset.js';
import { applyCalibrator, applyCalibratorBatch, parseCalibrator, serializeCalibrator, type Calibrator } from './calibration.js';
import { sigmoid } from './logit.js';
import { logisticMargin, parseLogistic, predictLogisticMargins, serializeLogistic, type LogisticModel } from './logistic.js';
import { XgbModel } from './xgboost/model.js';
import { predictMarginRow } from './xgboost/predict.js';

export type ScorerKind = 'xgboost' | 'logistic';
export const MODEL_FILE = 'model.json';
export const CALIBRATION_FILE = 'calibration.json';

/** A servable binary classifier. */
export interface Scorer {
  readonly kind: ScorerKind;
  readonly featureNames: readonly string[];
  readonly calibrator: Calibrator | null;
  /** Bytes of the model and calibrator files. */
  readonly sizeBytes: number;
  /** Uncalibrated margins (log-odds) for every row. */
  margins(m: FeatureMatrix): Float64Array;
  /** Calibrated probabilities for every row. */
  predict(m: FeatureMatrix): Float64Array;
  /** Calibrated probability of one row of float32 feature values. */
  predictRow(x: Float32Array): number;
  /** The underlying XGBoost model, when there is one (for TreeSHAP). */
  readonly xgboost: XgbModel | null;
}

function calibrate(cal: Calibrator | null, margins: Float64Array): Float64Array {
  if (cal === null) {
    for (let i = 0; i < margins.length; i++) margins[i] = sigmoid(margins[i]!);
    return margins;
  }
  return applyCalibratorBatch(cal, margins, margins);
}

function checkColumns(names: readonly string[], m: FeatureMatrix): void {
  if (m.cols !== names.length) throw new IriskError('DATASET_INVALID', `the model expects ${names.length} features, the data has ${m.cols}`);
}

/**
 * Calibrators are fitted on margins (Platt, isotonic); an identity calibrator means the model's own
 * probability. Either way `predict` returns a probability.
 */
function probabilityOf(cal: Calibrator | null, margin: number): number {
  return cal === null || cal.kind === 'identity' ? sigmoid(margin) : applyCalibrator(cal, margin);
}

/** A scorer over an XGBoost model. */
export function xgboostScorer(model: XgbModel, featureNames: readonly string[], calibrator: Calibrator | null, sizeBytes = 0): Scorer {
  if (featureNames.length !== model.numFeatures) {
    throw new IriskError('MODEL_INVALID', `the model has ${model.numFeatures} features but ${featureNames.length} feature names`);
  }
  if (!PROBABILITY_OBJECTIVES.includes(model.forest.objective)) {
    throw new IriskError('MODEL_INVALID', `objective ${model.forest.objective} does not predict a probability; a scorer needs binary:logistic, binary:logitraw or reg:logistic`);
  }
  const cal = calibrator?.kind === 'identity' ? null : calibrator;
  return {
    kind: 'xgboost',
    featureNames,
    calibrator: cal,
    sizeBytes,
    xgboost: model,
    margins: (m) => (checkColumns(featureNames, m), model.margins(m)),
    predict: (m) => (checkColumns(featureNames, m), calibrate(cal, model.margins(m))),
    predictRow: (x) => probabilityOf(cal, predictMarginRow(model.forest, x)),
  };
}

/** A scorer over a logistic-regression model. */
export function logisticScorer(model: LogisticModel, calibrator: Calibrator | null, sizeBytes = 0): Scorer {
  const cal = calibrator?.kind === 'identity' ? null : calibrator;
  return {
    kind: 'logistic',
    featureNames: model.featureNames,
    calibrator: cal,
    sizeBytes,
    xgboost: null,
    margins: (m) => (checkColumns(model.featureNames, m), predictLogisticMargins(model, m)),
    predict: (m) => (checkColumns(model.featureNames, m), calibrate(cal, predictLogisticMargins(model, m))),
    predictRow: (x) => probabilityOf(cal, logisticMargin(model, x)),
  };
}

/** Objectives whose margin is a log-odds, so that a probability can be served. */
const PROBABILITY_OBJECTIVES: readonly string[] = ['binary:logistic', 'binary:logitraw', 'reg:logistic'];

const text = (v: Uint8Array | string): string => (typeof v === 'string' ? v : new TextDecoder().decode(v));

/** Rebuilds a scorer from its stored files; MODEL_INVALID when a file is missing or malformed. */
export function scorerFromFiles(kind: string, files: Readonly<Record<string, Uint8Array | string>>, featureNames: readonly string[]): Scorer {
  const model = files[MODEL_FILE];
  if (model === undefined) throw new IriskError('MODEL_INVALID', `the model version has no ${MODEL_FILE}`);
  const calText = files[CALIBRATION_FILE];
  const calibrator = calText === undefined ? null : parseCalibrator(text(calText));
  const size = Object.values(files).reduce((n, f) => n + (typeof f === 'string' ? Buffer.byteLength(f) : f.byteLength), 0);
  switch (kind) {
    case 'xgboost':
      return xgboostScorer(XgbModel.fromJson(text(model)), featureNames, calibrator, size);
    case 'logistic':
      return logisticScorer(parseLogistic(text(model)), calibrator, size);
    default:
      throw new IriskError('MODEL_INVALID', `model kind "${kind}" cannot be scored (known: xgboost, logistic)`);
  }
}

/** The files that store a scorer's model and calibrator. */
export function scorerFilesFor(model: XgbModel | LogisticModel, calibrator: Calibrator | null): Record<string, string> {
  const files: Record<string, string> = { [MODEL_FILE]: model instanceof XgbModel ? model.json : serializeLogistic(model) };
  if (calibrator !== null) files[CALIBRATION_FILE] = serializeCalibrator(calibrator);
  return files;
}
