/**
 * The model registry against temporary data directories: content addressing and idempotence,
 * references, the alias audit log and "what served at time T", validation that writes nothing,
 * read-only files with hash re-verification, crash repair, and reopening from disk.
 */
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../lib/duckdb.js';
import { IriskError } from '../../lib/errors.js';
import { databasePath, openRegistry, type ModelRegistry } from './registry.js';
import { sha256Hex, validateMetadata, versionId, type ModelMetadataInput } from './metadata.js';

let dataDir: string;
let reg: ModelRegistry;
let now: Date;
const clock = (): Date => now;
const T = (iso: string): Date => new Date(iso);

function meta(over: Partial<ModelMetadataInput> = {}): ModelMetadataInput {
  return {
    name: 'credit-default',
    kind: 'xgboost',
    featureSchema: [
      { name: 'income', type: 'number' },
      { name: 'utilisation', type: 'number' },
    ],
    trainingData: { fingerprint: sha256Hex('training rows'), rows: 1000, source: 'synth:credit:seed=1' },
    params: { maxDepth: 4, eta: 0.1 },
    metrics: { auc: 0.81 },
    codeVersion: '0.1.0+git.0123456789ab',
    parent: null,
    ...over,
  };
}

const files = (model = '{"trees":[1,2,3]}'): Record<string, string | Uint8Array> => ({ 'model.json': model, 'calibration.json': new Uint8Array([1, 2, 3, 4]) });

async function open(): Promise<ModelRegistry> {
  return openRegistry(dataDir, { clock, user: 'tester' });
}

async function errorOf(p: Promise<unknown>): Promise<IriskError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof IriskError)) throw new Error(`expected an IriskError, got ${e === null ? 'success' : String(e)}`);
  return e;
}

