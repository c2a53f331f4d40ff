/**
 * Biometric monitors over enrolment attempts: per window, the attempts and their outcomes, the
 * failure-to-enrol rate (captures the quality gates rejected), attacks and duplicates caught; and
 * the drift of what was measured on the way (quality, PAD scores, the distance to the nearest
 * enrolled eye, i.e. the best impostor) against a reference window, through ml/monitoring.
 */
import { IriskError } from '../lib/errors.js';
import { windowedDrift, type DriftAlert, type WindowedDriftReport } from '../ml/monitoring/windows.js';

/** One enrolment attempt as the service audits it. */
export interface EnrolmentAttempt {
  time: number;
  outcome: 'enrolled' | 'duplicate' | 'attack' | 'rejected' | 'error';
  metrics: Readonly<Record<string, number | null>>;
}

/** Counts and rates of one window. */
export interface EnrolmentWindow {
  start: number;
  end: number;
  attempts: number;
  enrolled: number;
  duplicates: number;
  attacks: number;
  rejected: number;
  /** Rejected by the quality gates over attempts (null without attempts). */
  failureToEnrolRate: number | null;
}

/** A window whose failure-to-enrol rate is above the reference's by more than chance explains. */
export interface EnrolmentAlert {
  window: number;
  start: number;
  failureToEnrolRate: number;
  referenceRate: number;
  limit: number;
}

/** The monitor's report: the reference and live windows, the drift of the measurements, and alerts. */
export interface IdentityMonitorReport {
  reference: EnrolmentWindow;
  windows: EnrolmentWindow[];
  drift: WindowedDriftReport | null;
  alerts: { failureToEnrol: EnrolmentAlert[]; drift: DriftAlert[] };
}

/** Monitored measurements (audited metrics of each attempt). */
export const ENROLMENT_METRICS = ['nearestDistance', 'padScore', 'visibleFraction', 'unmaskedBitFraction'] as const;

function summarise(list: readonly EnrolmentAttempt[], start: number, end: number): EnrolmentWindow {
  const n = (o: EnrolmentAttempt['outcome']): number => list.filter((a) => a.outcome === o).length;
  return { start, end, attempts: list.length, enrolled: n('enrolled'), duplicates: n('duplicate'), attacks: n('attack'), rejected: n('rejected'), failureToEnrolRate: list.length ? n('rejected') / list.length : null };
}

/**
 * The biometric monitors of `attempts` in live windows of `windowMs` from `from` to `to`, against
 * the reference window. A failure-to-enrol alert fires when a window's rate exceeds the
 * reference's by more than three binomial standard errors (at least 0.02).
 */
export function identityMonitor(attempts: readonly EnrolmentAttempt[], options: { reference: { start: number; end: number }; from: number; to: number; windowMs: number }): IdentityMonitorReport {
  const { reference, from, to, windowMs } = options;
  if (!(to > from) || !(windowMs > 0)) throw new IriskError('USAGE', 'the live period needs a start before its end and a positive window');
  const inRange = (a: EnrolmentAttempt, s: number, e: number): boolean => a.time >= s && a.time < e;
  const ref = summarise(attempts.filter((a) => inRange(a, reference.start, reference.end)), reference.start, reference.end);
  const windows: EnrolmentWindow[] = [];
  for (let s = from; s < to; s += windowMs) windows.push(summarise(attempts.filter((a) => inRange(a, s, Math.min(to, s + windowMs))), s, Math.min(to, s + windowMs)));
  const p = ref.failureToEnrolRate ?? 0;
  const failureToEnrol: EnrolmentAlert[] = [];
  windows.forEach((w, i) => {
    if (w.failureToEnrolRate === null || ref.attempts === 0) return;
    const limit = p + Math.max(0.02, 3 * Math.sqrt((p * (1 - p)) / w.attempts));
    if (w.failureToEnrolRate > limit) failureToEnrol.push({ window: i, start: w.start, failureToEnrolRate: w.failureToEnrolRate, referenceRate: p, limit });
  });
  const timed = attempts
    .filter((a) => inRange(a, reference.start, reference.end) || inRange(a, from, to))
    .map((a) => ({ time: a.time, values: Object.fromEntries(ENROLMENT_METRICS.map((m) => [m, a.metrics[m] ?? null])) }));
  const drift = ref.attempts > 0 ? windowedDrift(timed, { reference, liveStart: from, windowLength: windowMs, windows: windows.length, features: ENROLMENT_METRICS, minRecords: 20 }) : null;
  return { reference: ref, windows, drift, alerts: { failureToEnrol, drift: drift?.alerts ?? [] } };
}
