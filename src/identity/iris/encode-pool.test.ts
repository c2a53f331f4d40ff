import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../lib/image.js';
import { renderCapture } from '../../synth/iris/index.js';
import { DEFAULT_PIPELINE_CONFIG } from './config.js';
import { encodeFiles } from './encode-pool.js';

let dir: string;
const paths: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-pool-'));
  for (let c = 1; c <= 3; c++) {
    const p = join(dir, `eye${c}.png`);
    await writeFile(p, await encodePng(renderCapture({ subjects: 1, captures: 3, seed: 8 }, 1, 'L', c).image));
    paths.push(p);
  }
  const bad = join(dir, 'bad.png');
  await writeFile(bad, 'not an image');
  paths.push(bad);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('encoding pool', () => {
  it('worker threads give exactly the templates the calling thread gives, in input order', async () => {
    let ticks = 0;
    const inThread = await encodeFiles(paths, DEFAULT_PIPELINE_CONFIG, 1);
    const pooled = await encodeFiles(paths, DEFAULT_PIPELINE_CONFIG, 2, () => ticks++);
    expect(ticks).toBe(paths.length);
    expect(pooled.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      const a = inThread[i]!;
      const b = pooled[i]!;
      expect(a.ok && b.ok).toBe(true);
      if (a.ok && b.ok) {
        expect(Buffer.from(b.template.code).equals(Buffer.from(a.template.code))).toBe(true);
        expect(Buffer.from(b.template.mask).equals(Buffer.from(a.template.mask))).toBe(true);
        expect(b.pupil).toEqual(a.pupil);
      }
    }
    const bad = pooled[3]!;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.code).toBe('IMAGE_UNREADABLE');
  });
});
