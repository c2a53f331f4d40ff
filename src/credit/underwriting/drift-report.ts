/**
 * Drift of live credit decisions: the decision log's records as timed records (the decision's point in
 * time; every feature the model saw, and the score), a reference window against live windows,
 * through the shared drift monitor (src/ml/monitoring).
 */
import { IriskError } from '../../lib/errors.js';
import { windowedDrift, type TimedRecord, type WindowedDriftReport } from '../../ml/monitoring/windows.js';
import type { DecisionRecord } from './decide.js';

/** The name the model's probability goes by among the monitored features. */
export const SCORE_FEATURE = 'score';

/** Which decisions to compare. Times are epoch ms; windows are [start, end). */
export interface DecisionDriftOptions {
  /** The live period [from, to). */
  from: number;
  to: number;
  /** The reference window (default: as long as the live period, just before it). */
  reference?: { start: number; end: number };
  /** Length of each live window (default: the whole live period as one window). */
  windowMs?: number;
}

/** A decision as a timed record: its features and its score. */
export function decisionRecordValues(r: DecisionRecord): TimedRecord {
  const values: Record<string, number | null> = { [SCORE_FEATURE]: r.probability };
  for (const f of r.features) values[f.name] = f.value;
  return { time: r.asOf, values };
}

/** Drift of recorded decisions' (`readDecisions`) features and scores in [from, to) against the reference window. */
export function decisionDrift(records: readonly DecisionRecord[], options: DecisionDriftOptions): WindowedDriftReport & { decisions: number } {
  const { from, to } = options;
  if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) throw new IriskError('USAGE', 'the live period needs a start before its end');
  const reference = options.reference ?? { start: from - (to - from), end: from };
  const timed = records.map(decisionRecordValues).filter((r) => (r.time >= reference.start && r.time < reference.end) || (r.time >= from && r.time < to));
  if (!timed.some((r) => r.time >= reference.start && r.time < reference.end)) {
    throw new IriskError('DATASET_INVALID', `no recorded decision in the reference window ${new Date(reference.start).toISOString()} .. ${new Date(reference.end).toISOString()}`);
  }
  const windowMs = options.windowMs ?? to - from;
  const report = windowedDrift(timed, { reference, liveStart: from, windowLength: windowMs, windows: Math.ceil((to - from) / windowMs) });
  return { ...report, decisions: timed.length };
}
