/**
 * `irisk models gate`: may a candidate version replace a baseline? Scores both on a labelled CSV
 * (refusing either model's own training data unless told otherwise), prints a pass/fail table,
 * writes a JSON report (by default under <data-dir>/gates/, a record of every gate decision), and
 * exits 4 when any check fails.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { readTabularCsv } from '../../../ml/data/tabular-csv.js';
import { runGate, DEFAULT_GATE_BUDGETS, type GateReport } from '../../../ml/evaluation/gate.js';
import { loadScorer } from '../../../ml/registry/load-scorer.js';
import { IriskError } from '../../../lib/errors.js';
import { emit, numberOption, intOption, textTable } from '../output.js';
import { openRegistry } from '../../../ml/registry/index.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';
import type { ModelsCommonOptions } from './with-registry.js';

/** Exit code of a gate that ran and failed (distinct from errors: 1 internal, 2 usage, 3 input). */
export const GATE_FAILED_EXIT_CODE = 4;

interface GateOptions extends ModelsCommonOptions {
  candidate: string;
  baseline: string;
  data: string;
  label?: string;
  report?: string;
  allowTrainingData?: boolean;
  aucTolerance: string;
  maxEce: string;
  p99Us: string;
  maxBytes: string;
  latencyRows: string;
}

/** Adds `gate` to `irisk models`. */
export function addGateCommand(models: Command): void {
  models
    .command('gate')
    .description('Regression gate: compare a candidate with a baseline on labelled data (paired AUC interval, calibration, p99 latency, size); exit 4 on a fail')
    .requiredOption('--candidate <ref>', 'candidate version (id, prefix, NAME@ALIAS or alias)')
    .requiredOption('--baseline <ref>', 'baseline version or alias (e.g. credit-default@champion)')
    .requiredOption('--data <csv>', 'labelled CSV holding every feature of both models')
    .option('--label <column>', "label column (default: the candidate's training label)")
    .option('--report <file>', 'where to write the JSON report (default: <data-dir>/gates/<time>-<candidate>-vs-<baseline>.json)')
    .option('--auc-tolerance <x>', 'fail when the whole 95% interval of (candidate - baseline) AUC lies below -x', String(DEFAULT_GATE_BUDGETS.aucTolerance))
    .option('--max-ece <x>', "calibration error bound (a candidate no worse than the baseline's ECE passes anyway)", String(DEFAULT_GATE_BUDGETS.maxEce))
    .option('--p99-us <x>', 'one-row prediction p99 budget, microseconds', String(DEFAULT_GATE_BUDGETS.p99LatencyMicros))
    .option('--max-bytes <n>', 'model size budget, bytes', String(DEFAULT_GATE_BUDGETS.maxModelBytes))
    .option('--latency-rows <n>', 'one-row predictions timed per model', String(DEFAULT_GATE_BUDGETS.latencyRows))
    .option('--allow-training-data', "accept --data that is a model's own training data (in-sample: flatters an overfit model)")
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 pass, 4 the gate ran and failed, 3 bad input (unknown version, bad CSV), 2 bad usage, 1 internal error.')
    .action((opts: GateOptions) => run(opts, () => gateCommand(opts)));
}

async function gateCommand(opts: GateOptions): Promise<void> {
  const budgets = {
    aucTolerance: numberOption(opts.aucTolerance, '--auc-tolerance', 0, 1),
    maxEce: numberOption(opts.maxEce, '--max-ece', 0, 1),
    p99LatencyMicros: numberOption(opts.p99Us, '--p99-us', 0),
    maxModelBytes: intOption(opts.maxBytes, '--max-bytes', 1),
    latencyRows: intOption(opts.latencyRows, '--latency-rows', 10, 1_000_000),
  };
  const root = dataDir(opts.dataDir);
  // Load both models and release the registry before the (long) scoring.
  const registry = await openRegistry(root);
  let candidate: Awaited<ReturnType<typeof loadScorer>>;
  let baseline: Awaited<ReturnType<typeof loadScorer>>;
  try {
    candidate = await loadScorer(registry, opts.candidate);
    baseline = await loadScorer(registry, opts.baseline);
  } finally {
    registry.close();
  }
  const label = opts.label ?? (typeof candidate.version.metadata.params.label === 'string' ? candidate.version.metadata.params.label : undefined);
  if (label === undefined) throw new IriskError('USAGE', 'the candidate does not record its label column; pass --label');
  const candidateData = await readTabularCsv(opts.data, { label, features: candidate.scorer.featureNames });
  const baselineData = await readTabularCsv(opts.data, { label, features: baseline.scorer.featureNames });
  for (const [role, v] of [['candidate', candidate.version], ['baseline', baseline.version]] as const) {
    if (v.metadata.trainingData.fingerprint === candidateData.fingerprint && !opts.allowTrainingData) {
      throw new IriskError('DATASET_INVALID', `${opts.data} is the data the ${role} was trained on; gate on held-out data (or pass --allow-training-data)`);
    }
  }
  const report = runGate({ model: candidate.scorer, data: candidateData }, { model: baseline.scorer, data: baselineData }, budgets);
  const json = { ...report, candidateVersion: candidate.version.id, baselineVersion: baseline.version.id, data: opts.data, dataFingerprint: candidateData.fingerprint, at: new Date().toISOString() };
  const reportPath = opts.report ?? join(root, 'gates', `${json.at.replace(/[:.]/g, '-')}-${candidate.version.id.slice(0, 12)}-vs-${baseline.version.id.slice(0, 12)}.json`);
  await mkdir(dirname(reportPath), { recursive: true });
  await writeFile(reportPath, JSON.stringify(json, null, 2) + '\n');
  emit(opts, { ...json, reportPath }, `${humanGate(report, candidate.version.id, baseline.version.id)}\nreport ${reportPath}`);
  if (!report.pass) process.exitCode = GATE_FAILED_EXIT_CODE;
}

function humanGate(report: GateReport, candidate: string, baseline: string): string {
  const fmt = (name: string, v: number) => (name === 'size' ? String(v) : name === 'latency' ? `${v.toFixed(1)} us` : v.toFixed(4));
  const rows = report.checks.map((c) => [c.name, c.pass ? 'PASS' : 'FAIL', fmt(c.name, c.value), `${c.name === 'auc' ? '>= ' : '<= '}${fmt(c.name, c.limit)}`, c.detail]);
  return [
    `candidate ${candidate.slice(0, 12)}  vs  baseline ${baseline.slice(0, 12)}  on ${report.rows} rows (${report.positives} positive)`,
    textTable(['CHECK', 'RESULT', 'VALUE', 'LIMIT', 'DETAIL'], rows),
    report.pass ? 'gate: PASS' : 'gate: FAIL',
  ].join('\n');
}
