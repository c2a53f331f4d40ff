/**
 * `irisk demo --no-serve` builds the demo world `npm start` serves: a champion credit model and PAD
 * detector, enrolled persons, duplicates and attacks in the audit log, evaluation reports, credit
 * decisions; a second run finds it and does not rebuild; the dashboard serves it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Gallery } from '../src/identity/gallery/gallery.js';
import { openRegistry } from '../src/ml/registry/registry.js';
import { loadServeConfig } from '../src/platform/server/config.js';
import { createService } from '../src/platform/server/service.js';
import { cli } from './cli-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'irisk-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('irisk demo', () => {
  it('builds the demo world into an empty data directory, then finds it', async () => {
    const t0 = Date.now();
    const first = await cli('demo', '--no-serve', '--data-dir', dir);
    const buildSeconds = (Date.now() - t0) / 1000;
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('[9/9]');
    const out = { world: JSON.parse(readFileSync(join(dir, 'demo', 'world.json'), 'utf8')) as { identity: Record<string, number>; credit: { decisions: number } } };
    expect(buildSeconds).toBeLessThan(180);

    const registry = await openRegistry(dir);
    try {
      expect((await registry.resolve('credit-default@champion')).id).toMatch(/^[0-9a-f]{64}$/);
      expect((await registry.resolve('pad@champion')).id).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      registry.close();
    }

    const gallery = await Gallery.open(dir);
    try {
      expect(gallery.personIds().length).toBeGreaterThanOrEqual(10);
    } finally {
      await gallery.close();
    }

    const audit = readFileSync(join(dir, 'audit', 'audit.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; outcome: string; caller: string });
    const enrol = (outcome: string): number => audit.filter((r) => r.action === 'identity.enroll' && r.outcome === outcome).length;
    expect(enrol('enrolled')).toBeGreaterThanOrEqual(10);
    expect(enrol('duplicate')).toBeGreaterThanOrEqual(1);
    expect(enrol('attack')).toBeGreaterThanOrEqual(1);
    expect(audit.filter((r) => r.action === 'credit.decide').length).toBe(out.world.credit.decisions);
    expect(audit.every((r) => r.caller === 'demo-admin')).toBe(true);

    for (const r of ['credit', 'pad', 'iris']) expect(existsSync(join(dir, 'reports', r, 'report.json')), r).toBe(true);
    const serve = JSON.parse(readFileSync(join(dir, 'serve.json'), 'utf8')) as { port: number; apiKeys: { name: string; key: string; roles: string[] }[] };
    expect(serve.port).toBe(8080);
    expect(serve.apiKeys[0]!.roles).toEqual(['admin']);
    expect(serve.apiKeys[0]!.key.length).toBeGreaterThanOrEqual(32);

    const t1 = Date.now();
    const second = await cli('demo', '--no-serve', '--data-dir', dir, '--json');
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { built: boolean }).built).toBe(false);
    expect(Date.now() - t1).toBeLessThan(10_000);
    // The same key: serve.json is not rewritten.
    expect(JSON.parse(readFileSync(join(dir, 'serve.json'), 'utf8'))).toEqual(serve);
  });

  it('serves the world: the dashboard shows the traffic, the API answers with the generated key', async () => {
    const service = await createService(await loadServeConfig(dir, join(dir, 'serve.json')));
    try {
      expect(service.unavailable).toEqual([]);
      const key = (JSON.parse(readFileSync(join(dir, 'serve.json'), 'utf8')) as { apiKeys: { key: string }[] }).apiKeys[0]!.key;
      const decision = await service.app.inject({ method: 'POST', url: '/v1/credit/decisions', headers: { authorization: `Bearer ${key}` }, payload: { customerId: 'C0000001', amount: 1500 } });
      expect(decision.statusCode, decision.body).toBe(200);
      for (const url of ['/', '/models', '/drift', '/errors']) expect((await service.app.inject({ url })).statusCode, url).toBe(200);
      const drift = (await service.app.inject({ url: '/drift' })).body;
      expect(drift).toContain('decisions in the reference window');
      const errors = (await service.app.inject({ url: '/errors' })).body;
      expect(errors).toMatch(/pad/);
      expect(errors).toMatch(/iris/);
    } finally {
      await service.close();
    }
  });
});
