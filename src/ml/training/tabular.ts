/**
 * Cross-validated training of a calibrated XGBoost classifier on a labelled table, then a final
 * model on every row. Honest by construction: early stopping uses rows inside each training fold,
 * never the fold being scored; calibration is cross-fitted, so the reported calibration of the
 * out-of-fold probabilities comes from calibrators that did not see those rows.
 */
import { IriskError } from '../../lib/errors.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { selectRows, type LabelledData } from '../data/dataset.js';
import { delongAuc, evaluateBinary, type BinaryReport } from '../evaluation/index.js';
import { applyCalibratorBatch, fitCalibrator, type Calibrator } from '../models/calibration.js';
import { fitLogistic, predictLogisticMargins } from '../models/logistic.js';
import { sigmoid } from '../models/logit.js';
import { XgbModel } from '../models/xgboost/model.js';
import { resolveXgbParams, type XgbParams } from '../models/xgboost/params.js';
import { trainXgboost } from '../models/xgboost/train.js';
import { splitByFold, stratifiedFolds, stratifiedHoldout } from './folds.js';

/** Defaults for tabular credit-style data: small steps, shallow trees, row and column sampling. */
export const TABULAR_XGB_DEFAULTS: Partial<XgbParams> = {
  eta: 0.05,
  maxDepth: 4,
  subsample: 0.8,
  colsampleBytree: 0.8,
  minChildWeight: 1,
  rounds: 2000,
  earlyStoppingRounds: 50,
  evalMetric: 'logloss',
};

export type CalibrationChoice = 'platt' | 'isotonic' | 'none';

export interface TabularTrainingOptions {
  folds?: number;
  seed?: number;
  params?: Partial<XgbParams>;
  calibration?: CalibrationChoice;
  /** Share of each training fold held out for early stopping (default 0.1). */
  earlyStoppingShare?: number;
  /** Also cross-validate the logistic-regression baseline (default true). */
  logisticBaseline?: boolean;
  progress?: Progress;
}

export interface FoldResult {
  fold: number;
  rows: number;
  positives: number;
  auc: number;
  aucCi: [number, number];
  /** Trees kept (best early-stopping round + 1). */
  rounds: number;
  seconds: number;
  logisticAuc: number | null;
}

export interface TabularTrainingResult {
  folds: FoldResult[];
  /** Mean of the per-fold AUCs. */
  auc: number;
  /** 95% interval of the mean fold AUC (see `meanAucInterval`). */
  aucCi: [number, number];
  foldAucSd: number;
  /** AUC of all out-of-fold predictions pooled, with its DeLong interval. */
  pooledAuc: { auc: number; ci: [number, number] };
  /** Evaluation of the cross-fitted calibrated out-of-fold probabilities. */
  evaluation: BinaryReport;
  /** Out-of-fold margins and calibrated probabilities, row-aligned with the input. */
  oofMargins: Float64Array;
  oofProbabilities: Float64Array;
  logistic: { auc: number; aucCi: [number, number] } | null;
  params: XgbParams;
  final: { model: XgbModel; rounds: number; calibrator: Calibrator | null; seconds: number };
}

/**
 * The 95% interval of the mean of k fold AUCs estimated on disjoint test rows: the wider of
 * mean +/- z * sqrt(sum of DeLong variances) / k (test-sampling uncertainty) and the t interval of
 * the fold AUCs (their observed spread).
 */
export function meanAucInterval(folds: readonly { auc: number; variance: number }[], z = 1.959963984540054): [number, number] {
  const k = folds.length;
  const mean = folds.reduce((s, f) => s + f.auc, 0) / k;
  const delongSe = Math.sqrt(folds.reduce((s, f) => s + (Number.isFinite(f.variance) ? f.variance : 0), 0)) / k;
  // With few positives per fold the DeLong variances understate the spread (a fold at AUC 1 has
  // variance 0); the t interval of the fold AUCs then is the honest one. Report the wider.
  const sd = Math.sqrt(folds.reduce((s, f) => s + (f.auc - mean) ** 2, 0) / (k - 1));
  const half = Math.max(z * delongSe, studentT975(k - 1) * (sd / Math.sqrt(k)));
  return [Math.max(0, mean - half), Math.min(1, mean + half)];
}

/** The 97.5% quantile of Student's t with `df` degrees of freedom (table to 30, normal beyond). */
function studentT975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  return df >= 1 && df <= 30 ? table[df - 1]! : 1.96;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}

function crossFittedCalibration(method: CalibrationChoice, margins: Float64Array, labels: Uint8Array, fold: Int32Array, k: number): Float64Array {
  const out = new Float64Array(margins.length);
  for (let f = 0; f < k; f++) {
    const { train, test } = splitByFold(fold, f);
    const cal: Calibrator | null =
      method === 'none' ? null : fitCalibrator(method, train.map((i) => margins[i]!), train.map((i) => labels[i]!));
    const scores = Float64Array.from(test, (i) => margins[i]!);
    const probs = cal === null ? scores.map(sigmoid) : applyCalibratorBatch(cal, scores);
    test.forEach((row, n) => (out[row] = probs[n]!));
  }
  return out;
}

