/**
 * The drift page: the recorded decisions' span of time cut into equal windows, the first one the
 * reference; PSI of each feature and of the score in every later window (the six that moved most,
 * plotted), and the latest window's verdicts.
 */
import { readDecisions } from '../../credit/underwriting/decision-log.js';
import { decisionRecordValues } from '../../credit/underwriting/drift-report.js';
import { lineChartSvg } from '../../ml/evaluation/plots.js';
import { windowedDrift } from '../../ml/monitoring/windows.js';
import { esc, page, table } from './layout.js';

const WINDOWS = 10;
const MIN_DECISIONS = 50;

/** The drift page. */
export async function driftPage(dataDir: string): Promise<string> {
  const records = (await readDecisions(dataDir)).records.map(decisionRecordValues);
  if (records.length < MIN_DECISIONS) return page('Drift', '/drift', `<p class="muted">${records.length} decisions recorded; drift is shown from ${MIN_DECISIONS} on.</p>`);
  const times = records.map((r) => r.time);
  const start = Math.min(...times);
  const span = Math.max(...times) + 1 - start;
  const len = Math.max(1, Math.ceil(span / WINDOWS));
  const report = windowedDrift(records, { reference: { start, end: start + len }, windowLength: len, windows: WINDOWS - 1, minRecords: 20 });
  const tested = report.windows.filter((w) => w.tested);
  if (report.reference.records === 0 || tested.length === 0) return page('Drift', '/drift', '<p class="muted">not enough decisions in the windows yet.</p>');
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
  return page(
    'Drift',
    '/drift',
    `<p>${report.reference.records} decisions in the reference window; ${report.alerts.length} alerts over ${tested.length} windows.</p><div class="plot">${chart}</div>` +
      `<h2>Latest window (${esc(new Date(last.start).toISOString())}, ${last.records} decisions)</h2>${table(['feature', 'verdict', 'test', 'value', 'threshold', 'PSI', 'PSI band'], rows)}`,
  );
}
