/**
 * The HTTP service over real HTTP on loopback: health, metrics, OpenAPI; API keys and roles (401,
 * 403); problem+json for malformed JSON, wrong types (400), oversized bodies (413), unknown routes;
 * credit decisions with an audit record; event ingestion, idempotent, nothing stored from a
 * rejected request; registry listing and alias moves; enrolment exactly once, verification and
 * search with templates; and a fuzz run of 10,000 random bodies per
 * endpoint (through fastify's injector, the same routing and parsing without sockets): no 5xx.
 */
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/lib/rng.js';
import { countEvents, openEventStore } from '../src/credit/events/store.js';
import { loadServeConfig } from '../src/platform/server/config.js';
import { createService, type Service } from '../src/platform/server/service.js';
import { serializeTemplate } from '../src/identity/iris/template.js';
import { genuineVariant, syntheticTemplate } from '../src/synth/templates/index.js';
import { creditDataDir } from './service-world.js';

const DECIDE = 'decide-key-0123456789abcdef';
const ENROLL = 'enroll-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdefgh';

let dir: string;
let data: string;
let service: Service;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-serve-'));
  data = await creditDataDir(dir);
  process.env.IRISK_API_KEYS = `${DECIDE}:decide,${ENROLL}:enroll,${ADMIN}:admin`;
  const config = { ...(await loadServeConfig(data, undefined, { port: 0 })), bodyLimit: 64 * 1024 };
  delete process.env.IRISK_API_KEYS;
  service = await createService(config);
  base = await service.app.listen({ host: '127.0.0.1', port: 0 });
}, 240_000);

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, key?: string, raw = false): Promise<Response> =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: raw ? (body as string) : JSON.stringify(body),
  });

