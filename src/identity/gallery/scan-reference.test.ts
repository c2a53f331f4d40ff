/**
 * The gallery layout and the whole-gallery scans (plain TypeScript, WebAssembly, WebAssembly on
 * worker threads): one call returns, for
 * every template, exactly what the reference matcher returns for that pair, on synthetic
 * templates, genuine variants and adversarial ones (empty and full masks, all-zero and all-one
 * codes), at every rotation count.
 */
import { describe, expect, it } from 'vitest';
import { IriskError } from '../../lib/errors.js';
import { DEFAULT_MATCH_PARAMS, matchReference } from '../iris/matcher.js';
import { DEFAULT_SHAPE, templateBits, TEMPLATE_VERSION, type IrisTemplate } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { GalleryLayout } from './layout.js';
import { scanReference } from './scan-reference.js';
import { WasmGalleryScanner } from './scan-wasm.js';
import { ParallelGalleryScanner } from './scan-parallel.js';

const n = templateBits(DEFAULT_SHAPE);
const filled = (code: number, mask: number): IrisTemplate => ({ ...DEFAULT_SHAPE, code: new Uint8Array(n).fill(code), mask: new Uint8Array(n).fill(mask), version: TEMPLATE_VERSION });

describe('gallery scans', () => {
  const templates = [
    ...Array.from({ length: 6 }, (_, i) => syntheticTemplate(i, { seed: 2 })),
    genuineVariant(syntheticTemplate(0, { seed: 2 }), 'g', { flipRate: 0.1, rotation: 4 }),
    filled(0, 1),
    filled(1, 1),
    filled(1, 0),
    filled(0, 0),
  ];
  const gallery = new GalleryLayout(DEFAULT_SHAPE, 2); // grows past its capacity
  for (const t of templates) gallery.append(t);

  for (const rotations of [0, 1, 15]) {
    it(`equals the reference matcher for every pair (rotations ${rotations})`, () => {
      const params = { ...DEFAULT_MATCH_PARAMS, rotations };
      const wasm = new WasmGalleryScanner(rotations === 1 ? 4 : undefined); // 4: chunks of 4, 4 and 3 templates
      for (const probe of templates) {
        const expected = templates.map((t) => matchReference(probe, t, params));
        expect(scanReference(gallery, probe, params)).toEqual(expected);
        expect(wasm.scan(gallery, probe, params)).toEqual(expected);
      }
    });
  }

  it('gives the same results on worker threads reading the shared gallery in place', async () => {
    const parallel = new ParallelGalleryScanner(3);
    try {
      for (const probe of templates.slice(5, 9)) expect(await parallel.scan(gallery, probe)).toEqual(templates.map((t) => matchReference(probe, t)));
      const single = new WasmGalleryScanner();
      expect(await parallel.scan(gallery, templates[0]!, DEFAULT_MATCH_PARAMS, { cascade: 0.42 })).toEqual(single.scan(gallery, templates[0]!, DEFAULT_MATCH_PARAMS, { cascade: 0.42 }));
      const small = new GalleryLayout(DEFAULT_SHAPE, 1);
      small.append(templates[0]!); // fewer templates than workers
      expect(await parallel.scan(small, templates[0]!)).toEqual([matchReference(templates[0]!, templates[0]!)]);
    } finally {
      await parallel.close();
    }
  }, 60_000);

  it('finds a genuine variant at its rotation', () => {
    const [best] = scanReference(gallery, templates[6]!).slice(0, 1);
    expect(best!.rotation).toBe(-4);
    expect(best!.distance).toBeLessThan(0.15);
  });

  it('refuses a template of another shape', () => {
    expect(() => gallery.append({ ...filled(0, 1), cols: 128, code: new Uint8Array(n / 2), mask: new Uint8Array(n / 2) })).toThrow(IriskError);
  });
});
