/**
 * `irisk train tabular`: k-fold cross-validated XGBoost on a CSV, a calibrated final model
 * registered in the model registry, and a report (report.json, ROC and calibration plots).
 */
import type { Command } from 'commander';
import { terminalProgress, silentProgress } from '../../../lib/progress.js';
import { readTabularCsv, type TabularCsv } from '../../../ml/data/tabular-csv.js';
import { scorerFilesFor } from '../../../ml/models/scorer.js';
import { codeVersion, openRegistry } from '../../../ml/registry/index.js';
import { validateModelName } from '../../../ml/registry/metadata.js';
import { trainTabular, type CalibrationChoice, type TabularTrainingResult } from '../../../ml/training/tabular.js';
import { writeTabularReport, writeTabularReportJson } from '../../../ml/training/tabular-report.js';
import { prepareOutputDir } from '../../../lib/output-dir.js';
import { IriskError } from '../../../lib/errors.js';
import { emit, intOption, numberOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

interface TrainTabularOptions extends OutputOptions {
  csv: string;
  label: string;
  id?: string;
  folds: string;
  seed: string;
  report: string;
  name: string;
  calibration: string;
  eta?: string;
  maxDepth?: string;
  rounds?: string;
  register: boolean;
  dataDir?: string;
}

const CALIBRATIONS: readonly CalibrationChoice[] = ['platt', 'isotonic', 'none'];

/** Registers `irisk train` and its subcommands. */
export function registerTrainCommands(program: Command): void {
  const train = program.command('train').description('Train models with cross-validation and register them');
  train
    .command('tabular')
    .description('Cross-validate XGBoost on a numeric CSV (binary label), then train, calibrate and register the final model')
    .requiredOption('--csv <file>', 'CSV with a header line; empty cells and NA are missing values')
    .requiredOption('--label <column>', 'the 0/1 label column')
    .option('--id <column>', 'a row-id column to keep out of the features (unnamed columns are always left out)')
    .option('--folds <k>', 'cross-validation folds', '5')
    .option('--seed <n>', 'seed for folds, sampling and the model', '1')
    .requiredOption('--report <dir>', 'where to write report.json and the plots')
    .option('--name <line>', 'model line to register under', 'tabular')
    .option('--calibration <method>', `probability calibration: ${CALIBRATIONS.join(' | ')}`, 'platt')
    .option('--eta <x>', 'learning rate (default 0.05)')
    .option('--max-depth <n>', 'tree depth (default 4)')
    .option('--rounds <n>', 'maximum boosting rounds; early stopping picks fewer (default 2000)')
    .option('--no-register', 'do not register the final model')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'print the report as JSON')
    .action((opts: TrainTabularOptions) => run(opts, () => trainTabularCommand(opts)));
}

