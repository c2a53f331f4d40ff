/**
 * `irisk credit train`: the underwriting model from the data directory's event store. Labels are
 * loan outcomes (60+ days past due within 12 months by default); features are the view's, as of
 * each loan's origination; the model is XGBoost, calibrated on a time-ordered holdout and tested
 * out of time; report.json and plots go to --report; the model is registered (and, with
 * --promote, becomes the line's champion).
 */
import type { Command } from 'commander';
import { featureView } from '../../../credit/catalog.js';
import { ensureLabelStore, listLabelledDatasets, readLabels } from '../../../credit/import/index.js';
import { UNDERWRITING_VIEW } from '../../../credit/features/views.js';
import type { Database } from '../../../lib/duckdb.js';
import { openEventStore } from '../../../credit/events/store.js';
import { DEFAULT_LABEL_RULE } from '../../../credit/underwriting/labels.js';
import { CREDIT_MODEL_LINE, registerUnderwriting, storedLoanPoints, trainOnStore, type TrainedUnderwriting } from '../../../credit/underwriting/pipeline.js';
import { writeUnderwritingReport } from '../../../credit/underwriting/report.js';
import { IriskError } from '../../../lib/errors.js';
import { prepareOutputDir } from '../../../lib/output-dir.js';
import { silentProgress, terminalProgress } from '../../../lib/progress.js';
import { openRegistry } from '../../../ml/registry/index.js';
import { validateModelName } from '../../../ml/registry/metadata.js';
import { emit, intOption, numberOption, timeOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

interface CreditTrainOptions extends OutputOptions {
  report: string;
  dataDir?: string;
  view?: string;
  dataset?: string;
  dpd: string;
  horizonMonths: string;
  observedUntil?: string;
  testShare: string;
  seed: string;
  calibration: string;
  eta?: string;
  maxDepth?: string;
  rounds?: string;
  name?: string;
  register: boolean;
  promote?: boolean;
}

/** Registers `irisk credit train` under `credit`. */
export function registerCreditTrainCommand(credit: Command): void {
  credit
    .command('train')
    .description('Train the default model on the stored events: loans at origination, point-in-time features, out-of-time test; write a report and register the model')
    .requiredOption('--report <dir>', 'where to write report.json, roc.png and calibration.png')
    .option('--dataset <name>', 'train on an imported dataset\'s labelled points (see `irisk credit import`) instead of loan outcomes')
    .option('--view <name>', 'feature view (default: underwriting; for --dataset, the view its mapping names)')
    .option('--dpd <days>', 'days past due that count as default', String(DEFAULT_LABEL_RULE.dpd))
    .option('--horizon-months <m>', 'months after origination in which a default counts', String(DEFAULT_LABEL_RULE.horizonMonths))
    .option('--observed-until <time>', 'label outcomes as known at this time (default: the newest stored event)')
    .option('--test-share <x>', 'share of the latest loans held out as the out-of-time test', '0.2')
    .option('--seed <n>', 'seed for sampling and the model', '1')
    .option('--calibration <method>', 'platt | isotonic', 'platt')
    .option('--eta <x>', 'learning rate (default 0.05)')
    .option('--max-depth <n>', 'tree depth (default 4)')
    .option('--rounds <n>', 'maximum boosting rounds; early stopping picks fewer (default 1000)')
    .option('--name <line>', `model line to register under (default ${CREDIT_MODEL_LINE}; for --dataset, credit-DATASET)`)
    .option('--no-register', 'do not register the model')
    .option('--promote', 'make the registered model the line\'s champion (what `credit decide` uses)')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'print the report as JSON')
    .action((opts: CreditTrainOptions) => run(opts, () => creditTrain(opts)));
}

