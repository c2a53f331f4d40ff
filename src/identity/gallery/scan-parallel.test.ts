/**
 * The scan on worker threads: the same results as one thread (one probe or several per pass, with
 * and without the cascade, more workers than templates), the kernel it runs named, and typed
 * failures: a job's own error, a kernel that cannot honour the options, a pool closed under a
 * pending scan. (A worker that dies under a scan: scan-parallel-exit.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_PARAMS, matchReference } from '../iris/matcher.js';
import { DEFAULT_SHAPE } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { DEFAULT_CASCADE } from './kernel.js';
import { GalleryLayout, templateCells } from './layout.js';
import { ParallelGalleryScanner } from './scan-parallel.js';
import { WasmGalleryScanner } from './scan-wasm.js';

describe('parallel gallery scan', () => {
  const templates = [...Array.from({ length: 7 }, (_, i) => syntheticTemplate(i, { seed: 21 })), genuineVariant(syntheticTemplate(0, { seed: 21 }), 'p', { flipRate: 0.2, rotation: -9 })];
  const gallery = new GalleryLayout(DEFAULT_SHAPE, 4);
  for (const t of templates) gallery.append(t);
  const single = new WasmGalleryScanner(3);
  const parallel = new ParallelGalleryScanner({ workers: 3, kernel: 'wasm' });
  afterAll(() => parallel.close());

  it('gives what one thread gives, reading the shared gallery in place, and names its kernel', async () => {
    expect(await parallel.ready()).toBe('wasm');
    expect(parallel.kernelName).toBe('wasm');
    expect(parallel.kernelFallback).toBeUndefined();
    const probe = templates[0]!;
    expect(await parallel.scan(gallery, probe)).toEqual(templates.map((t) => matchReference(probe, t)));
    for (const options of [{}, { cascade: 0.42 }, { cascadeStages: DEFAULT_CASCADE }]) {
      const many = await parallel.scanMany(gallery, templates.slice(0, 5), DEFAULT_MATCH_PARAMS, options);
      expect(many).toEqual(single.scanManyCells(gallery, templates.slice(0, 5).map(templateCells), DEFAULT_MATCH_PARAMS, options));
      expect(parallel.lastFullComparisons).toBe(single.lastFullComparisons);
    }
    const small = new GalleryLayout(DEFAULT_SHAPE, 1);
    small.append(probe); // fewer templates than workers
    expect(await parallel.scanMany(small, [probe, templates[1]!])).toEqual([[matchReference(probe, probe)], [matchReference(templates[1]!, probe)]]);
  }, 60_000);

  it('rejects a scan with a typed error and keeps working', async () => {
    await expect(parallel.scan(gallery, templates[0]!, DEFAULT_MATCH_PARAMS, { cascadeStages: [{ bands: 9, wordStep: 1, shiftStep: 1, ceiling: 0.4 }] })).rejects.toMatchObject({ code: 'USAGE' });
    expect(await parallel.scan(gallery, templates[1]!)).toHaveLength(templates.length);
  }, 60_000);

  it('"auto" runs the native kernel when it loads and says why not otherwise, with the same results', async () => {
    const auto = new ParallelGalleryScanner({ workers: 2 });
    try {
      const name = await auto.ready();
      expect(['native', 'wasm']).toContain(name);
      if (name === 'wasm') expect(auto.kernelFallback).toMatch(/native/);
      expect(await auto.scan(gallery, templates[2]!)).toEqual(single.scan(gallery, templates[2]!));
      // Both cascades, the first and the staged one, give every kernel's results.
      expect(await auto.scanMany(gallery, templates, DEFAULT_MATCH_PARAMS, { cascade: 0.42 })).toEqual(single.scanManyCells(gallery, templates.map(templateCells), DEFAULT_MATCH_PARAMS, { cascade: 0.42 }));
      expect(await auto.scan(gallery, templates[2]!, DEFAULT_MATCH_PARAMS, { cascadeStages: DEFAULT_CASCADE })).toEqual(single.scan(gallery, templates[2]!, DEFAULT_MATCH_PARAMS, { cascadeStages: DEFAULT_CASCADE }));
    } finally {
      await auto.close();
    }
  }, 60_000);

  it('rejects scans still waiting when the pool is closed, and any scan after', async () => {
    const pool = new ParallelGalleryScanner({ workers: 1, kernel: 'wasm' });
    await pool.ready();
    const pending = pool.scan(gallery, templates[0]!).catch((e: unknown) => e);
    await pool.close();
    expect(await pending).toMatchObject({ code: 'INTERNAL', details: { closed: true } });
    await expect(pool.scan(gallery, templates[0]!)).rejects.toMatchObject({ code: 'INTERNAL' });
  }, 60_000);

  it('refuses a pool without workers', () => {
    expect(() => new ParallelGalleryScanner({ workers: 0 })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
