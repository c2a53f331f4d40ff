/** The models page: every registered version, the aliases and their history (who moved what, when, why). */
import type { ModelRegistry } from '../../ml/registry/registry.js';
import { esc, page, table } from './layout.js';

const metric = (m: Record<string, unknown>, k: string): string => (typeof m[k] === 'number' ? (m[k] as number).toFixed(4) : '-');

/** The models page. */
export async function modelsPage(registry: ModelRegistry): Promise<string> {
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
      `<h2>Alias history (newest first)</h2>${events.length ? table(['when', 'line', 'alias', 'from', 'to', 'who', 'why'], events) : '<p class="muted">no alias moved yet</p>'}`,
  );
}