async function creditTrain(opts: CreditTrainOptions): Promise<void> {
  const rule = { dpd: intOption(opts.dpd, '--dpd', 1, 3650), horizonMonths: intOption(opts.horizonMonths, '--horizon-months', 1, 120) };
  const observedUntil = opts.observedUntil === undefined ? undefined : timeOption(opts.observedUntil, '--observed-until').getTime();
  const testShare = numberOption(opts.testShare, '--test-share', 0.01, 0.9);
  const seed = intOption(opts.seed, '--seed', 0, 2 ** 31 - 1);
  if (opts.calibration !== 'platt' && opts.calibration !== 'isotonic') throw new IriskError('USAGE', `--calibration must be platt or isotonic (got "${opts.calibration}")`);
  const line = opts.name ?? (opts.dataset === undefined ? CREDIT_MODEL_LINE : `credit-${opts.dataset.replace(/_/g, '-')}`);
  if (opts.register) validateModelName(line, '--name');
  if (opts.promote && !opts.register) throw new IriskError('USAGE', '--promote needs a registered model (drop --no-register)');
  const params = {
    ...(opts.eta !== undefined ? { eta: numberOption(opts.eta, '--eta', 1e-6, 1) } : {}),
    ...(opts.maxDepth !== undefined ? { maxDepth: intOption(opts.maxDepth, '--max-depth', 1, 30) } : {}),
    ...(opts.rounds !== undefined ? { rounds: intOption(opts.rounds, '--rounds', 1, 100_000) } : {}),
  };
  if (opts.view !== undefined) featureView(opts.view);
  await prepareOutputDir(opts.report, '--report');
  const dir = dataDir(opts.dataDir);
  const progress = opts.json ? silentProgress : terminalProgress();
  const db = await openEventStore(dir);
  let trained: TrainedUnderwriting;
  try {
    const { view, labelled } = opts.dataset === undefined
      ? { view: featureView(opts.view ?? UNDERWRITING_VIEW.name), labelled: await storedLoanPoints(db, rule, observedUntil) }
      : await datasetPoints(db, opts.dataset, opts.view);
    trained = await trainOnStore(db, view, labelled, { testShare, seed, params, calibration: opts.calibration, progress });
  } finally {
    db.close();
  }
  const ctx = { version: null as string | null, line, calibration: opts.calibration, seed };
  // The report is written before registering, so a model is never registered without one.
  let report = await writeUnderwritingReport(opts.report, trained, ctx);
  if (opts.register) {
    const registry = await openRegistry(dir);
    try {
      ctx.version = await registerUnderwriting(registry, trained, line);
      if (opts.promote) await registry.promote(ctx.version, 'champion', { reason: `irisk credit train: test AUC ${trained.result.test.auc.toFixed(4)}` });
    } finally {
      registry.close();
    }
    report = await writeUnderwritingReport(opts.report, trained, ctx);
  }
  emit(opts, report, humanSummary(trained, ctx, opts));
}

function humanSummary(trained: TrainedUnderwriting, ctx: { version: string | null; line: string }, opts: CreditTrainOptions): string {
  const { result, source } = trained;
  const t = result.test;
  const c = result.counts;
  const pct = (n: number, d: number): string => `${((100 * n) / Math.max(1, d)).toFixed(2)}%`;
  const labels =
    source.kind === 'loans'
      ? `${source.loans} loans, ${trained.set.rows} matured (${source.immature} with the horizon still open), ${source.rule.dpd}+ dpd within ${source.rule.horizonMonths} months, observed until ${new Date(source.observedUntil).toISOString()}`
      : `dataset ${source.dataset}: ${trained.set.rows} points`;
  const split = result.split.kind === 'out-of-time' ? `out of time: test from ${new Date(result.split.cutoff!).toISOString()}` : 'random (all points at one instant)';
  const lines = [
    `labels     ${labels}`,
    `split      ${split}; fit ${c.train} (${pct(c.trainPositives, c.train)} default), holdout ${c.holdout}, test ${c.test} (${pct(c.testPositives, c.test)} default)`,
    `AUC        ${t.auc.toFixed(4)} [${t.aucCi[0].toFixed(4)}, ${t.aucCi[1].toFixed(4)}] (test, 95% DeLong CI)`,
    `KS ${t.ks.toFixed(3)}  Brier ${t.brier.toFixed(4)}  ECE ${t.calibration.ece.toFixed(4)} (${opts.calibration}-calibrated, test)`,
    `model      ${result.params.rounds} trees, depth ${result.params.maxDepth}, eta ${result.params.eta}; view ${trained.view.name} v${trained.view.version} (${trained.view.features.length} features)`,
    ctx.version ? `registered ${ctx.line} version ${ctx.version}${opts.promote ? ' (champion)' : ''}` : 'registered nothing (--no-register)',
    `report     ${opts.report}/report.json, roc.png, calibration.png`,
  ];
  return lines.join('\n');
}

/** The labelled points of an imported dataset and its view (the one its mapping named, unless `--view`). */
async function datasetPoints(db: Database, dataset: string, viewName?: string) {
  await ensureLabelStore(db);
  const known = (await listLabelledDatasets(db)).find((d) => d.name === dataset);
  if (!known) throw new IriskError('DATASET_INVALID', `no imported dataset named ${dataset} in this data directory (import one with irisk credit import FILE --mapping ...)`);
  const view = featureView(viewName ?? known.view ?? UNDERWRITING_VIEW.name);
  const points = await readLabels(db, dataset);
  return { view, labelled: { points, source: { kind: 'dataset' as const, dataset } } };
}
