/**
 * `irisk credit backtest --from T1 --to T2`: the model and policy replayed on the matured loans
 * originated in [T1, T2), features as of each origination; approval rate against bad rate per month
 * and in total (table, backtest.json) and the trade-off curve (backtest.svg/png).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { openEventStore } from '../../../credit/events/store.js';
import { backtest, backtestPlotSvg, type BacktestResult, type BacktestRow } from '../../../credit/underwriting/backtest.js';
import { loadCreditModel } from '../../../credit/underwriting/decider.js';
import { storedLoanOutcomes } from '../../../credit/underwriting/pipeline.js';
import { DEFAULT_POLICY, parsePolicy } from '../../../credit/underwriting/policy.js';
import { buildTrainingSet, loanPoints } from '../../../credit/underwriting/training-set.js';
import { IriskError } from '../../../lib/errors.js';
import { prepareOutputDir } from '../../../lib/output-dir.js';
import { writePlot } from '../../../ml/evaluation/plots.js';
import { emit, textTable, timeOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { readJsonConfig } from './credit-decide.js';
import { dataDir } from './demo.js';

interface BacktestOptions extends OutputOptions {
  from: string;
  to: string;
  model?: string;
  policy?: string;
  report?: string;
  dataDir?: string;
}

/** Registers `credit backtest` under `credit`. */
export function registerCreditBacktestCommand(credit: Command): void {
  credit
    .command('backtest')
    .description('Replay the model and policy on matured loans originated in [--from, --to): approval rate against bad rate, by month, as a table and a plot')
    .requiredOption('--from <time>', 'first origination time, ISO 8601')
    .requiredOption('--to <time>', 'end of the window (exclusive), ISO 8601')
    .option('--model <ref>', 'model: version id, prefix or LINE@ALIAS (default credit-default@champion)')
    .option('--policy <file>', 'policy JSON (default the built-in policy)')
    .option('--report <dir>', 'where to write backtest.json and backtest.png (default <data-dir>/backtests/<time>)')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'print the result as JSON')
    .action((opts: BacktestOptions) => run(opts, () => backtestCommand(opts)));
}

async function backtestCommand(opts: BacktestOptions): Promise<void> {
  const from = timeOption(opts.from, '--from').getTime();
  const to = timeOption(opts.to, '--to').getTime();
  if (!(to > from)) throw new IriskError('USAGE', '--to must be after --from');
  const policy = opts.policy === undefined ? DEFAULT_POLICY : parsePolicy(await readJsonConfig(opts.policy), opts.policy);
  const dir = dataDir(opts.dataDir);
  const reportDir = opts.report ?? join(dir, 'backtests', new Date().toISOString().replace(/[:.]/g, '-'));
  await prepareOutputDir(reportDir, '--report');
  const { ref, version, scorer, view } = await loadCreditModel(dir, opts.model);
  const db = await openEventStore(dir);
  let result: BacktestResult;
  let observedUntil: number;
  try {
    const stored = await storedLoanOutcomes(db);
    observedUntil = stored.observedUntil;
    const inWindow = stored.outcomes.filter((o) => o.originatedAt >= from && o.originatedAt < to);
    const points = loanPoints(inWindow);
    if (points.length === 0) {
      throw new IriskError('DATASET_INVALID', `no matured loan originated in [${opts.from}, ${opts.to}) (${inWindow.length} loan(s) there, outcomes known until ${new Date(observedUntil).toISOString()})`);
    }
    const set = await buildTrainingSet(db, view, points);
    const probabilities = scorer.predict(set);
    const amount = new Map(inWindow.map((o) => [o.loanId, o.amount]));
    result = backtest(set.points.map((p, i) => ({ at: p.at, amount: amount.get(p.id)!, probability: probabilities[i]!, defaulted: p.label === 1 })), policy);
  } finally {
    db.close();
  }
  const cutoff = version.metadata.params.cutoff;
  const inSample = typeof cutoff === 'number' && from < cutoff;
  const json = {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    model: { ref, version: version.id },
    inSample,
    outcomesKnownUntil: new Date(observedUntil).toISOString(),
    ...result,
  };
  await writeFile(join(reportDir, 'backtest.json'), JSON.stringify(json, null, 2) + '\n');
  await writePlot(reportDir, 'backtest', backtestPlotSvg(result, `${result.total.loans} matured loans originated ${opts.from} to ${opts.to}; model ${version.id.slice(0, 12)}`));
  const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  const line = (r: BacktestRow): string[] => [r.period, String(r.loans), pct(r.approvalRate), String(r.reduced), String(r.declined), pct(r.badRate), pct(r.approvedBadRate), pct(r.declinedBadRate), pct(r.meanProbability)];
  const human = [
    textTable(['month', 'loans', 'approved', 'reduced', 'declined', 'bad rate', 'bad | approved', 'bad | declined', 'mean P(default)'], [...result.rows.map(line), line(result.total)]),
    '',
    `policy ${policy.version}; model ${ref} (${version.id.slice(0, 12)}); 'approved' counts full and reduced approvals`,
    ...(inSample ? [`warning: the window starts before the model's out-of-time cutoff ${new Date(cutoff as number).toISOString()}: loans it was trained on are included (in-sample figures)`] : []),
    `report ${reportDir}/backtest.json, backtest.png`,
  ];
  emit(opts, json, human.join('\n'));
}
