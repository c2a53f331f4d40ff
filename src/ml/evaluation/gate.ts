/**
 * The regression gate: may a candidate model replace the baseline? Both score the same labelled
 * rows; the candidate fails when its AUC is lower than the baseline's beyond what the paired
 * DeLong interval allows, when its calibration error exceeds a bound, when a single-row prediction
 * is too slow at the 99th percentile, or when the model is too large.
 */
import { IriskError } from '../../lib/errors.js';
import type { LabelledData } from '../data/dataset.js';
import { pairedDelong, type PairedAucComparison } from './auc.js';
import { evaluateBinary } from './binary.js';

/** What the gate needs of a model: batch probabilities, one-row probability, its size. */
export interface GateModel {
  predict(m: LabelledData): Float64Array;
  predictRow(x: Float32Array): number;
  readonly sizeBytes: number;
}

export interface GateBudgets {
  /** The candidate may be at most this much worse in AUC before the interval decides (default 0). */
  aucTolerance: number;
  /** Expected calibration error bound (default 0.05). */
  maxEce: number;
  /** p99 of one-row prediction, microseconds (default 50). */
  p99LatencyMicros: number;
  /** Model files, bytes (default 10 MiB). */
  maxModelBytes: number;
  /** Confidence of the paired AUC interval (default 0.95). */
  confidence: number;
  /** Rows timed for the latency check (default 2000, after as many warm-up calls). */
  latencyRows: number;
}

export const DEFAULT_GATE_BUDGETS: GateBudgets = Object.freeze({
  aucTolerance: 0,
  maxEce: 0.05,
  p99LatencyMicros: 50,
  maxModelBytes: 10 * 1024 * 1024,
  confidence: 0.95,
  latencyRows: 2000,
});

/** One check; for `auc` the value is the upper end of the interval of (candidate - baseline) AUC. */
export interface GateCheck {
  name: 'auc' | 'calibration' | 'latency' | 'size';
  pass: boolean;
  value: number;
  limit: number;
  detail: string;
}

export interface GateReport {
  pass: boolean;
  checks: GateCheck[];
  rows: number;
  positives: number;
  candidate: { auc: number; ece: number; brier: number; p99LatencyMicros: number; sizeBytes: number };
  baseline: { auc: number; ece: number; brier: number; p99LatencyMicros: number; sizeBytes: number };
  comparison: PairedAucComparison;
  budgets: GateBudgets;
}

/** p99 of one-row prediction time in microseconds over the first `rows` rows (after a warm-up pass). */
export function singleRowP99Micros(model: GateModel, data: LabelledData, rows: number): number {
  const n = Math.min(rows, data.rows);
  const row = (i: number) => data.values.subarray(i * data.cols, (i + 1) * data.cols);
  let sink = 0;
  for (let i = 0; i < n; i++) sink += model.predictRow(row(i));
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    sink += model.predictRow(row(i));
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  if (Number.isNaN(sink)) throw new IriskError('INTERNAL', 'a model returned NaN during the latency check');
  times.sort();
  return times[Math.min(n - 1, Math.floor(0.99 * n))]!;
}

/** Runs every check; `data` must be in the candidate's and baseline's feature order (see callers). */
export function runGate(
  candidate: { model: GateModel; data: LabelledData },
  baseline: { model: GateModel; data: LabelledData },
  partialBudgets: Partial<GateBudgets> = {},
): GateReport {
  const budgets = { ...DEFAULT_GATE_BUDGETS, ...partialBudgets };
  const labels = candidate.data.labels;
  if (baseline.data.rows !== candidate.data.rows) throw new IriskError('DATASET_INVALID', 'candidate and baseline must be scored on the same rows');
  const pc = candidate.model.predict(candidate.data);
  const pb = baseline.model.predict(baseline.data);
  const ec = evaluateBinary(labels, pc);
  const eb = evaluateBinary(labels, pb);
  const comparison = pairedDelong(labels, pc, pb, budgets.confidence);
  const latencyC = singleRowP99Micros(candidate.model, candidate.data, budgets.latencyRows);
  const latencyB = singleRowP99Micros(baseline.model, baseline.data, budgets.latencyRows);
  const level = `${Math.round(budgets.confidence * 100)}%`;
  const checks: GateCheck[] = [
    {
      name: 'auc',
      // Fail only when even the upper end of the interval of (candidate - baseline) is below -tolerance.
      pass: comparison.ci[1] >= -budgets.aucTolerance,
      value: comparison.ci[1],
      limit: -budgets.aucTolerance,
      detail: `AUC ${comparison.aucA.toFixed(4)} vs ${comparison.aucB.toFixed(4)}: difference ${comparison.diff.toFixed(4)}, ${level} CI [${comparison.ci[0].toFixed(4)}, ${comparison.ci[1].toFixed(4)}], p = ${comparison.pValue.toPrecision(3)}`,
    },
    {
      name: 'calibration',
      pass: ec.calibration.ece <= budgets.maxEce,
      value: ec.calibration.ece,
      limit: budgets.maxEce,
      detail: `ECE ${ec.calibration.ece.toFixed(4)} (baseline ${eb.calibration.ece.toFixed(4)})`,
    },
    {
      name: 'latency',
      pass: latencyC <= budgets.p99LatencyMicros,
      value: latencyC,
      limit: budgets.p99LatencyMicros,
      detail: `one-row p99 ${latencyC.toFixed(1)} us (baseline ${latencyB.toFixed(1)} us, same run)`,
    },
    {
      name: 'size',
      pass: candidate.model.sizeBytes <= budgets.maxModelBytes,
      value: candidate.model.sizeBytes,
      limit: budgets.maxModelBytes,
      detail: `${candidate.model.sizeBytes} bytes (baseline ${baseline.model.sizeBytes})`,
    },
  ];
  const summary = (e: typeof ec, latency: number, size: number) => ({ auc: e.auc, ece: e.calibration.ece, brier: e.brier, p99LatencyMicros: latency, sizeBytes: size });
  return {
    pass: checks.every((c) => c.pass),
    checks,
    rows: labels.length,
    positives: ec.positives,
    candidate: summary(ec, latencyC, candidate.model.sizeBytes),
    baseline: summary(eb, latencyB, baseline.model.sizeBytes),
    comparison,
    budgets,
  };
}
