/**
 * `irisk models list|show|promote|retire|history` in-process against a temporary data directory:
 * JSON output, the audit trail, "what served at time T", and typed errors with exit code 3.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, sha256Hex, type ModelMetadataInput } from '../src/ml/registry/index.js';
import { cli } from './cli-harness.js';

let dir: string;
let v1: string;
let v2: string;
let pad: string;


/** `irisk models ...` against the test data directory. */
const models = (...args: string[]) => cli('models', ...args, '--data-dir', dir);
const json = async (...args: string[]) => {
  const r = await models(...args, '--json');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

function meta(name: string, over: Partial<ModelMetadataInput> = {}): ModelMetadataInput {
  return {
    name,
    kind: 'logistic',
    featureSchema: [{ name: 'x', type: 'number' }],
    trainingData: { fingerprint: sha256Hex(name), rows: 10 },
    params: { l2: 1 },
    metrics: { auc: 0.7 },
    codeVersion: '0.1.0',
    parent: null,
    ...over,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-cli-models-'));
  const reg = await openRegistry(dir, { user: 'trainer', clock: () => new Date('2024-01-01T00:00:00Z') });
  try {
    v1 = (await reg.register({ files: { 'model.json': '{"w":[1]}' }, metadata: meta('credit-default', { description: 'baseline' }) })).version.id;
    v2 = (await reg.register({ files: { 'model.json': '{"w":[2]}', 'calibration.json': '{"a":1}' }, metadata: meta('credit-default', { parent: v1 }) })).version.id;
    pad = (await reg.register({ files: { 'model.json': '{"w":[3]}' }, metadata: meta('pad') })).version.id;
  } finally {
    reg.close();
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('irisk models', () => {
  it('list: every version, or one line', async () => {
    const all = await json('list');
    expect(all.map((v: { id: string }) => v.id).sort()).toEqual([v1, v2, pad].sort());
    expect(all[0]).toMatchObject({ createdBy: 'trainer', aliases: [] });
    const credit = await json('list', '--name', 'credit-default');
    expect(credit.map((v: { id: string }) => v.id).sort()).toEqual([v1, v2].sort());
    const human = await models('list');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(v1.slice(0, 12));
    expect(human.stdout).toMatch(/ID\s+NAME\s+KIND/);
  });

  it('promote, show, history and history --at', async () => {
    const before = new Date();
    const p1 = await json('promote', v1.slice(0, 10), '--alias', 'champion', '--reason', 'first model', '--by', 'alice');
    expect(p1).toMatchObject({ name: 'credit-default', alias: 'champion', from: null, to: v1, reason: 'first model', actor: 'alice', changed: true });
    await new Promise((r) => setTimeout(r, 15));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 15));
    const p2 = await json('promote', v2, '--alias', 'champion', '--reason', 'retrained on March data');
    expect(p2).toMatchObject({ from: v1, to: v2, changed: true });
    expect(p2.actor.length).toBeGreaterThan(0);
    const again = await json('promote', 'credit-default@champion', '--alias', 'champion', '--reason', 'no-op');
    expect(again.changed).toBe(false);

    const shown = await json('show', 'credit-default@champion');
    expect(shown).toMatchObject({ id: v2, aliases: [{ alias: 'champion' }], integrity: { ok: true, problems: [] } });
    expect(shown.metadata.parent).toBe(v1);
    expect(shown.files.map((f: { name: string; size: number }) => [f.name, f.size])).toEqual([
      ['calibration.json', 7],
      ['model.json', 9],
    ]);
    const human = await models('show', 'champion');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(v2);
    expect(human.stdout).toMatch(/credit-default@champion/);
    expect(human.stdout).toMatch(/integrity ok/);

    const history = await json('history');
    expect(history.map((e: { from: string | null; to: string }) => [e.from, e.to])).toEqual([
      [null, v1],
      [v1, v2],
    ]);
    expect(await json('history', '--name', 'pad')).toEqual([]);

    const at = async (t: Date) => (await json('history', '--name', 'credit-default', '--alias', 'champion', '--at', t.toISOString()))[0].version;
    expect(await at(new Date(before.getTime() - 60_000))).toBeNull();
    expect(await at(between)).toBe(v1);
    expect(await at(new Date(Date.now() + 60_000))).toBe(v2);
    const everything = await json('history', '--at', new Date(Date.now() + 60_000).toISOString());
    expect(everything.map((r: { name: string; alias: string; version: string }) => [r.name, r.alias, r.version])).toEqual([['credit-default', 'champion', v2]]);
  });

  it('retire appends an event with no target', async () => {
    await json('promote', pad, '--alias', 'shadow', '--reason', 'try it');
    const r = await json('retire', 'pad@shadow', '--reason', 'done');
    expect(r).toMatchObject({ name: 'pad', alias: 'shadow', from: pad, to: null });
    const missing = await models('show', 'pad@shadow', '--json');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).error.code).toBe('MODEL_ALIAS_NOT_FOUND');
  });
});

describe('errors', () => {
  it('an unknown version exits 3 with MODEL_VERSION_NOT_FOUND', async () => {
    const unknown = v1.startsWith('0000') ? 'ffffffffffff' : '000000000000';
    const r = await models('show', unknown, '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'MODEL_VERSION_NOT_FOUND' });
    const human = await models('promote', unknown, '--alias', 'champion', '--reason', 'x');
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/MODEL_VERSION_NOT_FOUND/);
  });

  it('bad alias and empty reason exit 3 with REGISTRY_INVALID; missing --reason and a bad --at are usage errors', async () => {
    const bad = await models('promote', v1, '--alias', 'Champion!', '--reason', 'x', '--json');
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout).error.code).toBe('REGISTRY_INVALID');
    const empty = await models('promote', v1, '--alias', 'challenger', '--reason', ' ', '--json');
    expect(empty.code).toBe(3);
    expect(JSON.parse(empty.stdout).error.code).toBe('REGISTRY_INVALID');
    expect((await models('promote', v1, '--alias', 'challenger')).code).toBe(2);
    expect((await models('history', '--at', 'last march')).code).toBe(2);
    expect((await cli('models')).code).toBe(2);
    expect((await cli('models', 'history', '--help')).code).toBe(0);
  });
});
