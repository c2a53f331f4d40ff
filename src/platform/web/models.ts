/** The models page: every registered version, the plots of its evaluation reports, the aliases and their history (who moved what, when, why). */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ModelRegistry } from '../../ml/registry/registry.js';
import { esc, page, table } from './layout.js';

const metric = (m: Record<string, unknown>, k: string): string => (typeof m[k] === 'number' ? (m[k] as number).toFixed(4) : '-');

/**
 * Each evaluation report's plots (ROC, calibration, DET: the SVG files at its top level), under the
 * model version it describes when it names one, marked when that version is a champion.
 */
async function reportPlots(reports: readonly string[], champions: ReadonlySet<string>): Promise<string> {
  const parts: string[] = [];
  for (const [k, dir] of reports.entries()) {
    let plots: string[];
    let version: string | null = null;
    try {
      plots = (await readdir(dir)).filter((f) => f.endsWith('.svg')).sort();
      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { model?: { version?: unknown } };
      if (typeof report.model?.version === 'string') version = report.model.version;
    } catch {
      continue;
    }
    if (plots.length === 0) continue;
    const label = version ? ` (version <code>${esc(version.slice(0, 12))}</code>${champions.has(version) ? ', the champion' : ''})` : '';
    parts.push(`<h3>${esc(basename(dir))}${label}</h3><div class="gallery">${plots.map((f) => `<figure style="width:420px"><img src="/reports/${k}/${encodeURIComponent(f)}" alt="${esc(f)}"><figcaption>${esc(f)}</figcaption></figure>`).join('')}</div>`);
  }
  return parts.length ? `<h2>Evaluation plots</h2>${parts.join('')}` : '';
}

/** The models page, with the plots of the evaluation reports in `reports`. */
export async function modelsPage(registry: ModelRegistry, reports: readonly string[] = []): Promise<string> {
  const [versions, aliases, history] = await Promise.all([registry.list(), registry.aliases(), registry.history()]);
  const aliasOf = new Map<string, string[]>();
  for (const a of aliases) aliasOf.set(a.version, [...(aliasOf.get(a.version) ?? []), a.alias]);
  const rows = versions.map((v) => [
    esc(v.metadata.name),
    `<code>${esc(v.id.slice(0, 12))}</code>`,
    esc((aliasOf.get(v.id) ?? []).join(', ')),
    esc(v.metadata.kind),
    esc(v.metadata.createdAt),
    metric(v.metadata.metrics, 'auc'),
    metric(v.metadata.metrics, 'ece'),
    esc(`${Math.round(v.sizeBytes / 1024)} kB`),
  ]);
  const events = history.slice(-50).reverse().map((e) => [esc(e.at), esc(e.name), esc(e.alias), `<code>${esc((e.from ?? '-').slice(0, 12))}</code>`, `<code>${esc((e.to ?? 'retired').slice(0, 12))}</code>`, esc(e.actor), esc(e.reason)]);
  return page(
    'Models',
    '/models',
    `<h2>Versions</h2>${rows.length ? table(['line', 'version', 'aliases', 'kind', 'registered', 'AUC', 'ECE', 'size'], rows) : '<p class="muted">no model registered yet</p>'}` +
      (await reportPlots(reports, new Set(aliases.filter((a) => a.alias === 'champion').map((a) => a.version)))) +
      `<h2>Alias history (newest first)</h2>${events.length ? table(['when', 'line', 'alias', 'from', 'to', 'who', 'why'], events) : '<p class="muted">no alias moved yet</p>'}`,
  );
}
