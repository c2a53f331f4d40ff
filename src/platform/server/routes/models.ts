/**
 * The model registry over HTTP: `GET /v1/models` (versions and the aliases that point at them) and
 * `POST /v1/models/aliases` (move an alias, admin only; appended to the alias audit log with the
 * caller's key name as the actor).
 */
import { z } from 'zod';
import type { ModelRegistry } from '../../../ml/registry/registry.js';
import type { RouteSpec } from '../app.js';

const aliasBody = z
  .object({
    version: z.string().min(1).max(200),
    alias: z.string().min(1).max(64),
    reason: z.string().min(1).max(1000),
  })
  .strict();

/** The registry routes over an open registry. */
export function modelRoutes(registry: ModelRegistry): RouteSpec<z.ZodType>[] {
  return [
    {
      method: 'GET',
      url: '/v1/models',
      summary: 'Registered model versions (newest first) and the aliases pointing at them',
      roles: ['decide', 'enroll', 'admin'],
      handler: async () => {
        const [versions, aliases] = await Promise.all([registry.list(), registry.aliases()]);
        return {
          versions: versions.map((v) => ({ id: v.id, name: v.metadata.name, kind: v.metadata.kind, createdAt: v.metadata.createdAt, metrics: v.metadata.metrics, sizeBytes: v.sizeBytes })),
          aliases,
        };
      },
    },
    {
      method: 'POST',
      url: '/v1/models/aliases',
      summary: 'Point an alias of a model line at a version (e.g. promote a challenger to champion)',
      roles: ['admin'],
      body: aliasBody,
      handler: async ({ body, caller }) => {
        const b = body as z.infer<typeof aliasBody>;
        return registry.promote(b.version, b.alias, { reason: b.reason, actor: caller?.name ?? 'api' });
      },
    },
  ];
}
