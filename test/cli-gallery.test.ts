/**
 * `irisk gallery enroll|search|stats|delete` on template files: the duplicate verdict with the
 * matching id, search listing, deletion, usage and input errors with their exit codes; and two
 * `irisk` processes enrolling one person at the same moment: exactly one succeeds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeTemplate, type IrisTemplate } from '../src/identity/iris/template.js';
import { genuineVariant, syntheticTemplate } from '../src/synth/templates/index.js';
import { cli } from './cli-harness.js';

const root = resolve(import.meta.dirname, '..');

describe('irisk gallery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irisk-cli-gallery-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, t: IrisTemplate): string => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(serializeTemplate(t)));
    return path;
  };
  const person = (i: number): [string, string] => [file(`p${i}-l`, syntheticTemplate(2 * i, { seed: 3 })), file(`p${i}-r`, syntheticTemplate(2 * i + 1, { seed: 3 }))];
  const again = (i: number, key: string): [string, string] => [
    file(`p${i}-l-${key}`, genuineVariant(syntheticTemplate(2 * i, { seed: 3 }), `${key}l`, { flipRate: 0.15, rotation: 3 })),
    file(`p${i}-r-${key}`, genuineVariant(syntheticTemplate(2 * i + 1, { seed: 3 }), `${key}r`, { flipRate: 0.15, rotation: -2 })),
  ];
  const data = join(dir, 'data');

  it('enrols, refuses a returning person with DUPLICATE and their id, searches, deletes', async () => {
    expect((await cli('gallery', 'stats', '--data-dir', data)).code).toBe(3);
    // Searching a folder with no gallery does not create one.
    expect((await cli('gallery', 'search', person(0)[0], '--data-dir', data)).code).toBe(3);
    expect((await cli('gallery', 'stats', '--data-dir', data)).code).toBe(3);
    for (let i = 0; i < 5; i++) {
      const r = await cli('gallery', 'enroll', '--person', `id${i}`, ...person(i), '--data-dir', data);
      expect(r.code, r.stderr).toBe(0);
    }
    const dup = await cli('gallery', 'enroll', '--person', 'new-account', ...again(3, 'a'), '--data-dir', data, '--json');
    expect(dup.code).toBe(3);
    expect(JSON.parse(dup.stdout).error).toMatchObject({ code: 'DUPLICATE', details: { personId: 'id3' } });
    const swapped = again(2, 'b').reverse();
    expect(JSON.parse((await cli('gallery', 'enroll', '--person', 'x', ...swapped, '--data-dir', data, '--json')).stdout).error.details).toMatchObject({ personId: 'id2', match: { mirrored: true } });
    expect((await cli('gallery', 'enroll', '--person', 'x', ...swapped, '--no-mirror', '--data-dir', data)).code).toBe(0);

    const search = await cli('gallery', 'search', again(1, 'c')[0], '--top', '3', '--data-dir', data, '--json');
    expect(search.code).toBe(0);
    const hits = JSON.parse(search.stdout).hits as { personId: string; match: boolean; enrolledEye: string }[];
    expect(hits).toHaveLength(3);
    expect(hits[0]).toMatchObject({ personId: 'id1', match: true, enrolledEye: 'left' });
    expect(hits.slice(1).every((h) => !h.match)).toBe(true);
    const human = await cli('gallery', 'search', ...again(1, 'd'), '--data-dir', data);
    expect(human.stdout).toContain('DUPLICATE of id1');

    expect((await cli('gallery', 'delete', 'id1', '--data-dir', data)).code).toBe(0);
    expect(JSON.parse((await cli('gallery', 'search', again(1, 'c')[0], '--data-dir', data, '--json')).stdout).hits[0].personId).not.toBe('id1');
    const stats = JSON.parse((await cli('gallery', 'stats', '--data-dir', data, '--json')).stdout);
    expect(stats).toMatchObject({ persons: 5, templates: 12, erasedSlots: 2, shape: { rows: 16, cols: 256, filters: 2 } });
  });

  it('bad input: exit 2 for usage, 3 for rejected input; the gallery is unchanged', async () => {
    const [l, r] = person(40);
    const expectCode = async (code: number, errorCode: string, ...args: string[]): Promise<void> => {
      const res = await cli('gallery', ...args, '--data-dir', data, '--json');
      expect(res.code, res.stdout + res.stderr).toBe(code);
      if (errorCode) expect(JSON.parse(res.stdout).error.code).toBe(errorCode);
    };
    await expectCode(2, 'USAGE', 'enroll', '--person', 'q', l, r, '--rule', 'xor');
    await expectCode(2, 'USAGE', 'enroll', '--person', 'q', l, r, '--threshold', '2');
    await expectCode(2, 'USAGE', 'search', l, '--top', '0');
    await expectCode(3, 'FILE_NOT_FOUND', 'enroll', '--person', 'q', l, join(dir, 'missing.json'));
    writeFileSync(join(dir, 'junk.json'), '{"iris_codes": 5}');
    await expectCode(3, 'TEMPLATE_INVALID', 'enroll', '--person', 'q', l, join(dir, 'junk.json'));
    await expectCode(3, 'TEMPLATE_INCOMPATIBLE', 'search', file('small', syntheticTemplate(1, { seed: 1, shape: { rows: 8, cols: 32, filters: 2 } })));
    await expectCode(3, 'PERSON_EXISTS', 'enroll', '--person', 'id0', l, r);
    await expectCode(3, 'PERSON_NOT_FOUND', 'delete', 'nobody');
    const help = await cli('gallery', 'enroll', '--help');
    expect(help.stdout).toContain('--person <id>');
    expect(JSON.parse((await cli('gallery', 'stats', '--data-dir', data, '--json')).stdout).persons).toBe(5);
  });

  it('two processes enrolling one person at the same moment: one succeeds, the other gets DUPLICATE naming it', async () => {
    const shared = join(dir, 'race');
    for (let i = 0; i < 3; i++) expect((await cli('gallery', 'enroll', '--person', `r${i}`, ...person(100 + i), '--data-dir', shared)).code).toBe(0);
    const enrol = (id: string, eyes: [string, string]): Promise<{ code: number | null; out: string }> =>
      new Promise((res) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/platform/cli/bin.ts'), 'gallery', 'enroll', '--person', id, ...eyes, '--data-dir', shared, '--json'], { cwd: root });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => res({ code, out }));
      });
    const [a, b] = await Promise.all([enrol('first', again(200, 'x')), enrol('second', again(200, 'y'))]);
    const codes = [a.code, b.code].sort();
    expect(codes, a.out + b.out).toEqual([0, 3]);
    const winner = a.code === 0 ? 'first' : 'second';
    const loser = JSON.parse((a.code === 0 ? b : a).out);
    expect(loser.error).toMatchObject({ code: 'DUPLICATE', details: { personId: winner } });
    expect(JSON.parse((await cli('gallery', 'stats', '--data-dir', shared, '--json')).stdout).persons).toBe(4);
  });
});
