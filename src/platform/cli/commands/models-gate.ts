/**
 * `irisk models gate`: may a candidate version replace a baseline? Scores both on a labelled CSV,
 * prints a pass/fail table, writes a JSON report, and exits 4 when any check fails.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { readTabularCsv } from '../../../ml/data/tabular-csv.js';
import { runGate, DEFAULT_GATE_BUDGETS, type GateReport } from '../../../ml/evaluation/gate.js';
import { loadScorer } from '../../../ml/registry/load-scorer.js';
import { IriskError } from '../../../lib/errors.js';
import { emit, numberOption, intOption, textTable } from '../output.js';
import { withRegistry, type ModelsCommonOptions } from './with-registry.js';

/** Exit code of a gate that ran and failed (distinct from errors: 1 internal, 2 usage, 3 input). */
export const GATE_FAILED_EXIT_CODE = 4;

interface GateOptions extends ModelsCommonOptions {
  candidate: string;
  baseline: string;
  data: string;
  label?: string;
  report?: string;
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
    .option('--report <file>', 'also write the JSON report to this file')
    .option('--auc-tolerance <x>', 'allowed AUC drop before the interval decides', String(DEFAULT_GATE_BUDGETS.aucTolerance))
    .option('--max-ece <x>', 'calibration error bound', String(DEFAULT_GATE_BUDGETS.maxEce))
    .option('--p99-us <x>', 'one-row prediction p99 budget, microseconds', String(DEFAULT_GATE_BUDGETS.p99LatencyMicros))
    .option('--max-bytes <n>', 'model size budget, bytes', String(DEFAULT_GATE_BUDGETS.maxModelBytes))
    .option('--latency-rows <n>', 'rows timed for the latency check', String(DEFAULT_GATE_BUDGETS.latencyRows))
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'print the report as JSON')
    .action((opts: GateOptions) =>
      withRegistry(opts, async (registry) => {
        const budgets = {
          aucTolerance: numberOption(opts.aucTolerance, '--auc-tolerance', 0, 1),
          maxEce: numberOption(opts.maxEce, '--max-ece', 0, 1),
          p99LatencyMicros: numberOption(opts.p99Us, '--p99-us', 0),
          maxModelBytes: intOption(opts.maxBytes, '--max-bytes', 1),
          latencyRows: intOption(opts.latencyRows, '--latency-rows', 10, 1_000_000),
        };
        const candidate = await loadScorer(registry, opts.candidate);
        const baseline = await loadScorer(registry, opts.baseline);
        const label = opts.label ?? (typeof candidate.version.metadata.params.label === 'string' ? candidate.version.metadata.params.label : undefined);
        if (label === undefined) throw new IriskError('USAGE', 'the candidate does not record its label column; pass --label');
        const read = (features: readonly string[]) => readTabularCsv(opts.data, { label, features });
        const candidateData = await read(candidate.scorer.featureNames);
        const baselineData = await read(baseline.scorer.featureNames);
        const report = runGate({ model: candidate.scorer, data: candidateData }, { model: baseline.scorer, data: baselineData }, budgets);
        const json = { ...report, candidateVersion: candidate.version.id, baselineVersion: baseline.version.id, data: opts.data, dataFingerprint: candidateData.fingerprint };
        if (opts.report) {
          await mkdir(dirname(opts.report), { recursive: true });
          await writeFile(opts.report, JSON.stringify(json, null, 2) + '\n');
        }
        emit(opts, json, humanGate(report, candidate.version.id, baseline.version.id));
        if (!report.pass) process.exitCode = GATE_FAILED_EXIT_CODE;
      }),
    );
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
