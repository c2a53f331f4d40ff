/**
 * The drift page: the recorded decisions' span of time cut into equal windows, the first one the
 * reference; PSI of each feature and of the score in every later window (the six that moved most,
 * plotted), and the latest window's verdicts; then the biometric monitors over the audited
 * enrolment attempts.
 */
import { readDecisions } from '../../credit/underwriting/decision-log.js';
import { decisionRecordValues } from '../../credit/underwriting/drift-report.js';
import { lineChartSvg } from '../../ml/evaluation/plots.js';
import { windowedDrift } from '../../ml/monitoring/windows.js';
import { identityMonitor } from '../../identity/monitoring.js';
import { enrolmentAttempts, readAudit } from '../server/audit.js';
import { esc, page, table } from './layout.js';

const WINDOWS = 10;
const MIN_DECISIONS = 50;
const MIN_ATTEMPTS = 10;

/** Earliest and latest of many times (no spread: a call cannot take hundreds of thousands of arguments). */
function span(times: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return [lo, hi];
}

/** The drift page: credit decisions, then the biometric monitors. */
export async function driftPage(dataDir: string): Promise<string> {
  return page('Drift', '/drift', (await creditSection(dataDir)) + (await identitySection(dataDir)));
}

/**
 * Enrolment attempts over time (the audit log's span cut into ten windows, the first the
 * reference): failure to enrol, attacks and duplicates per window, and the drift of the
 * measurements (nearest enrolled eye, PAD score, quality) in the latest window.
 */
async function identitySection(dataDir: string): Promise<string> {
  const attempts = enrolmentAttempts(await readAudit(dataDir));
  const head = '<h2>Enrolments: failure to enrol, attacks, duplicates</h2>';
  if (attempts.length < MIN_ATTEMPTS) return `${head}<p class="muted">${attempts.length} enrolment attempts audited; the biometric monitors are shown from ${MIN_ATTEMPTS} on.</p>`;
  const [start, lastTime] = span(attempts.map((a) => a.time));
  const len = Math.max(1, Math.ceil((lastTime + 1 - start) / WINDOWS));
  const r = identityMonitor(attempts, { reference: { start, end: start + len }, from: start + len, to: start + WINDOWS * len, windowMs: len });
  const all = [r.reference, ...r.windows].filter((w) => w.attempts > 0);
  const share = (w: (typeof all)[number], n: number): number => n / w.attempts;
  const chart = lineChartSvg({
    title: 'Share of enrolment attempts per window',
    x: { label: 'window start (hours after the first attempt)' },
    y: { label: 'share of attempts', min: 0, format: 'percent' },
    series: [
      { name: 'failure to enrol', points: all.map((w) => [(w.start - start) / 3_600_000, share(w, w.rejected)] as const) },
      { name: 'attacks caught', points: all.map((w) => [(w.start - start) / 3_600_000, share(w, w.attacks)] as const) },
      { name: 'duplicates caught', points: all.map((w) => [(w.start - start) / 3_600_000, share(w, w.duplicates)] as const) },
    ],
    width: 900,
    height: 320,
  });
  const rows = all.map((w) => [esc(new Date(w.start).toISOString()), esc(w.attempts), esc(w.enrolled), esc(w.rejected), esc(w.attacks), esc(w.duplicates), esc(w.failureToEnrolRate === null ? '-' : `${(100 * w.failureToEnrolRate).toFixed(1)}%`)]);
  const alerts = [...r.alerts.failureToEnrol.map((a) => `failure to enrol ${(100 * a.failureToEnrolRate).toFixed(1)}% in the window from ${new Date(a.start).toISOString()} (limit ${(100 * a.limit).toFixed(1)}%)`), ...r.alerts.drift.map((a) => `${a.feature} drifted in the window from ${new Date(a.start).toISOString()} (${a.method} ${a.value.toPrecision(3)})`)];
  return `${head}<div class="plot">${chart}</div>${table(['window', 'attempts', 'enrolled', 'failed to enrol', 'attacks', 'duplicates', 'FTE rate'], rows)}<h3>Alerts</h3>${alerts.length ? `<ul>${alerts.map((a) => `<li class="drift">${esc(a)}</li>`).join('')}</ul>` : '<p class="muted">none</p>'}`;
}

/** The credit decisions' drift over time. */
async function creditSection(dataDir: string): Promise<string> {
  const records = (await readDecisions(dataDir)).records.map(decisionRecordValues);
  if (records.length < MIN_DECISIONS) return `<p class="muted">${records.length} decisions recorded; drift is shown from ${MIN_DECISIONS} on.</p>`;
  const [start, lastTime] = span(records.map((r) => r.time));
  const len = Math.max(1, Math.ceil((lastTime + 1 - start) / WINDOWS));
  const report = windowedDrift(records, { reference: { start, end: start + len }, windowLength: len, windows: WINDOWS - 1, minRecords: 20 });
  const tested = report.windows.filter((w) => w.tested);
  if (report.reference.records === 0 || tested.length === 0) return '<p class="muted">not enough decisions in the windows yet.</p>';
  const maxPsi = (f: string): number => Math.max(...tested.map((w) => w.features[f]?.psi ?? 0));
  const top = [...report.features].sort((a, b) => maxPsi(b) - maxPsi(a)).slice(0, 6);
  const chart = lineChartSvg({
    title: 'PSI against the first window (the six features that moved most)',
    x: { label: 'window start (hours after the first decision)' },
    y: { label: 'PSI', min: 0 },
    series: top.map((f) => ({ name: f, points: tested.map((w) => [(w.start - start) / 3_600_000, w.features[f]?.psi ?? 0] as const) })),
    width: 900,
    height: 360,
  });
  const last = tested[tested.length - 1]!;
  const rows = Object.entries(last.features)
    .filter(([, d]) => d.method !== null)
    .sort(([, a], [, b]) => (b.psi ?? 0) - (a.psi ?? 0))
    .map(([name, d]) => [esc(name), d.drifted ? '<span class="drift">DRIFT</span>' : 'ok', esc(d.method), esc(d.value!.toPrecision(3)), esc(d.threshold), esc(d.psi === null ? '-' : d.psi.toFixed(3)), esc(d.psiBand ?? '-')]);
  return (
    `<h2>Credit decisions</h2><p>${report.reference.records} decisions in the reference window; ${report.alerts.length} alerts over ${tested.length} windows.</p><div class="plot">${chart}</div>` +
    (last.records < 500 ? `<p class="muted">With ${last.records} decisions in a window, PSI runs high on sparse features (empty bins); the verdict column uses the tests, which account for sample size.</p>` : '') +
    `<h3>Latest window (${esc(new Date(last.start).toISOString())}, ${last.records} decisions)</h3>${table(['feature', 'verdict', 'test', 'value', 'threshold', 'PSI', 'PSI band'], rows)}`
  );
}
