/**
 * The dashboard's routes, read-only HTML served by `irisk serve`: `/` (overview), `/models`,
 * `/drift`, `/errors` (the error gallery), and the report images under `/reports/K/...`. They need
 * no key: bind the service to a trusted interface (the default is 127.0.0.1).
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Gallery } from '../../identity/gallery/gallery.js';
import type { ModelRegistry } from '../../ml/registry/registry.js';
import { driftPage } from './drift.js';
import { errorsPage } from './errors.js';
import { modelsPage } from './models.js';
import { overviewPage } from './overview.js';

/** No script runs from a served file; no type sniffing. */
const SAFE_HEADERS = { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'x-content-type-options': 'nosniff' };

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml' };

/** Report folders: those given, then every folder under <data-dir>/reports holding a report.json. */
export function reportDirs(dataDir: string, given: readonly string[] = []): string[] {
  const root = join(dataDir, 'reports');
  const found = existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'report.json')))
        .map((d) => join(root, d.name))
        .sort()
    : [];
  return [...given.map((d) => resolve(d)), ...found.map((d) => resolve(d))];
}

/** Adds the dashboard to `app`. */
export function registerDashboard(app: FastifyInstance, deps: { dataDir: string; gallery: Gallery; registry: ModelRegistry; reports?: readonly string[] }): void {
  const html = (render: () => Promise<string>) => async (_req: unknown, reply: FastifyReply) => {
    reply.type('text/html; charset=utf-8').headers({ ...SAFE_HEADERS, 'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'" });
    return render();
  };
  app.get('/', html(() => overviewPage(deps.dataDir, deps.gallery)));
  app.get('/models', html(() => modelsPage(deps.registry, reportDirs(deps.dataDir, deps.reports))));
  app.get('/drift', html(() => driftPage(deps.dataDir)));
  app.get('/errors', html(() => errorsPage(reportDirs(deps.dataDir, deps.reports))));
  app.get('/reports/:k/*', async (request, reply) => {
    const { k, '*': rest } = request.params as { k: string; '*': string };
    const dirs = reportDirs(deps.dataDir, deps.reports);
    const dir = /^\d+$/.test(k) ? dirs[Number(k)] : undefined;
    const type = TYPES[extname(rest).toLowerCase()];
    if (!dir || !type) return reply.status(404).type('text/plain').send('not found');
    try {
      // Symbolic links resolved on both sides: a link inside a report must not lead out of it.
      const [root, file] = [await realpath(dir), await realpath(resolve(dir, rest))];
      if (!file.startsWith(root + sep)) return reply.status(404).type('text/plain').send('not found');
      return reply.type(type).headers(SAFE_HEADERS).send(await readFile(file));
    } catch {
      return reply.status(404).type('text/plain').send('not found');
    }
  });
}