describe('irisk serve', () => {
  it('answers health, metrics and its OpenAPI document without a key', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.paths['/v1/credit/decisions']!.post!.requestBody).toBeDefined();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('irisk_http_requests_total');
    expect(metrics).toContain('irisk_http_request_duration_seconds_bucket');
  });

  it('401 without a key or with an unknown one, 403 for a key without the role', async () => {
    const body = { customerId: 'C0000007', amount: 500 };
    const none = await post('/v1/credit/decisions', body);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await none.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    expect((await post('/v1/credit/decisions', body, 'not-a-key-0123456789')).status).toBe(401);
    const wrongRole = await post('/v1/credit/decisions', body, ENROLL);
    expect(wrongRole.status).toBe(403);
    expect(((await wrongRole.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect((await post('/v1/models/aliases', { version: 'x', alias: 'a', reason: 'r' }, DECIDE)).status).toBe(403);
  });

  it('decides with reasons, and audits the decision', async () => {
    const res = await post('/v1/credit/decisions', { customerId: 'C0000007', amount: 700, asOf: '2024-12-01T00:00:00Z' }, DECIDE);
    expect(res.status).toBe(200);
    const d = (await res.json()) as { decisionId: string; decision: string; probability: number; reasons: unknown[]; asOf: string };
    expect(['approve', 'reduce', 'decline']).toContain(d.decision);
    expect(d.probability).toBeGreaterThan(0);
    expect(d.probability).toBeLessThan(1);
    expect(d.asOf).toBe('2024-12-01T00:00:00.000Z');
    if (d.decision !== 'approve') expect(d.reasons.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    const audit = (await readFile(join(data, 'audit', 'audit.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.find((a) => a.ref === d.decisionId)).toMatchObject({ action: 'credit.decide', caller: 'key-1', subject: 'C0000007', outcome: d.decision });
  });

  it('problem+json for malformed JSON, wrong types, unknown fields, oversized bodies and unknown routes', async () => {
    const malformed = await post('/v1/credit/decisions', '{"customerId": ', DECIDE, true);
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const wrongType = await post('/v1/credit/decisions', { customerId: 7, amount: 'lots' }, DECIDE);
    expect(wrongType.status).toBe(400);
    const problem = (await wrongType.json()) as { code: string; details: { issues: { path: string }[] } };
    expect(problem.code).toBe('USAGE');
    expect(problem.details.issues.map((i) => i.path).sort()).toEqual(['amount', 'customerId']);
    expect((await post('/v1/credit/decisions', { customerId: 'C1', amount: 5, extra: true }, DECIDE)).status).toBe(400);
    expect((await post('/v1/credit/decisions', { customerId: 'C1', amount: -5 }, DECIDE)).status).toBe(400);
    const big = await post('/v1/credit/decisions', { customerId: 'x'.repeat(100_000), amount: 1 }, DECIDE);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('BODY_TOO_LARGE');
    const missing = await fetch(`${base}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('ingests events idempotently, lists rejected ones, and stores nothing from a rejected request', async () => {
    const db = await openEventStore(data);
    const before = await countEvents(db);
    db.close();
    const event = (id: string) => ({ eventId: id, customerId: 'C0000007', type: 'purchase', eventTime: '2024-11-30T10:00:00Z', amount: 12.5, merchantCategory: 'grocery', channel: 'online' });
    const first = await post('/v1/credit/events', { events: [event('api-1'), event('api-2'), { eventId: 'bad', type: 'purchase' }] }, DECIDE);
    const body = (await first.json()) as { inserted: number; duplicates: number; rejected: { index: number }[] };
    expect(first.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ inserted: 2, duplicates: 0 });
    expect(body.rejected.map((r) => r.index)).toEqual([2]);
    expect(await ((await post('/v1/credit/events', { events: [event('api-1')] }, DECIDE)).json())).toMatchObject({ inserted: 0, duplicates: 1 });
    expect((await post('/v1/credit/events', { events: [event('api-3')], more: 1 }, DECIDE)).status).toBe(400);
    expect((await post('/v1/credit/events', { events: [{ eventId: 'x' }] }, DECIDE)).status).toBe(422);
    const after = await openEventStore(data);
    expect(await countEvents(after)).toBe(before + 2);
    after.close();
  });

  it('reports drift of the recorded decisions at /v1/monitoring/drift', async () => {
    const url = (q: string) => fetch(`${base}/v1/monitoring/drift?${q}`, { headers: { authorization: `Bearer ${DECIDE}` } });
    for (const [i, month] of [10, 11].entries()) {
      for (let c = 1; c <= 40; c++) await post('/v1/credit/decisions', { customerId: `C${String(c + 40 * i).padStart(7, '0')}`, amount: 600, asOf: new Date(Date.UTC(2024, month, 2)).toISOString() }, DECIDE);
    }
    const ok = await url('from=2024-12-01T00:00:00Z&to=2025-01-01T00:00:00Z');
    expect(ok.status).toBe(200);
    const report = (await ok.json()) as { reference: { records: number }; windows: { records: number; features: Record<string, unknown> }[] };
    expect(report.reference.records).toBeGreaterThanOrEqual(40);
    expect(report.windows[0]!.records).toBeGreaterThanOrEqual(40);
    expect(Object.keys(report.windows[0]!.features)).toContain('score');
    expect((await url('from=yesterday&to=2025-01-01T00:00:00Z')).status).toBe(400);
    // A report of millions of windows is refused, not computed.
    expect((await url('from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z&window=1m')).status).toBe(400);
    expect((await url('from=2020-12-01T00:00:00Z&to=2021-01-01T00:00:00Z')).status).toBe(422);
    expect((await fetch(`${base}/v1/monitoring/drift?from=2024-12-01T00:00:00Z&to=2025-01-01T00:00:00Z`)).status).toBe(401);
  });

  it('lists models and moves an alias (admin only), with the key name as the actor', async () => {
    const list = (await (await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${DECIDE}` } })).json()) as { versions: { id: string }[]; aliases: { alias: string; version: string }[] };
    const champion = list.aliases.find((a) => a.alias === 'champion')!;
    expect(list.versions.map((v) => v.id)).toContain(champion.version);
    const moved = await post('/v1/models/aliases', { version: champion.version, alias: 'challenger', reason: 'shadow test' }, ADMIN);
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ changed: true });
    const bad = await post('/v1/models/aliases', { version: 'no-such-version', alias: 'challenger', reason: 'x' }, ADMIN);
    expect(bad.status).toBe(404);
  });

  it('enrols templates exactly once (409 DUPLICATE names who), verifies, searches; images need a PAD model', async () => {
    const eye = (i: number, variant?: string) => {
      const t = syntheticTemplate(i, { seed: 12 });
      return { template: serializeTemplate(variant ? genuineVariant(t, variant, { flipRate: 0.12, rotation: 2 }) : t) };
    };
    const enrol = (personId: string, l: unknown, r: unknown, key = ENROLL) => post('/v1/identity/enroll', { personId, left: l, right: r }, key);
    expect((await enrol('ann', eye(0), eye(1))).status).toBe(200);
    expect((await enrol('bob', eye(2), eye(3))).status).toBe(200);
    const dup = await enrol('ann-again', eye(0, 'a'), eye(1, 'b'));
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ code: 'DUPLICATE', details: { personId: 'ann' } });
    expect((await enrol('x', eye(4), eye(5), DECIDE)).status).toBe(403);
    await new Promise((r) => setTimeout(r, 50));
    const audited = (await readFile(join(data, 'audit', 'audit.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { subject: string; outcome: string; metrics?: { nearestDistance?: number | null } });
    // The best impostor at enrolment is monitored: bob's nearest enrolled eye is ann's, far away.
    expect(audited.find((a) => a.subject === 'bob')!.metrics!.nearestDistance).toBeGreaterThan(0.4);
    expect(audited.find((a) => a.subject === 'ann-again')).toMatchObject({ outcome: 'duplicate' });
    const verify = (await (await post('/v1/identity/verify', { personId: 'bob', eye: eye(3, 'c') }, ENROLL)).json()) as { match: boolean; enrolledEye: string };
    expect(verify).toMatchObject({ match: true, enrolledEye: 'right' });
    expect(((await (await post('/v1/identity/verify', { personId: 'bob', eye: eye(0, 'd') }, ENROLL)).json()) as { match: boolean }).match).toBe(false);
    expect((await post('/v1/identity/verify', { personId: 'nobody', eye: eye(0) }, ENROLL)).status).toBe(404);
    const search = (await (await post('/v1/identity/search', { eye: eye(0, 'e'), top: 2 }, ENROLL)).json()) as { hits: { personId: string; match: boolean }[] };
    expect(search.hits.map((h) => [h.personId, h.match])).toEqual([['ann', true], ['bob', false]]);
    const image = await post('/v1/identity/enroll', { personId: 'img', left: { image: 'aGVsbG8=' }, right: { image: 'aGVsbG8=' } }, ENROLL);
    expect(image.status).toBe(503);
    expect((await post('/v1/identity/enroll', { personId: 'bad', left: { template: { iris_codes: 5 } }, right: eye(6) }, ENROLL)).status).toBe(422);
  });

  it('fuzz: 10,000 random bodies per endpoint give no 5xx, and store no event they were not told they stored', async () => {
    const rng = new Rng(20261207);
    const atoms = (): unknown => rng.pick([null, true, 0, -1, 1e308, 'C0000007', '', 'x'.repeat(300), '2024-12-01T00:00:00Z', 'not a date', [], {}, NaN]);
    const value = (depth: number): unknown => {
      if (depth > 2 || rng.chance(0.5)) return atoms();
      if (rng.chance(0.5)) return Array.from({ length: rng.int(0, 3) }, () => value(depth + 1));
      const keys = ['customerId', 'amount', 'asOf', 'events', 'eventId', 'type', 'eventTime', 'version', 'alias', 'reason', 'personId', 'left', 'right', 'eye', 'image', 'template', 'top', 'zz'];
      return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.pick(keys), value(depth + 1)]));
    };
    const db = await openEventStore(data);
    const before = await countEvents(db);
    db.close();
    let reportedInserted = 0;
    let enrolled = 0;
    const galleryBytes = async (): Promise<number> => (await stat(join(data, 'gallery', 'templates.bin'))).size;
    const bytesBefore = await galleryBytes();
    for (const [url, key] of [['/v1/credit/decisions', DECIDE], ['/v1/credit/events', DECIDE], ['/v1/models/aliases', ADMIN], ['/v1/identity/enroll', ENROLL], ['/v1/identity/verify', ENROLL], ['/v1/identity/search', ENROLL]] as const) {
      const statuses = new Map<number, number>();
      for (let i = 0; i < 10_000; i++) {
        const raw = rng.chance(0.1) ? String.fromCharCode(...Array.from({ length: rng.int(0, 40) }, () => rng.int(0, 255))) : JSON.stringify(value(0)) ?? 'null';
        const res = await service.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, payload: raw });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (url === '/v1/credit/events' && res.statusCode === 200) reportedInserted += (res.json() as { inserted: number }).inserted;
        if (url === '/v1/identity/enroll' && res.statusCode === 200) enrolled++;
      }
      expect([...statuses.keys()].filter((s) => s >= 500), `${url}: ${JSON.stringify([...statuses])}`).toEqual([]);
    }
    const after = await openEventStore(data);
    expect(await countEvents(after)).toBe(before + reportedInserted);
    after.close();
    // Nor a template: the gallery file grew by exactly the enrolments that succeeded (none, from random bodies).
    expect(enrolled).toBe(0);
    expect(await galleryBytes()).toBe(bytesBefore);
  });

  it('serves the dashboard: overview, models, drift and the error gallery with its images, and no file outside a report', async () => {
    const reportDir = join(data, 'reports', 'pad-eval');
    await mkdir(join(reportDir, 'errors'), { recursive: true });
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).png().toBuffer();
    await writeFile(join(reportDir, 'errors', '001-eye.png'), png);
    await writeFile(join(reportDir, 'report.json'), JSON.stringify({ errors: { passedAttacks: [{ name: 'eye.png', species: 'lens', score: 0.2, threshold: 0.5, image: 'errors/001-eye.png' }], rejectedBonafide: [] } }));
    const get = async (path: string) => {
      const r = await fetch(base + path);
      return { status: r.status, type: r.headers.get('content-type') ?? '', text: r.status === 200 && (r.headers.get('content-type') ?? '').startsWith('text') ? await r.text() : '' };
    };
    const overview = await get('/');
    expect(overview.status).toBe(200);
    expect(overview.type).toMatch(/text\/html/);
    expect(overview.text).toContain('<svg');
    expect(overview.text).toMatch(/credit decisions/);
    expect((await get('/models')).text).toContain('champion');
    const drift = await get('/drift');
    expect(drift.text).toContain('<svg');
    expect(drift.text).toContain('score');
    const errors = await get('/errors');
    expect(errors.text).toContain('Missed attacks: 1');
    const src = /<img src="([^"]+)"/.exec(errors.text)![1]!;
    const img = await fetch(base + src);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer())).toEqual(png);
    expect((await get('/reports/0/..%2F..%2Faudit%2Faudit.ndjson')).status).toBe(404);
    expect((await get('/reports/0/report.json')).status).toBe(404);
    // A link inside a report that leads out of it is not followed.
    await symlink(join(data, 'audit', 'audit.ndjson'), join(reportDir, 'errors', 'leak.png'));
    expect((await get('/reports/0/errors/leak.png')).status).toBe(404);
    expect(img.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('/reports/9/errors/001-eye.png')).status).toBe(404);
  });
});