/** Every path under the data directory (except the database file) with its size, and the row counts of both tables. */
async function snapshot(): Promise<{ files: string[]; versions: number; events: number }> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out.push(relative(dataDir, p) + '/');
        await walk(p);
      } else if (!e.name.startsWith('irisk.duckdb')) out.push(`${relative(dataDir, p)} ${(await stat(p)).size}`);
    }
  };
  await walk(dataDir);
  reg.close();
  const db = await openDatabase(databasePath(dataDir));
  const versions = Number((await db.one('SELECT count(*) AS n FROM model_versions'))!.n);
  const events = Number((await db.one('SELECT count(*) AS n FROM alias_events'))!.n);
  db.close();
  reg = await open();
  return { files: out.sort(), versions, events };
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'irisk-registry-'));
  now = T('2024-01-10T09:00:00Z');
  reg = await open();
});
afterEach(async () => {
  reg.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('register', () => {
  it('stores files and metadata under models/<id>, read-only, and indexes them', async () => {
    const { version, created } = await reg.register({ files: files(), metadata: meta({ description: 'first' }) });
    expect(created).toBe(true);
    expect(version.id).toMatch(/^[0-9a-f]{64}$/);
    expect(version.dir).toBe(join(dataDir, 'models', version.id));
    expect((await readdir(version.dir)).sort()).toEqual(['calibration.json', 'metadata.json', 'model.json']);
    for (const f of await readdir(version.dir)) expect((await stat(join(version.dir, f))).mode & 0o222).toBe(0);
    expect(version.files.map((f) => [f.name, f.size])).toEqual([
      ['calibration.json', 4],
      ['model.json', 17],
    ]);
    expect(version.sizeBytes).toBe(21);
    expect(version.metadata).toMatchObject({ name: 'credit-default', createdAt: '2024-01-10T09:00:00.000Z', createdBy: 'tester', description: 'first' });
    expect((await reg.readFile(version.id, 'model.json')).toString()).toBe('{"trees":[1,2,3]}');
    expect([...(await reg.readFile(version.id, 'calibration.json'))]).toEqual([1, 2, 3, 4]);
    const record = JSON.parse(await readFile(join(version.dir, 'metadata.json'), 'utf8'));
    expect(record).toMatchObject({ id: version.id, metadata: version.metadata });
    expect(await reg.get(version.id)).toEqual(version);
    expect(await reg.verify(version.id)).toEqual({ id: version.id, ok: true, problems: [] });
  });

  it('is idempotent: identical content returns the existing version (created: false, original createdAt)', async () => {
    const first = await reg.register({ files: files(), metadata: meta() });
    now = T('2024-02-01T00:00:00Z');
    const again = await reg.register({ files: { 'calibration.json': new Uint8Array([1, 2, 3, 4]), 'model.json': '{"trees":[1,2,3]}' }, metadata: { ...meta({ params: { eta: 0.1, maxDepth: 4 } }), createdBy: 'someone-else' } });
    expect(again.created).toBe(false);
    expect(again.repaired).toBeUndefined();
    expect(again.version).toEqual(first.version);
    expect(again.version.metadata.createdAt).toBe('2024-01-10T09:00:00.000Z');
    expect(await reg.list()).toHaveLength(1);
  });

  it('gives a new id when any content changes', async () => {
    const base = (await reg.register({ files: files(), metadata: meta() })).version.id;
    const ids = [
      (await reg.register({ files: files('{"trees":[1,2,4]}'), metadata: meta() })).version.id,
      (await reg.register({ files: { 'model.json': '{"trees":[1,2,3]}' }, metadata: meta() })).version.id,
      (await reg.register({ files: files(), metadata: meta({ params: { maxDepth: 5, eta: 0.1 } }) })).version.id,
      (await reg.register({ files: files(), metadata: meta({ metrics: { auc: 0.82 } }) })).version.id,
      (await reg.register({ files: files(), metadata: meta({ parent: base }) })).version.id,
    ];
    expect(new Set([base, ...ids]).size).toBe(6);
    expect((await reg.list()).map((v) => v.id).sort()).toEqual([base, ...ids].sort());
    expect((await reg.get(ids[4]!)).metadata.parent).toBe(base);
  });

  it('lists by model line, oldest first', async () => {
    const a = (await reg.register({ files: files(), metadata: meta() })).version.id;
    now = T('2024-01-11T00:00:00Z');
    const p = (await reg.register({ files: files(), metadata: meta({ name: 'pad', kind: 'logistic' }) })).version.id;
    now = T('2024-01-12T00:00:00Z');
    const b = (await reg.register({ files: files('{}'), metadata: meta() })).version.id;
    expect((await reg.list()).map((v) => v.id)).toEqual([a, p, b]);
    expect((await reg.list({ name: 'credit-default' })).map((v) => v.id)).toEqual([a, b]);
    expect((await reg.list({ name: 'pad' })).map((v) => v.id)).toEqual([p]);
    expect(await reg.list({ name: 'nope' })).toEqual([]);
  });
});

describe('bad input writes nothing', () => {
  beforeEach(async () => {
    const v = (await reg.register({ files: files(), metadata: meta() })).version;
    await reg.promote(v.id, 'champion', { reason: 'first model' });
  });

  const badRegistrations: [string, () => { files: Record<string, string | Uint8Array>; metadata: ModelMetadataInput }, string][] = [
    ['missing kind', () => ({ files: files('x'), metadata: { ...meta(), kind: undefined as never } }), 'REGISTRY_INVALID'],
    ['bad fingerprint', () => ({ files: files('x'), metadata: meta({ trainingData: { fingerprint: 'nope', rows: 1 } }) }), 'REGISTRY_INVALID'],
    ['non-finite metric', () => ({ files: files('x'), metadata: meta({ metrics: { auc: Infinity } }) }), 'REGISTRY_INVALID'],
    ['unknown metadata field', () => ({ files: files('x'), metadata: { ...meta(), oops: true } as never }), 'REGISTRY_INVALID'],
    ['file in a subdirectory', () => ({ files: { 'a/model.json': 'x' }, metadata: meta() }), 'REGISTRY_INVALID'],
    ['path traversal', () => ({ files: { '../model.json': 'x' }, metadata: meta() }), 'REGISTRY_INVALID'],
    ['hidden file', () => ({ files: { '.model': 'x' }, metadata: meta() }), 'REGISTRY_INVALID'],
    ['a file named metadata.json', () => ({ files: { 'metadata.json': 'x' }, metadata: meta() }), 'REGISTRY_INVALID'],
    ['no files', () => ({ files: {}, metadata: meta() }), 'REGISTRY_INVALID'],
    ['content not bytes or text', () => ({ files: { 'model.json': 5 as never }, metadata: meta() }), 'REGISTRY_INVALID'],
    ['unknown parent', () => ({ files: files('x'), metadata: meta({ parent: 'f'.repeat(64) }) }), 'MODEL_VERSION_NOT_FOUND'],
  ];
  for (const [what, input, code] of badRegistrations) {
    it(`register: ${what} -> ${code}`, async () => {
      const before = await snapshot();
      expect((await errorOf(reg.register(input()))).code).toBe(code);
      expect(await snapshot()).toEqual(before);
    });
  }

  const badPromotions: [string, string, string, string][] = [
    ['upper-case alias', 'Champion', 'ok', 'REGISTRY_INVALID'],
    ['alias starting with a digit', '1st', 'ok', 'REGISTRY_INVALID'],
    ['alias that reads as an id prefix', 'deadbeef', 'ok', 'REGISTRY_INVALID'],
    ['alias with a space', 'new champ', 'ok', 'REGISTRY_INVALID'],
    ['empty reason', 'challenger', '', 'REGISTRY_INVALID'],
    ['blank reason', 'challenger', '   ', 'REGISTRY_INVALID'],
  ];
  for (const [what, alias, reason, code] of badPromotions) {
    it(`promote: ${what} -> ${code}`, async () => {
      const id = (await reg.list())[0]!.id;
      const before = await snapshot();
      expect((await errorOf(reg.promote(id, alias, { reason })))).toMatchObject({ code });
      expect(await snapshot()).toEqual(before);
    });
  }

  it('promote: unknown version, empty actor; retire: unset alias, empty reason', async () => {
    const id = (await reg.list())[0]!.id;
    const before = await snapshot();
    expect((await errorOf(reg.promote('0000000000', 'champion', { reason: 'x' }))).code).toBe('MODEL_VERSION_NOT_FOUND');
    expect((await errorOf(reg.promote(id, 'challenger', { reason: 'x', actor: '' }))).code).toBe('REGISTRY_INVALID');
    expect((await errorOf(reg.unsetAlias('credit-default', 'challenger', { reason: 'x' }))).code).toBe('MODEL_ALIAS_NOT_FOUND');
    expect((await errorOf(reg.unsetAlias('credit-default', 'champion', { reason: '' }))).code).toBe('REGISTRY_INVALID');
    expect(await snapshot()).toEqual(before);
  });
});

describe('references', () => {
  it('resolves full ids, prefixes (any case), NAME@ALIAS and bare aliases', async () => {
    const v = (await reg.register({ files: files(), metadata: meta() })).version;
    const p = (await reg.register({ files: files(), metadata: meta({ name: 'pad' }) })).version;
    await reg.promote(v.id, 'champion', { reason: 'r' });
    await reg.promote(p.id, 'shadow', { reason: 'r' });
    expect((await reg.resolve(v.id)).id).toBe(v.id);
    expect((await reg.resolve(v.id.slice(0, 8))).id).toBe(v.id);
    expect((await reg.resolve(v.id.slice(0, 20).toUpperCase())).id).toBe(v.id);
    expect((await reg.resolve('credit-default@champion')).id).toBe(v.id);
    expect((await reg.resolve('pad@shadow')).id).toBe(p.id);
    expect((await reg.resolve('champion')).id).toBe(v.id);
    expect((await reg.resolve(' shadow ')).id).toBe(p.id);
    expect(await reg.resolveId('champion')).toBe(v.id);
  });

  it('types every failure', async () => {
    const v = (await reg.register({ files: files(), metadata: meta() })).version;
    const p = (await reg.register({ files: files(), metadata: meta({ name: 'pad' }) })).version;
    await reg.promote(v.id, 'champion', { reason: 'r' });
    await reg.promote(p.id, 'champion', { reason: 'r' });
    const ambiguous = await errorOf(reg.resolve('champion'));
    expect(ambiguous.code).toBe('MODEL_REF_AMBIGUOUS');
    expect(ambiguous.details.candidates).toEqual(['credit-default@champion', 'pad@champion']);
    expect((await errorOf(reg.resolve('credit-default@challenger'))).code).toBe('MODEL_ALIAS_NOT_FOUND');
    expect((await errorOf(reg.resolve('nobody@champion'))).code).toBe('MODEL_ALIAS_NOT_FOUND');
    expect((await errorOf(reg.resolve('challenger'))).code).toBe('MODEL_ALIAS_NOT_FOUND');
    const unknown = 'f'.repeat(64) === v.id ? 'e'.repeat(12) : 'f'.repeat(12);
    expect((await errorOf(reg.resolve(unknown))).code).toBe('MODEL_VERSION_NOT_FOUND');
    expect((await errorOf(reg.get(unknown))).code).toBe('MODEL_VERSION_NOT_FOUND');
    expect((await errorOf(reg.resolve('1234abc'))).code).toBe('REGISTRY_INVALID'); // too short to be a prefix, not an alias
    expect((await errorOf(reg.resolve('a@b@c'))).code).toBe('REGISTRY_INVALID');
    expect((await errorOf(reg.resolve(''))).code).toBe('REGISTRY_INVALID');
    await reg.unsetAlias('pad', 'champion', { reason: 'retired' });
    expect((await reg.resolve('champion')).id).toBe(v.id); // only one line has it now
    const retired = await errorOf(reg.resolve('pad@champion'));
    expect(retired.code).toBe('MODEL_ALIAS_NOT_FOUND');
    expect(retired.message).toMatch(/retired/);
  });

  it('reports an ambiguous prefix with its candidates, and resolves a longer one', async () => {
    // Find two parameter sets whose version ids share their first 8 hex digits (a birthday search, ~1e5 hashes).
    const fileEntries = Object.entries(files()).map(([name, c]) => ({ name, sha256: sha256Hex(c) }));
    const base = validateMetadata(meta(), { now, user: 'tester' });
    const seen = new Map<string, number>();
    let pair: [number, number] | null = null;
    for (let i = 0; i < 2_000_000 && !pair; i++) {
      const prefix = versionId(fileEntries, { ...base, params: { seed: i } }).slice(0, 8);
      const j = seen.get(prefix);
      if (j !== undefined) pair = [j, i];
      else seen.set(prefix, i);
    }
    expect(pair).not.toBeNull();
    const [a, b] = await Promise.all(pair!.map(async (seed) => (await reg.register({ files: files(), metadata: meta({ params: { seed } }) })).version.id));
    expect(a!.slice(0, 8)).toBe(b!.slice(0, 8));
    const e = await errorOf(reg.resolve(a!.slice(0, 8)));
    expect(e.code).toBe('MODEL_REF_AMBIGUOUS');
    expect((e.details.candidates as string[]).sort()).toEqual([a, b].sort());
    let n = 8;
    while (a![n] === b![n]) n++;
    expect((await reg.resolve(a!.slice(0, n + 1))).id).toBe(a);
    expect((await reg.resolve(b!.slice(0, n + 1))).id).toBe(b);
  });
});

describe('aliases and their history', () => {
  it('promote appends events; aliases() is the current state; history() the log', async () => {
    const v1 = (await reg.register({ files: files('1'), metadata: meta() })).version.id;
    const v2 = (await reg.register({ files: files('2'), metadata: meta({ parent: v1 }) })).version.id;
    now = T('2024-02-01T00:00:00Z');
    const e1 = await reg.promote(v1, 'champion', { reason: 'first model', actor: 'alice' });
    expect(e1).toEqual({ changed: true, event: { seq: e1.event.seq, name: 'credit-default', alias: 'champion', from: null, to: v1, at: '2024-02-01T00:00:00.000Z', reason: 'first model', actor: 'alice' } });
    now = T('2024-02-02T00:00:00Z');
    await reg.promote(v2.slice(0, 10), 'challenger', { reason: 'shadow traffic' });
    now = T('2024-02-03T00:00:00Z');
    const e3 = await reg.promote('credit-default@challenger', 'champion', { reason: 'better AUC on holdout', actor: 'bob' });
    expect(e3.event).toMatchObject({ from: v1, to: v2, actor: 'bob' });
    // Promoting to the current target records nothing.
    now = T('2024-02-04T00:00:00Z');
    const same = await reg.promote(v2, 'champion', { reason: 'again' });
    expect(same).toEqual({ changed: false, event: e3.event });
    expect(await reg.aliases()).toEqual([
      { name: 'credit-default', alias: 'challenger', version: v2, since: '2024-02-02T00:00:00.000Z', seq: expect.any(Number) },
      { name: 'credit-default', alias: 'champion', version: v2, since: '2024-02-03T00:00:00.000Z', seq: e3.event.seq },
    ]);
    const retired = await reg.unsetAlias('credit-default', 'challenger', { reason: 'promoted', actor: 'bob' });
    expect(retired.event).toMatchObject({ from: v2, to: null, at: '2024-02-04T00:00:00.000Z' });
    expect((await reg.aliases('credit-default')).map((a) => a.alias)).toEqual(['champion']);
    expect(await reg.aliases('pad')).toEqual([]);
    const log = await reg.history();
    expect(log.map((e) => [e.alias, e.from, e.to, e.reason])).toEqual([
      ['champion', null, v1, 'first model'],
      ['challenger', null, v2, 'shadow traffic'],
      ['champion', v1, v2, 'better AUC on holdout'],
      ['challenger', v2, null, 'promoted'],
    ]);
    expect(log.map((e) => e.seq)).toEqual([...log.map((e) => e.seq)].sort((a, b) => a - b));
    expect((await reg.history({ alias: 'champion' })).map((e) => e.to)).toEqual([v1, v2]);
    expect(await reg.history({ name: 'pad' })).toEqual([]);
  });

  it('aliasAt answers before the first event, between events, at an event, after a retire, and after a re-promotion', async () => {
    const v1 = (await reg.register({ files: files('1'), metadata: meta() })).version.id;
    const v2 = (await reg.register({ files: files('2'), metadata: meta() })).version.id;
    const v3 = (await reg.register({ files: files('3'), metadata: meta() })).version.id;
    now = T('2024-03-01T00:00:00Z');
    await reg.promote(v1, 'champion', { reason: 'launch' });
    now = T('2024-03-10T12:00:00Z');
    await reg.promote(v2, 'champion', { reason: 'retrained' });
    now = T('2024-03-20T00:00:00Z');
    await reg.unsetAlias('credit-default', 'champion', { reason: 'incident: score drift' });
    now = T('2024-04-01T00:00:00Z');
    await reg.promote(v3, 'champion', { reason: 'fixed' });

    const at = async (iso: string): Promise<string | null> => (await reg.aliasAt('credit-default', 'champion', T(iso))).version;
    const before = await reg.aliasAt('credit-default', 'champion', T('2024-02-28T00:00:00Z'));
    expect(before).toEqual({ name: 'credit-default', alias: 'champion', at: '2024-02-28T00:00:00.000Z', version: null, event: null });
    expect(await at('2024-03-01T00:00:00Z')).toBe(v1); // an event is in effect at its own time
    expect(await at('2024-03-05T00:00:00Z')).toBe(v1);
    expect(await at('2024-03-10T11:59:59.999Z')).toBe(v1);
    expect(await at('2024-03-10T12:00:00Z')).toBe(v2);
    expect(await at('2024-03-15T00:00:00Z')).toBe(v2);
    const retired = await reg.aliasAt('credit-default', 'champion', T('2024-03-25T00:00:00Z'));
    expect(retired.version).toBeNull();
    expect(retired.event).toMatchObject({ to: null, from: v2, reason: 'incident: score drift' });
    expect(await at('2024-04-02T00:00:00Z')).toBe(v3);
    expect(await at('2030-01-01T00:00:00Z')).toBe(v3);
    expect((await reg.aliasAt('credit-default', 'challenger', T('2030-01-01T00:00:00Z'))).event).toBeNull();
    expect((await reg.aliasAt('pad', 'champion', T('2030-01-01T00:00:00Z'))).version).toBeNull();

    const all = await reg.aliasesAt(T('2024-03-15T00:00:00Z'));
    expect(all.map((r) => [r.name, r.alias, r.version])).toEqual([['credit-default', 'champion', v2]]);
    expect(await reg.aliasesAt(T('2024-01-01T00:00:00Z'))).toEqual([]);
    expect((await reg.aliasesAt(T('2024-03-25T00:00:00Z'), { alias: 'champion' }))[0]!.version).toBeNull();
  });

  it('refuses an event earlier than the last one of the same alias', async () => {
    const v1 = (await reg.register({ files: files('1'), metadata: meta() })).version.id;
    const v2 = (await reg.register({ files: files('2'), metadata: meta() })).version.id;
    now = T('2024-03-10T00:00:00Z');
    await reg.promote(v1, 'champion', { reason: 'a' });
    now = T('2024-03-09T00:00:00Z');
    const before = await snapshot();
    expect((await errorOf(reg.promote(v2, 'champion', { reason: 'b' }))).code).toBe('REGISTRY_INVALID');
    expect(await snapshot()).toEqual(before);
    // Another alias has its own timeline.
    await reg.promote(v2, 'challenger', { reason: 'b' });
  });
});

describe('integrity and recovery', () => {
  it('re-verifies file hashes on read: a tampered file is REGISTRY_CORRUPT; registering the same content repairs it', async () => {
    const v = (await reg.register({ files: files(), metadata: meta() })).version;
    const path = join(v.dir, 'model.json');
    await chmod(path, 0o644);
    await writeFile(path, '{"trees":[9,9,9]}');
    const e = await errorOf(reg.readFile(v.id, 'model.json'));
    expect(e.code).toBe('REGISTRY_CORRUPT');
    expect(e.details).toMatchObject({ id: v.id, file: 'model.json', expected: v.files.find((f) => f.name === 'model.json')!.sha256 });
    const check = await reg.verify(v.id);
    expect(check.ok).toBe(false);
    expect(check.problems.join()).toMatch(/model.json/);
    expect((await reg.readFile(v.id, 'calibration.json')).length).toBe(4);
    expect((await errorOf(reg.readFile(v.id, 'nope.json'))).code).toBe('REGISTRY_INVALID');

    const again = await reg.register({ files: files(), metadata: meta() });
    expect(again).toMatchObject({ created: false, repaired: true });
    expect((await reg.readFile(v.id, 'model.json')).toString()).toBe('{"trees":[1,2,3]}');
    expect((await reg.verify(v.id)).ok).toBe(true);
    expect(await readdir(join(dataDir, 'models', '.corrupt'))).toHaveLength(1);
  });

  it('a deleted file is REGISTRY_CORRUPT too', async () => {
    const v = (await reg.register({ files: files(), metadata: meta() })).version;
    await rm(join(v.dir, 'calibration.json'));
    expect((await errorOf(reg.readFile(v.id, 'calibration.json'))).code).toBe('REGISTRY_CORRUPT');
  });

  it('completes a registration interrupted between the directory and the index, keeping its original record', async () => {
    const v = (await reg.register({ files: files(), metadata: meta() })).version;
    // A second data directory holding the version's directory but no index row: the crash case.
    const other = await mkdtemp(join(tmpdir(), 'irisk-registry-crash-'));
    try {
      await mkdir(join(other, 'models'), { recursive: true });
      await cp(v.dir, join(other, 'models', v.id), { recursive: true });
      const reg2 = await openRegistry(other, { clock: () => T('2025-01-01T00:00:00Z'), user: 'later' });
      try {
        expect(await reg2.list()).toEqual([]);
        const r = await reg2.register({ files: files(), metadata: meta() });
        expect(r).toMatchObject({ created: true, repaired: true });
        expect(r.version.id).toBe(v.id);
        expect(r.version.metadata.createdAt).toBe('2024-01-10T09:00:00.000Z');
        expect(r.version.metadata.createdBy).toBe('tester');
        expect((await reg2.verify(v.id)).ok).toBe(true);
        expect((await reg2.register({ files: files(), metadata: meta() })).created).toBe(false);
      } finally {
        reg2.close();
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('sets aside a damaged unindexed directory and writes the version afresh', async () => {
    const m = validateMetadata(meta(), { now, user: 'tester' });
    const id = versionId(Object.entries(files()).map(([name, c]) => ({ name, sha256: sha256Hex(c) })), m);
    await mkdir(join(dataDir, 'models', id));
    await writeFile(join(dataDir, 'models', id, 'model.json'), 'half-written');
    const r = await reg.register({ files: files(), metadata: meta() });
    expect(r).toMatchObject({ created: true, repaired: true });
    expect(r.version.id).toBe(id);
    expect((await reg.verify(id)).ok).toBe(true);
    expect(await readdir(join(dataDir, 'models', '.corrupt'))).toHaveLength(1);
  });

  it('removes temporary directories left by a crash when it opens', async () => {
    await mkdir(join(dataDir, 'models', '.tmp-999999999-crashed'));
    await writeFile(join(dataDir, 'models', '.tmp-999999999-crashed', 'model.json'), 'x');
    reg.close();
    reg = await open();
    expect(existsSync(join(dataDir, 'models', '.tmp-999999999-crashed'))).toBe(false);
  });

  it('reopens from disk with the same state', async () => {
    const v1 = (await reg.register({ files: files('1'), metadata: meta() })).version;
    const v2 = (await reg.register({ files: files('2'), metadata: meta({ parent: v1.id }) })).version;
    now = T('2024-03-01T00:00:00Z');
    await reg.promote(v1.id, 'champion', { reason: 'launch' });
    now = T('2024-03-02T00:00:00Z');
    await reg.promote(v2.id, 'champion', { reason: 'retrain' });
    const state = { list: await reg.list(), aliases: await reg.aliases(), history: await reg.history() };
    reg.close();
    reg = await open();
    expect({ list: await reg.list(), aliases: await reg.aliases(), history: await reg.history() }).toEqual(state);
    expect((await reg.aliasAt('credit-default', 'champion', T('2024-03-01T12:00:00Z'))).version).toBe(v1.id);
    expect((await reg.readFile(v2.id, 'model.json')).toString()).toBe('2');
    // New events continue the sequence.
    now = T('2024-03-03T00:00:00Z');
    const e = await reg.promote(v1.id, 'champion', { reason: 'rollback' });
    expect(e.event.seq).toBeGreaterThan(state.history.at(-1)!.seq);
  });

  it('shares the database with a second handle in the same process', async () => {
    const other = await open();
    try {
      const v = (await reg.register({ files: files(), metadata: meta() })).version;
      expect((await other.list()).map((x) => x.id)).toEqual([v.id]);
      await other.promote(v.id, 'champion', { reason: 'from the other handle' });
      expect((await reg.resolve('champion')).id).toBe(v.id);
      expect((await other.register({ files: files(), metadata: meta() })).created).toBe(false);
    } finally {
      other.close();
    }
    expect(await reg.list()).toHaveLength(1); // still open after the other handle closed
  });

  it('STORE_UNAVAILABLE naming the database file when the data directory is unusable', async () => {
    await writeFile(join(dataDir, 'blocker'), 'x');
    const e = await errorOf(openRegistry(join(dataDir, 'blocker')));
    expect(e.code).toBe('STORE_UNAVAILABLE');
    expect(e.message).toContain(join(dataDir, 'blocker', 'irisk.duckdb'));
  });
});

describe('the audit log is append-only', () => {
  it('no registry code updates or deletes alias_events', async () => {
    const here = new URL('.', import.meta.url).pathname;
    const sources = (await readdir(here)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(3);
    for (const f of sources) {
      const text = await readFile(join(here, f), 'utf8');
      expect(text, f).not.toMatch(/\bUPDATE\s+alias_events\b|\bDELETE\s+FROM\s+alias_events\b|\bTRUNCATE\b|\bDROP\s+TABLE\b/i);
    }
  });
});
