import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIriskError } from '../../lib/errors.js';
import { loadIrisDataset } from './dataset.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-dataset-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectInvalid(path: string, fragment: RegExp): Promise<void> {
  try {
    await loadIrisDataset(path);
    expect.unreachable('expected DATASET_INVALID');
  } catch (e) {
    expect(isIriskError(e, 'DATASET_INVALID')).toBe(true);
    expect((e as Error).message).toMatch(fragment);
  }
}

describe('iris datasets', () => {
  it('reads a manifest with ground truth; left and right eyes are different classes', async () => {
    const d = join(dir, 'm');
    await mkdir(d);
    await writeFile(
      join(d, 'manifest.csv'),
      'path,subject,eye,pupil_x,pupil_y,pupil_r,iris_x,iris_y,iris_r\na.png,7,L,10,11,5,10,11,20\nb.png,7,R,1,2,3,4,5,6\n',
    );
    const items = await loadIrisDataset(d);
    expect(items.map((i) => i.eyeClass)).toEqual(['7:L', '7:R']);
    expect(items.map((i) => i.species)).toEqual(['bona_fide', 'bona_fide']); // no species column: all live
    expect(items[0]!.truth).toEqual({ pupil: { x: 10, y: 11, r: 5 }, iris: { x: 10, y: 11, r: 20 } });
    expect(items[0]!.path).toBe(join(d, 'a.png'));
  });

  it('reads the species column: live eyes by default, attacks on request', async () => {
    const d = join(dir, 's');
    await mkdir(d);
    await writeFile(
      join(d, 'manifest.csv'),
      [
        'path,subject,eye,capture,species,attack_params',
        'a.png,1,L,1,bona_fide,',
        'b.png,1,L,2,,',
        'c.png,1,L,1,print,dot=round;pitch=3.1',
        'd.png,P1,R,1,prosthetic,style=spokes',
      ].join('\n') + '\n',
    );
    const live = await loadIrisDataset(d);
    expect(live.map((i) => `${i.name}:${i.species}`)).toEqual(['a.png:bona_fide', 'b.png:bona_fide']);
    const all = await loadIrisDataset(d, { attacks: true });
    expect(all.map((i) => `${i.eyeClass}:${i.species}`)).toEqual(['1:L:bona_fide', '1:L:bona_fide', '1:L:print', 'P1:R:prosthetic']);
  });

  it('reads one sub-folder per eye class', async () => {
    const d = join(dir, 'f');
    for (const c of ['p1', 'p2']) {
      await mkdir(join(d, c), { recursive: true });
      await writeFile(join(d, c, '1.png'), '');
      await writeFile(join(d, c, 'notes.txt'), '');
    }
    const items = await loadIrisDataset(d);
    expect(items.map((i) => `${i.eyeClass}/${i.name}`)).toEqual(['p1/p1/1.png', 'p2/p2/1.png']);
    expect(items.every((i) => i.species === 'bona_fide')).toBe(true);
  });

  it('rejects a missing folder, a manifest without columns, and an empty folder', async () => {
    await expectInvalid(join(dir, 'nope'), /not found/);
    const d = join(dir, 'bad');
    await mkdir(d);
    await writeFile(join(d, 'manifest.csv'), 'file,who\na.png,1\n');
    await expectInvalid(d, /"path" column/);
    const e = join(dir, 'empty');
    await mkdir(e);
    await expectInvalid(e, /neither a manifest/);
  });
});
