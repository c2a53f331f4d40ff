/**
 * `irisk credit decide` and `irisk credit replay`: one credit decision for a customer from the
 * stored events (recorded in the decision log), and the exact replay of a recorded decision.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { featureView } from '../../../credit/catalog.js';
import { eventsFor, openEventStore } from '../../../credit/events/store.js';
import { CreditDecider } from '../../../credit/underwriting/decider.js';
import { replayDecision, replayFeatures, type DecisionRecord } from '../../../credit/underwriting/decide.js';
import { findDecision } from '../../../credit/underwriting/decision-log.js';
import { parsePolicy } from '../../../credit/underwriting/policy.js';
import { IriskError } from '../../../lib/errors.js';
import { openRegistry } from '../../../ml/registry/index.js';
import { loadScorer } from '../../../ml/registry/load-scorer.js';
import { emit, numberOption, textTable, timeOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

interface DecideOptions extends OutputOptions {
  customer: string;
  at?: string;
  amount: string;
  model?: string;
  policy?: string;
  dataDir?: string;
}

/** Registers `credit decide` and `credit replay` under `credit`. */
export function registerCreditDecideCommands(credit: Command): void {
  credit
    .command('decide')
    .description('Decide for one customer from the stored events: probability of default, approve / reduced limit / decline, principal reasons; recorded in the decision log')
    .requiredOption('--customer <id>', 'customer id')
    .option('--at <time>', 'decision time, ISO 8601 (default now): only events before it count')
    .option('--amount <x>', 'requested amount', '500')
    .option('--model <ref>', 'model: version id, prefix or LINE@ALIAS (default credit-default@champion)')
    .option('--policy <file>', 'policy JSON (version, approveBelow, declineAtOrAbove, reduceFrom, reduceTo, maxAmount); default the built-in policy')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'print the decision record as JSON')
    .action((opts: DecideOptions) => run(opts, () => decideCommand(opts)));
  credit
    .command('replay')
    .description('Replay a recorded decision: the same model version, policy and inputs must give the same answer, and the stored events known then must give the same inputs; exit 4 when anything differs')
    .argument('<decision-id>', 'id of a recorded decision')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: OutputOptions & { dataDir?: string }) => run(opts, () => replayCommand(id, opts)));
}

async function decideCommand(opts: DecideOptions): Promise<void> {
  const amount = numberOption(opts.amount, '--amount', 0.01, 1e9);
  const asOf = opts.at === undefined ? undefined : timeOption(opts.at, '--at').getTime();
  const policy = opts.policy === undefined ? undefined : parsePolicy(await readJsonConfig(opts.policy), opts.policy);
  const decider = await CreditDecider.open(dataDir(opts.dataDir), { model: opts.model, policy, customers: [opts.customer] });
  try {
    const record = decider.decide({ customerId: opts.customer, amount, asOf });
    const known = decider.context.store.events(opts.customer).length;
    emit(opts, record, humanDecision(record, known));
  } finally {
    decider.close();
  }
}

/** Reads a JSON config file (a policy); CONFIG_INVALID when it cannot be read or parsed. */
export async function readJsonConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new IriskError('CONFIG_INVALID', `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new IriskError('CONFIG_INVALID', `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function humanDecision(r: DecisionRecord, knownEvents: number): string {
  const answer = r.decision === 'approve' ? `approve ${r.limit}` : r.decision === 'reduce' ? `reduced limit ${r.limit} (asked ${r.requestedAmount})` : 'decline';
  const lines = [
    `decision   ${answer}`,
    `P(default) ${r.probability.toFixed(4)} (policy ${r.policy.version}: approve below ${r.policy.approveBelow}, decline from ${r.policy.declineAtOrAbove})`,
    `customer   ${r.customerId} as of ${new Date(r.asOf).toISOString()}${knownEvents === 0 ? ' (no stored events: a thin file)' : ''}`,
    `model      ${r.modelAlias ?? r.modelVersion.slice(0, 12)} (${r.modelVersion.slice(0, 12)}), view ${r.view.name} v${r.view.version}`,
  ];
  if (r.reasons.length > 0) lines.push('reasons', ...r.reasons.map((x, i) => `  ${i + 1}. ${x.statement}`));
  lines.push(`recorded   decision ${r.decisionId}`);
  return lines.join('\n');
}

async function replayCommand(id: string, opts: OutputOptions & { dataDir?: string }): Promise<void> {
  const dir = dataDir(opts.dataDir);
  const record = await findDecision(dir, id);
  const view = featureView(record.view.name, record.view.version);
  const registry = await openRegistry(dir);
  let scorer;
  try {
    scorer = (await loadScorer(registry, record.modelVersion)).scorer;
  } finally {
    registry.close();
  }
  const db = await openEventStore(dir);
  let events;
  try {
    events = await eventsFor(db, record.customerId);
  } finally {
    db.close();
  }
  const decisionDiffs = replayDecision(record, view, scorer);
  const featureDiffs = replayFeatures(record, view, events);
  const exact = decisionDiffs.length === 0 && featureDiffs.length === 0;
  const human = exact
    ? `decision ${id} replays exactly: ${record.decision}, P(default) ${record.probability}, ${record.reasons.length} reason(s); inputs equal the stored events known at ${record.decidedAt}`
    : [`decision ${id} does NOT replay exactly`, ...decisionDiffs.map((d) => `  decision: ${d}`), ...(featureDiffs.length ? [textTable(['feature', 'recorded', 'recomputed'], featureDiffs.map((d) => [d.feature, String(d.recorded), String(d.recomputed)]))] : [])].join('\n');
  emit(opts, { decisionId: id, exact, decisionDiffs, featureDiffs }, human);
  if (!exact) process.exitCode = 4;
}
