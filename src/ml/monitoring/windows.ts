/**
 * Drift over time: a reference window of timestamped records against consecutive live windows of
 * a fixed length, every feature in every window, and the alerts for the windows that drift
 * (docs/monitoring.md). Domain-free: imports only lib/ and drift.ts.
 */
import { IriskError } from '../../lib/errors.js';
import { detectDrift, type DriftMethod, type DriftOptions, type DriftResult, type FeatureValue } from './drift.js';

/** One observation: a time (epoch ms) and the feature values seen then. */
export interface TimedRecord {
  time: number;
  values: Readonly<Record<string, FeatureValue>>;
}

/** What to compare. Windows are half-open: [start, end). */
export interface WindowedDriftOptions {
  /** The reference window [start, end). */
  reference: { start: number; end: number };
  /** First live window start (default: the reference end). */
  liveStart?: number;
  /** Length of each live window in ms, or a function from a window start to the next start (calendar months). */
  windowLength: number | ((start: number) => number);
  /** Number of live windows (default: as many as start before the last record). */
  windows?: number;
  /** Features to monitor (default: every key seen in the reference window, in first-seen order). */
  features?: readonly string[];
  /** Per-feature kinds; default inferred from the values. */
  kinds?: Readonly<Record<string, 'numeric' | 'categorical'>>;
  /** Drift options passed to detectDrift for every feature. */
  drift?: Omit<DriftOptions, 'kind'>;
  /** Windows with fewer records are reported but not tested (default 1). */
  minRecords?: number;
}

/** The drift of every feature in one live window. */
export interface WindowDrift {
  index: number;
  start: number;
  end: number;
  records: number;
  /** False when the window had fewer than minRecords records. */
  tested: boolean;
  features: Record<string, DriftResult>;
}

/** A feature that drifted in a window. */
export interface DriftAlert {
  feature: string;
  window: number;
  start: number;
  end: number;
  method: DriftMethod;
  value: number;
  threshold: number;
  psi: number | null;
}

/** Every window's drift and the alerts. */
export interface WindowedDriftReport {
  reference: { start: number; end: number; records: number };
  features: string[];
  windows: WindowDrift[];
  alerts: DriftAlert[];
}

const column = (records: readonly TimedRecord[], feature: string): FeatureValue[] => records.map((r) => r.values[feature] ?? null);

/**
 * Compares each live window with the reference window, feature by feature, through detectDrift;
 * a feature absent from a record counts as missing. Throws USAGE on a bad window specification and
 * DATASET_INVALID when the reference window holds no record.
 */
export function windowedDrift(records: readonly TimedRecord[], options: WindowedDriftOptions): WindowedDriftReport {
  const { reference } = options;
  if (!(Number.isFinite(reference.start) && Number.isFinite(reference.end) && reference.end > reference.start)) {
    throw new IriskError('USAGE', 'the reference window needs finite start < end', { reference });
  }
  const next = typeof options.windowLength === 'function' ? options.windowLength : ((len: number) => (s: number) => s + len)(options.windowLength);
  if (typeof options.windowLength === 'number' && !(options.windowLength > 0)) {
    throw new IriskError('USAGE', `windowLength must be positive, got ${String(options.windowLength)}`, { windowLength: options.windowLength });
  }
  const refRecords = records.filter((r) => r.time >= reference.start && r.time < reference.end);
  if (refRecords.length === 0) throw new IriskError('DATASET_INVALID', 'the reference window holds no record', { reference });
  const features = options.features ? [...options.features] : [...new Set(refRecords.flatMap((r) => Object.keys(r.values)))];
  const refColumns = new Map(features.map((f) => [f, column(refRecords, f)]));
  const lastTime = records.reduce((m, r) => Math.max(m, r.time), -Infinity);
  const minRecords = options.minRecords ?? 1;

  const windows: WindowDrift[] = [];
  const alerts: DriftAlert[] = [];
  let start = options.liveStart ?? reference.end;
  for (let index = 0; options.windows !== undefined ? index < options.windows : start <= lastTime; index++) {
    const end = next(start);
    if (!(end > start)) throw new IriskError('USAGE', 'each live window must end after it starts', { start, end });
    const live = records.filter((r) => r.time >= start && r.time < end);
    const tested = live.length >= minRecords && live.length > 0;
    const result: Record<string, DriftResult> = {};
    if (tested) {
      for (const f of features) {
        const kind = options.kinds?.[f];
        const d = detectDrift(refColumns.get(f)!, column(live, f), { ...options.drift, ...(kind ? { kind } : {}) });
        result[f] = d;
        if (d.drifted && d.method !== null) {
          alerts.push({ feature: f, window: index, start, end, method: d.method, value: d.value!, threshold: d.threshold!, psi: d.psi });
        }
      }
    }
    windows.push({ index, start, end, records: live.length, tested, features: result });
    start = end;
  }
  return { reference: { ...reference, records: refRecords.length }, features, windows, alerts };
}
