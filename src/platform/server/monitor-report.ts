/**
 * One monitoring report over a data directory, as `irisk monitor report` prints it and
 * `GET /v1/monitoring/drift` returns it: credit decision drift and the biometric monitors of
 * enrolment attempts over a live period against a reference window; every alert is logged.
 */
import { IriskError } from '../../lib/errors.js';
import { readDecisions } from '../../credit/underwriting/decision-log.js';
import { decisionDrift } from '../../credit/underwriting/drift-report.js';
import { identityMonitor, type IdentityMonitorReport } from '../../identity/monitoring.js';
import { logAlerts, type AlertRecord } from './alerts.js';
import { enrolmentAttempts, readAudit } from './audit.js';

/** Most live windows one report computes (each costs a pass over the period's records). */
export const MAX_WINDOWS = 1000;

/** What to compare (epoch ms; windows [start, end)). */
export interface MonitorReportOptions {
  from: number;
  to: number;
  reference?: { start: number; end: number };
  windowMs?: number;
}

/** The report: the credit part (null without recorded decisions) and the identity part (null without audited enrolments). */
export type MonitorReport = { credit: ReturnType<typeof decisionDrift> | null; identity: IdentityMonitorReport | null; newAlertsLogged: number };

/** Builds the report and logs its alerts (DATASET_INVALID when there is nothing to monitor). */
export async function monitorReport(dataDir: string, o: MonitorReportOptions): Promise<MonitorReport> {
  if (!(Number.isFinite(o.from) && Number.isFinite(o.to) && o.to > o.from)) throw new IriskError('USAGE', 'the live period needs a start before its end');
  const reference = o.reference ?? { start: o.from - (o.to - o.from), end: o.from };
  const windowMs = o.windowMs ?? o.to - o.from;
  if (!(windowMs > 0) || (o.to - o.from) / windowMs > MAX_WINDOWS) throw new IriskError('USAGE', `at most ${MAX_WINDOWS} windows per report: lengthen the window or shorten the period`);
  const attempts = enrolmentAttempts(await readAudit(dataDir));
  const identity = attempts.length === 0 ? null : identityMonitor(attempts, { reference, from: o.from, to: o.to, windowMs });
  const { records } = await readDecisions(dataDir);
  const hasDecisions = records.length > 0;
  if (!hasDecisions && !identity) throw new IriskError('DATASET_INVALID', `nothing to monitor in ${dataDir}: no recorded decision and no audited enrolment`);
  const credit = hasDecisions ? decisionDrift(records, { from: o.from, to: o.to, reference, windowMs }) : null;
  const iso = (t: number): string => new Date(t).toISOString();
  const alerts: AlertRecord[] = [
    ...(credit?.alerts ?? []).map((a) => ({ kind: 'credit.drift', subject: a.feature, windowStart: iso(a.start), detail: `${a.method} ${a.value.toPrecision(3)} (threshold ${a.threshold})` })),
    ...(identity?.alerts.drift ?? []).map((a) => ({ kind: 'identity.drift', subject: a.feature, windowStart: iso(a.start), detail: `${a.method} ${a.value.toPrecision(3)} (threshold ${a.threshold})` })),
    ...(identity?.alerts.failureToEnrol ?? []).map((a) => ({ kind: 'identity.failure_to_enrol', subject: 'failureToEnrolRate', windowStart: iso(a.start), detail: `${(100 * a.failureToEnrolRate).toFixed(1)}% > ${(100 * a.limit).toFixed(1)}%` })),
  ];
  return { credit, identity, newAlertsLogged: await logAlerts(dataDir, alerts) };
}
