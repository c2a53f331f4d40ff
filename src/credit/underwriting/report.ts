/**
 * The training report of an underwriting model: report.json (held-out AUC with its DeLong
 * interval, KS, Brier, ECE, the split, the counts, the label source, what the model keys on by mean
 * absolute TreeSHAP contribution) and the ROC and reliability plots of the held-out points.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rocCurve } from '../../ml/evaluation/binary-curves.js';
import { calibrationPlotSvg, rocPlotSvg } from '../../ml/evaluation/binary-plots.js';
import { writePlot } from '../../ml/evaluation/plots.js';
import { selectRows } from '../../ml/data/dataset.js';
import type { TrainedUnderwriting } from './pipeline.js';

/** Test rows explained for the importance table (TreeSHAP costs ~0.3 ms a row). */
const IMPORTANCE_ROWS = 2000;

/** Features by mean absolute TreeSHAP contribution (log-odds) over up to 2,000 held-out rows. */
export function featureImportance(trained: TrainedUnderwriting): { feature: string; meanAbsContribution: number }[] {
  const rows = trained.result.testRows.slice(0, IMPORTANCE_ROWS);
  const m = selectRows(trained.set, rows);
  const contributions = trained.result.model.treeExplainer().explain(m);
  const width = m.cols + 1;
  const sums = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) sums[j] += Math.abs(contributions[r * width + j]!);
  return trained.view.features
    .map((f, j) => ({ feature: f.name, meanAbsContribution: sums[j]! / Math.max(1, m.rows) }))
    .sort((a, b) => b.meanAbsContribution - a.meanAbsContribution);
}

/** The report.json object. `version` is the registered version id (null when not registered). */
export function underwritingReportJson(trained: TrainedUnderwriting, ctx: { version: string | null; line: string; calibration: string; seed: number }): Record<string, unknown> {
  const { result, view, source, set } = trained;
  const t = result.test;
  return {
    auc: t.auc,
    aucCi: t.aucCi,
    ks: t.ks,
    brier: t.brier,
    ece: t.calibration.ece,
    gini: t.gini,
    prAuc: t.prAuc,
    logLoss: t.logLoss,
    measuredOn: `${result.counts.test} held-out points (${result.split.kind} split), calibrated probabilities`,
    split: { kind: result.split.kind, cutoff: result.split.cutoff === null ? null : new Date(result.split.cutoff).toISOString() },
    counts: { points: set.rows, ...result.counts },
    labels: source.kind === 'loans' ? { ...source, observedUntil: new Date(source.observedUntil).toISOString() } : source,
    view: { name: view.name, version: view.version, features: view.features.map((f) => f.name) },
    model: { line: ctx.line, version: ctx.version, trees: result.params.rounds, params: result.params, calibration: ctx.calibration },
    importance: featureImportance(trained),
    calibrationBins: t.calibration.bins,
    fingerprint: trained.fingerprint,
    seed: ctx.seed,
  };
}

/** Writes report.json, roc.{svg,png} and calibration.{svg,png} into `dir` (which must exist); returns the JSON. */
export async function writeUnderwritingReport(dir: string, trained: TrainedUnderwriting, ctx: Parameters<typeof underwritingReportJson>[1]): Promise<Record<string, unknown>> {
  const json = underwritingReportJson(trained, ctx);
  await writeFile(join(dir, 'report.json'), JSON.stringify(json, null, 2) + '\n');
  const { result } = trained;
  const where = result.split.kind === 'out-of-time' ? `out of time, from ${new Date(result.split.cutoff!).toISOString().slice(0, 10)}` : 'random held-out split';
  await writePlot(dir, 'roc', rocPlotSvg([{ name: 'XGBoost, calibrated', points: rocCurve(result.testLabels, result.testProbabilities), auc: result.test.auc, aucCi: result.test.aucCi }], {
    title: 'ROC of held-out points',
    subtitle: `${result.counts.test} points, ${result.counts.testPositives} defaults (${where})`,
  }));
  await writePlot(dir, 'calibration', calibrationPlotSvg([{ name: `XGBoost + ${ctx.calibration}`, bins: result.test.calibration.bins }], { title: 'Calibration of held-out probabilities of default' }));
  return json;
}
