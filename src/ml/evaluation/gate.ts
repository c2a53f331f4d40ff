/**
 * The regression gate: may a candidate model replace the baseline? Both score the same labelled
 * rows; the candidate fails when its AUC is lower than the baseline's beyond what the paired
 * DeLong interval allows, when its calibration error exceeds both a bound and the baseline's, when
 * a single-row prediction is too slow at the 99th percentile, or when the model is too large.
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
  /** Expected calibration error bound (default 0.05); a candidate no worse than the baseline passes anyway. */
  maxEce: number;
  /** p99 of one-row prediction, microseconds (default 50). */
  p99LatencyMicros: number;
  /** Model files, bytes (default 10 MiB). */
  maxModelBytes: number;
  /** Confidence of the paired AUC interval (default 0.95). */
  confidence: number;
  /** One-row predictions timed per model for the latency check (default 2000, after 10,000 warm-up calls each). */
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

/** Calls made to each model before timing, so both are compiled and warm when measured. */
const LATENCY_WARMUP_CALLS = 10_000;

/**
 * p99 of one-row prediction time (microseconds) of two models, timed alternately row by row over
 * `samples` rows (cycling through the data) after an equal warm-up, so neither benefits from
 * being measured second or on a quieter moment.
 */
export function pairedSingleRowP99Micros(a: GateModel, b: GateModel, dataA: LabelledData, dataB: LabelledData, samples: number): [number, number] {
  const n = dataA.rows;
  const row = (d: LabelledData, i: number) => d.values.subarray((i % n) * d.cols, ((i % n) + 1) * d.cols);
  let sink = 0;
  for (let i = 0; i < LATENCY_WARMUP_CALLS; i++) sink += a.predictRow(row(dataA, i)) + b.predictRow(row(dataB, i));
  const ta = new Float64Array(samples);
  const tb = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const ra = row(dataA, i);
    const rb = row(dataB, i);
    let t0 = process.hrtime.bigint();
    sink += a.predictRow(ra);
    ta[i] = Number(process.hrtime.bigint() - t0) / 1000;
    t0 = process.hrtime.bigint();
    sink += b.predictRow(rb);
    tb[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  if (Number.isNaN(sink)) throw new IriskError('INTERNAL', 'a model returned NaN during the latency check');
  const p99 = (t: Float64Array) => t.sort()[Math.min(samples - 1, Math.floor(0.99 * samples))]!;
  return [p99(ta), p99(tb)];
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
  const [latencyC, latencyB] = pairedSingleRowP99Micros(candidate.model, baseline.model, candidate.data, baseline.data, budgets.latencyRows);
  // A candidate calibrated no worse than the baseline passes even above the bound: on small data
  // both ECEs sit at the noise level of the bins.
  const eceLimit = Math.max(budgets.maxEce, eb.calibration.ece);
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
      pass: ec.calibration.ece <= eceLimit,
      value: ec.calibration.ece,
      limit: eceLimit,
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
