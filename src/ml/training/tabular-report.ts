/**
 * The report of a tabular training run: `report.json` (stable keys: auc, aucCi, folds, version, ...)
 * beside ROC and calibration plots of the out-of-fold predictions.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calibrationPlotSvg, calibrationTable, rocCurve, rocPlotSvg, writePlot } from '../evaluation/index.js';
import type { TabularTrainingResult } from './tabular.js';

/** What the report says besides the training result itself. */
export interface TabularReportContext {
  source: string;
  label: string;
  rows: number;
  positives: number;
  featureNames: readonly string[];
  ignoredColumns: readonly { name: string; reason: string }[];
  fingerprint: string;
  calibration: string;
  seed: number;
  /** Registered version id, or null when not registered. */
  version: string | null;
  modelName: string;
}

/** The JSON report (plain data; also what `irisk train tabular --json` prints). */
export function tabularReportJson(result: TabularTrainingResult, ctx: TabularReportContext): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const { evaluation } = result;
  return {
    auc: round(result.auc),
    aucCi: result.aucCi.map(round),
    aucMethod: 'mean of fold AUCs; 95% interval: the wider of the fold-DeLong-variance interval and the t interval of the fold AUCs',
    foldAucSd: round(result.foldAucSd),
    folds: result.folds.length,
    foldResults: result.folds.map((f) => ({ ...f, auc: round(f.auc), aucCi: f.aucCi.map(round), seconds: round(f.seconds), logisticAuc: f.logisticAuc === null ? null : round(f.logisticAuc) })),
    pooledOutOfFold: { auc: round(result.pooledAuc.auc), aucCi: result.pooledAuc.ci.map(round) },
    outOfFold: {
      calibration: ctx.calibration,
      gini: round(evaluation.gini),
      ks: round(evaluation.ks),
      brier: round(evaluation.brier),
      logLoss: round(evaluation.logLoss),
      prAuc: round(evaluation.prAuc),
      ece: round(evaluation.calibration.ece),
      calibrationBins: evaluation.calibration.bins,
    },
    logisticBaseline: result.logistic && { auc: round(result.logistic.auc), aucCi: result.logistic.aucCi.map(round) },
    version: ctx.version,
    modelName: ctx.modelName,
    finalModel: { rounds: result.final.rounds, trainSeconds: round(result.final.seconds), params: result.params },
    data: {
      source: ctx.source,
      label: ctx.label,
      rows: ctx.rows,
      positives: ctx.positives,
      features: ctx.featureNames,
      ignoredColumns: ctx.ignoredColumns,
      fingerprint: ctx.fingerprint,
    },
    seed: ctx.seed,
  };
}

/** Writes (or rewrites, e.g. once the version is known) report.json; returns the JSON. */
export async function writeTabularReportJson(dir: string, result: TabularTrainingResult, ctx: TabularReportContext): Promise<Record<string, unknown>> {
  const json = tabularReportJson(result, ctx);
  await writeFile(join(dir, 'report.json'), JSON.stringify(json, null, 2) + '\n');
  return json;
}

/**
 * Writes report.json, roc.{svg,png} and calibration.{svg,png} (out-of-fold predictions) into `dir`;
 * returns the JSON.
 */
export async function writeTabularReport(dir: string, labels: Uint8Array, result: TabularTrainingResult, ctx: TabularReportContext): Promise<Record<string, unknown>> {
  await mkdir(dir, { recursive: true });
  const json = await writeTabularReportJson(dir, result, ctx);
  const rocSvg = rocPlotSvg([{ name: 'XGBoost, out of fold', points: rocCurve(labels, result.oofMargins), auc: result.pooledAuc.auc, aucCi: result.pooledAuc.ci }], {
    title: 'ROC of out-of-fold predictions',
    subtitle: `${ctx.source}: ${result.folds.length}-fold mean AUC ${result.auc.toFixed(4)}`,
  });
  const table = calibrationTable(labels, result.oofProbabilities, { bins: 10 });
  const calSvg = calibrationPlotSvg([{ name: `XGBoost + ${ctx.calibration} (cross-fitted)`, bins: table.bins }], { title: 'Calibration of out-of-fold probabilities' });
  await writePlot(dir, 'roc', rocSvg);
  await writePlot(dir, 'calibration', calSvg);
  return json;
}
