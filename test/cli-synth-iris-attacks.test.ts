/**
 * `irisk synth iris --attacks ...`: option validation (exit 2 with the valid species listed),
 * a small world with attacks, and the dataset loader reading its species column.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadIrisDataset } from '../src/identity/iris/dataset.js';
import { cli } from './cli-harness.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-cli-attacks-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

const synth = (...args: string[]) => cli('synth', 'iris', '--out', join(dir, 'w'), '--subjects', '1', '--captures', '1', '--size', '160x128', ...args);

describe('irisk synth iris --attacks: usage errors exit 2', () => {
  it('names the unknown species and lists the valid ones', async () => {
    const r = await synth('--attacks', 'print,photo');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"photo"/);
    expect(r.stderr).toMatch(/print, screen, lens, prosthetic/);
  });

  it('rejects bad counts and counts without --attacks', async () => {
    expect((await synth('--attacks', 'print', '--attacks-per-eye', '0')).code).toBe(2);
    expect((await synth('--attacks', 'print', '--attacks-per-eye', 'two')).code).toBe(2);
    expect((await synth('--attacks-per-eye', '2')).code).toBe(2);
    expect((await synth('--attacks', 'print', '--prosthetics', '3')).code).toBe(2);
    expect((await synth('--attacks', 'prosthetic', '--prosthetics', '0')).code).toBe(2);
    expect((await synth('--attacks', '')).code).toBe(2);
  });

  it('describes the species in its help', async () => {
    const r = await cli('synth', 'iris', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--attacks <species>/);
    expect(r.stdout).toMatch(/prosthetic/);
  });
});

describe('irisk synth iris --attacks', () => {
  it('writes attack presentations beside the live captures', async () => {
    const out = join(dir, 'ok');
    const r = await cli(
      'synth', 'iris', '--out', out, '--subjects', '2', '--captures', '1', '--size', '200x160',
      '--attacks', 'prosthetic,print', '--attacks-per-eye', '2', '--prosthetics', '1', '--json',
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    // 2 subjects x 2 eyes: 4 live, 8 prints; 1 fake eye x 2 presentations.
    expect(summary).toMatchObject({ count: 14, bonaFideCount: 4, attackCount: 10 });
    const manifest = await readFile(join(out, 'manifest.csv'), 'utf8');
    expect(manifest.split('\n')[0]).toMatch(/,species,attack_params$/);
    expect(await loadIrisDataset(out)).toHaveLength(4);
    const all = await loadIrisDataset(out, { attacks: true });
    const counts: Record<string, number> = {};
    for (const i of all) counts[i.species] = (counts[i.species] ?? 0) + 1;
    expect(counts).toEqual({ bona_fide: 4, print: 8, prosthetic: 2 });
  });
});
