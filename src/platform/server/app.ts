/**
 * The HTTP service (fastify): routes, API-key roles, problem+json errors, body limits, Prometheus
 * metrics and the OpenAPI document. `buildServer` wires it; `irisk serve` listens.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import type { ApiKey, Role, ServeConfig } from './config.js';
import { problem, problemOf, type Problem } from './problem.js';

/** A route's contract: who may call it and what its body must be (validated with zod, published in /openapi.json). */
export interface RouteSpec<B extends z.ZodType | undefined = undefined> {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  /** Roles any one of which admits the caller; none: public. */
  roles?: readonly Role[];
  body?: B;
  handler: (ctx: { body: B extends z.ZodType ? z.infer<B> : undefined; caller: ApiKey | null; request: FastifyRequest; reply: FastifyReply }) => Promise<unknown>;
}

/** What routes share: the config and the metrics registry. */
export interface ServerContext {
  readonly config: ServeConfig;
  readonly metrics: Registry;
}

/** A fastify app with the service's conventions; add routes with `route`, then `ready()`/`listen()`. */
export function buildServer(config: ServeConfig): { app: FastifyInstance; context: ServerContext; route: <B extends z.ZodType | undefined>(spec: RouteSpec<B>) => void } {
  const app = Fastify({ bodyLimit: config.bodyLimit, logger: false });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const requests = new Counter({ name: 'irisk_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [metrics] });
  const latency = new Histogram({
    name: 'irisk_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [metrics],
  });
  const specs: RouteSpec<z.ZodType | undefined>[] = [];

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, status: String(reply.statusCode) });
    latency.observe({ route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    let body: Problem;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') body = problem(413, 'BODY_TOO_LARGE', `the request body is larger than ${config.bodyLimit} bytes`);
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') body = problem(415, 'UNSUPPORTED_MEDIA_TYPE', error.message);
    else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 && !('details' in error)) body = problem(error.statusCode, 'USAGE', error.message);
    else body = problemOf(error);
    if (body.status === 500) process.stderr.write(`irisk serve: ${error.stack ?? error.message}\n`);
    void reply.status(body.status).type('application/problem+json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).type('application/problem+json').send(problem(404, 'NOT_FOUND', `no route ${request.method} ${request.url}`));
  });

  const route = <B extends z.ZodType | undefined>(spec: RouteSpec<B>): void => {
    specs.push(spec as unknown as RouteSpec<z.ZodType | undefined>);
    app.route({
      method: spec.method,
      url: spec.url,
      handler: async (request, reply) => {
        const caller = authenticate(config.apiKeys, request);
        if (spec.roles && spec.roles.length > 0) {
          if (!caller) return send(reply, problem(401, 'UNAUTHENTICATED', 'send an API key: Authorization: Bearer KEY (or X-API-Key: KEY)'));
          if (!spec.roles.some((r) => caller.roles.includes(r))) return send(reply, problem(403, 'FORBIDDEN', `this key may not call ${spec.method} ${spec.url} (needs role ${spec.roles.join(' or ')})`));
        }
        let body: unknown;
        if (spec.body) {
          const parsed = spec.body.safeParse(request.body);
          if (!parsed.success) {
            return send(reply, problem(400, 'USAGE', 'the request body is invalid', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }));
          }
          body = parsed.data;
        }
        return spec.handler({ body: body as never, caller, request, reply });
      },
    });
  };

  route({ method: 'GET', url: '/healthz', summary: 'Liveness: 200 when the service answers', handler: async () => ({ status: 'ok' }) });
  route({
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics (text format)',
    handler: async ({ reply }) => {
      void reply.type(metrics.contentType);
      return metrics.metrics();
    },
  });
  route({ method: 'GET', url: '/openapi.json', summary: 'This API as an OpenAPI 3.1 document', handler: async () => openApi(specs) });
  return { app, context: { config, metrics }, route };
}

function send(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.status(body.status).type('application/problem+json').send(body);
}

/** The key the request carries, when it is one of `keys` (compared in constant time); null otherwise. */
function authenticate(keys: readonly ApiKey[], request: FastifyRequest): ApiKey | null {
  const header = request.headers.authorization;
  const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : request.headers['x-api-key'];
  if (typeof given !== 'string' || given.length === 0) return null;
  const g = Buffer.from(given);
  for (const k of keys) {
    const b = Buffer.from(k.key);
    if (b.length === g.length && timingSafeEqual(b, g)) return k;
  }
  return null;
}

function openApi(specs: readonly RouteSpec<z.ZodType | undefined>[]): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const s of specs) {
    paths[s.url] ??= {};
    paths[s.url]![s.method.toLowerCase()] = {
      summary: s.summary,
      ...(s.roles && s.roles.length > 0 ? { security: [{ apiKey: [] }], 'x-roles': s.roles } : {}),
      ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(s.body, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: {
        '200': { description: 'OK' },
        default: { description: 'An error', content: { 'application/problem+json': { schema: { type: 'object', required: ['type', 'title', 'status', 'code', 'detail'] } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'irisk', version: '0.1.0', description: 'Identity (iris) and credit decisions' },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