async function trainTabularCommand(opts: TrainTabularOptions): Promise<void> {
  const folds = intOption(opts.folds, '--folds', 2, 50);
  if (opts.register) validateModelName(opts.name, '--name');
  const seed = intOption(opts.seed, '--seed', 0, 2 ** 31 - 1);
  if (!CALIBRATIONS.includes(opts.calibration as CalibrationChoice)) {
    throw new IriskError('USAGE', `--calibration must be one of ${CALIBRATIONS.join(', ')} (got "${opts.calibration}")`);
  }
  const params = {
    ...(opts.eta !== undefined ? { eta: numberOption(opts.eta, '--eta', 1e-6, 1) } : {}),
    ...(opts.maxDepth !== undefined ? { maxDepth: intOption(opts.maxDepth, '--max-depth', 1, 30) } : {}),
    ...(opts.rounds !== undefined ? { rounds: intOption(opts.rounds, '--rounds', 1, 100_000) } : {}),
  };
  // Everything that can be rejected is checked before anything is written.
  const data = await readTabularCsv(opts.csv, { label: opts.label, ...(opts.id !== undefined ? { id: opts.id } : {}) });
  await prepareOutputDir(opts.report, '--report');
  // Fail fast when the registry cannot be opened, but do not hold its lock while training.
  if (opts.register) (await openRegistry(dataDir(opts.dataDir))).close();
  const progress = opts.json ? silentProgress : terminalProgress();
  const result = trainTabular(data, { folds, seed, params, calibration: opts.calibration as CalibrationChoice, progress });
  const positives = data.labels.reduce((s, y) => s + y, 0);
  // The report is written before registering, so a model is never registered without one.
  const context = {
    source: opts.csv,
    label: opts.label,
    rows: data.rows,
    positives,
    featureNames: data.featureNames,
    ignoredColumns: data.ignoredColumns,
    fingerprint: data.fingerprint,
    calibration: opts.calibration,
    seed,
    version: null as string | null,
    modelName: opts.name,
  };
  let report = await writeTabularReport(opts.report, data.labels, result, context);
  const version = opts.register ? await registerTabularModel(opts, data, result, folds) : null;
  if (version !== null) report = await writeTabularReportJson(opts.report, result, { ...context, version });
  const lines = [
    `data       ${opts.csv}: ${data.rows} rows, ${positives} positive (${((100 * positives) / data.rows).toFixed(2)}%), ${data.cols} features`,
    ...data.ignoredColumns.map((c) => `ignored    ${c.name}: ${c.reason}`),
    `AUC        ${result.auc.toFixed(4)} [${result.aucCi[0].toFixed(4)}, ${result.aucCi[1].toFixed(4)}] (${folds}-fold mean, 95% CI; fold sd ${result.foldAucSd.toFixed(4)})`,
    `folds      ${result.folds.map((f) => `${f.auc.toFixed(4)} (${f.rounds} trees)`).join('  ')}`,
    ...(result.logistic ? [`logistic   ${result.logistic.auc.toFixed(4)} [${result.logistic.aucCi[0].toFixed(4)}, ${result.logistic.aucCi[1].toFixed(4)}] (baseline)`] : []),
    `calibrated ${opts.calibration}: ECE ${result.evaluation.calibration.ece.toFixed(4)}, Brier ${result.evaluation.brier.toFixed(4)}, KS ${result.evaluation.ks.toFixed(3)} (out of fold)`,
    `model      ${result.final.rounds} trees, depth ${result.params.maxDepth}, eta ${result.params.eta}`,
    version ? `registered ${opts.name} version ${version}` : 'registered nothing (--no-register)',
    `report     ${opts.report}/report.json, roc.png, calibration.png`,
  ];
  emit(opts, report, lines.join('\n'));
}

/** Registers the final model (parent: the line's current champion); returns the version id. */
async function registerTabularModel(opts: TrainTabularOptions, data: TabularCsv, result: TabularTrainingResult, folds: number): Promise<string> {
  const registry = await openRegistry(dataDir(opts.dataDir));
  try {
    const champion = (await registry.aliases(opts.name)).find((a) => a.alias === 'champion');
    const registered = await registry.register({
      files: scorerFilesFor(result.final.model, result.final.calibrator),
      metadata: {
        name: opts.name,
        kind: 'xgboost',
        featureSchema: data.featureNames.map((name) => ({ name, type: 'number' as const })),
        trainingData: { fingerprint: data.fingerprint, rows: data.rows, source: opts.csv },
        params: { ...result.params, label: opts.label, calibration: opts.calibration, folds },
        // Cross-validation figures: measured on the fold models' out-of-fold predictions, not on this final model.
        metrics: {
          cvAuc: result.auc,
          cvAucCi: result.aucCi,
          cvFoldAucSd: result.foldAucSd,
          oofEce: result.evaluation.calibration.ece,
          oofBrier: result.evaluation.brier,
          measuredOn: `out-of-fold predictions of ${folds} fold models`,
        },
        codeVersion: codeVersion(),
        parent: champion?.version ?? null,
      },
    });
    return registered.version.id;
  } finally {
    registry.close();
  }
}
