/** The overview page: decisions per minute, approval rate, enrolments, duplicates and attacks caught. */
import { readDecisions } from '../../credit/underwriting/decision-log.js';
import type { Gallery } from '../../identity/gallery/gallery.js';
import { lineChartSvg } from '../../ml/evaluation/plots.js';
import { readAudit } from '../server/audit.js';
import { cards, page } from './layout.js';

/** The overview page at `now`. */
export async function overviewPage(dataDir: string, gallery: Gallery, now = Date.now()): Promise<string> {
  const { records } = await readDecisions(dataDir);
  const audit = await readAudit(dataDir);
  const approved = records.filter((r) => r.decision === 'approve').length;
  const hourAgo = now - 3_600_000;
  const perMinute = new Array<number>(60).fill(0);
  for (const r of records) {
    const t = Date.parse(r.decidedAt);
    if (t >= hourAgo && t <= now) perMinute[Math.min(59, Math.floor((t - hourAgo) / 60_000))]!++;
  }
  const count = (action: string, outcome: string): number => audit.filter((a) => a.action === action && a.outcome === outcome).length;
  const chart = lineChartSvg({
    title: 'Credit decisions per minute, last hour',
    x: { label: 'minutes ago' },
    y: { label: 'decisions per minute', min: 0 },
    series: [{ name: 'decisions', points: perMinute.map((n, i) => [i - 59, n] as const) }],
    width: 900,
    height: 320,
  });
  return page(
    'Overview',
    '/',
    cards([
      ['credit decisions', records.length],
      ['approval rate', records.length ? `${((100 * approved) / records.length).toFixed(1)}%` : '-'],
      ['decisions, last hour', perMinute.reduce((a, b) => a + b, 0)],
      ['persons enrolled', gallery.stats().persons],
      ['enrolments', count('identity.enroll', 'enrolled')],
      ['duplicates caught', count('identity.enroll', 'duplicate')],
      ['attacks caught', count('identity.enroll', 'attack')],
    ]) + `<h2>Traffic</h2><div class="plot">${chart}</div>`,
  );
}