/** Cross-validates, calibrates and trains the final model; see the module comment. */
export function trainTabular(data: LabelledData, options: TabularTrainingOptions = {}): TabularTrainingResult {
  const k = options.folds ?? 5;
  const seed = options.seed ?? 1;
  const calibration = options.calibration ?? 'platt';
  const share = options.earlyStoppingShare ?? 0.1;
  const progress = options.progress ?? silentProgress;
  const params = resolveXgbParams({ ...TABULAR_XGB_DEFAULTS, seed, ...options.params });
  const positives = data.labels.reduce((s, y) => s + y, 0);
  if (Math.min(positives, data.rows - positives) < 2 * k) {
    throw new IriskError('DATASET_INVALID', `${positives} positive and ${data.rows - positives} negative rows: ${k}-fold cross-validation needs at least ${2 * k} of each (two per test fold); use fewer folds or more data`);
  }
  const fold = stratifiedFolds(data.labels, k, seed);

  const oofMargins = new Float64Array(data.rows);
  const folds: FoldResult[] = [];
  const variances: { auc: number; variance: number }[] = [];
  const logisticFolds: { auc: number; variance: number }[] = [];
  for (let f = 0; f < k; f++) {
    const started = performance.now();
    const { train, test } = splitByFold(fold, f);
    const { fit, holdout } = stratifiedHoldout(data.labels, train, share, seed + f + 1);
    const trained = trainXgboost(
      selectRows(data, fit),
      params,
      { validation: params.earlyStoppingRounds === null ? undefined : selectRows(data, holdout), progress: labelled(progress, `fold ${f + 1}/${k}`) },
    );
    const testRows = selectRows(data, test);
    const margins = XgbModel.fromJson(trained.modelJson).margins(testRows);
    test.forEach((row, n) => (oofMargins[row] = margins[n]!));
    const ci = delongAuc(testRows.labels, margins);
    variances.push({ auc: ci.auc, variance: ci.variance });
    let logisticAuc: number | null = null;
    if (options.logisticBaseline !== false) {
      const lr = fitLogistic(selectRows(data, train));
      const lci = delongAuc(testRows.labels, predictLogisticMargins(lr, testRows));
      logisticAuc = lci.auc;
      logisticFolds.push({ auc: lci.auc, variance: lci.variance });
    }
    folds.push({
      fold: f,
      rows: test.length,
      positives: testRows.labels.reduce((s, y) => s + y, 0),
      auc: ci.auc,
      aucCi: ci.ci,
      rounds: trained.rounds,
      seconds: (performance.now() - started) / 1000,
      logisticAuc,
    });
  }

  const auc = folds.reduce((s, f) => s + f.auc, 0) / k;
  const foldAucSd = Math.sqrt(folds.reduce((s, f) => s + (f.auc - auc) ** 2, 0) / (k - 1));
  const pooled = delongAuc(data.labels, oofMargins);
  const oofProbabilities = crossFittedCalibration(calibration, oofMargins, data.labels, fold, k);
  const evaluation = evaluateBinary(data.labels, oofProbabilities);

  // The final model: every row, as many rounds as the folds' median early-stopping point.
  const finalStarted = performance.now();
  const rounds = params.earlyStoppingRounds === null ? params.rounds : median(folds.map((f) => f.rounds));
  const finalParams = resolveXgbParams({ ...params, rounds, earlyStoppingRounds: null });
  const finalTrained = trainXgboost(data, finalParams, { progress: labelled(progress, 'final model') });
  const calibrator = calibration === 'none' ? null : fitCalibrator(calibration, oofMargins, data.labels);

  let logistic: TabularTrainingResult['logistic'] = null;
  if (logisticFolds.length === k) {
    logistic = { auc: logisticFolds.reduce((s, f) => s + f.auc, 0) / k, aucCi: meanAucInterval(logisticFolds) };
  }
  return {
    folds,
    auc,
    aucCi: meanAucInterval(variances),
    foldAucSd,
    pooledAuc: { auc: pooled.auc, ci: pooled.ci },
    evaluation,
    oofMargins,
    oofProbabilities,
    logistic,
    params: finalParams,
    final: { model: XgbModel.fromJson(finalTrained.modelJson), rounds, calibrator, seconds: (performance.now() - finalStarted) / 1000 },
  };
}

/** A progress reporter that shows `label` instead of the caller's label. */
function labelled(progress: Progress, label: string): Progress {
  return { start: (total) => progress.start(total, label), tick: (n) => progress.tick(n), stop: () => progress.stop() };
}
