/**
 * The gallery layout and the whole-gallery scans (plain TypeScript, WebAssembly, one probe or
 * several per pass): one call returns, for every template, exactly what the reference matcher
 * returns for that pair, on synthetic templates, genuine variants, random bits and adversarial
 * ones (empty and full masks, all-zero and all-one codes, one usable bit), at rotation counts from
 * 0 to 40 (81 shifts).
 * The worker-thread scan has its own tests (scan-parallel.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { DEFAULT_MATCH_PARAMS, matchReference } from '../iris/matcher.js';
import { DEFAULT_SHAPE, templateBits, TEMPLATE_VERSION, type IrisTemplate } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { GalleryLayout, templateCells } from './layout.js';
import { scanReference } from './scan-reference.js';
import { WasmGalleryScanner } from './scan-wasm.js';

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

  it('several probes per pass equal the reference for every pair, across chunks, on random bits too', () => {
    const rng = new Rng('scan-many');
    const random = (maskRate: number): IrisTemplate => ({
      ...DEFAULT_SHAPE,
      code: Uint8Array.from({ length: n }, () => (rng.chance(0.5) ? 1 : 0)),
      mask: Uint8Array.from({ length: n }, () => (rng.chance(maskRate) ? 1 : 0)),
      version: TEMPLATE_VERSION,
    });
    const oneBit = { ...filled(1, 0), mask: new Uint8Array(n).map((_, i) => (i === 4097 ? 1 : 0)) };
    const all = [...templates, random(0.9), random(0.5), random(0.02), oneBit];
    const g = new GalleryLayout(DEFAULT_SHAPE, 1);
    for (const t of all) g.append(t);
    for (const rotations of [0, 7, 40]) {
      const params = { ...DEFAULT_MATCH_PARAMS, rotations };
      const expected = all.map((probe) => all.map((t) => matchReference(probe, t, params)));
      for (const chunk of [1, 5, undefined]) expect(new WasmGalleryScanner(chunk).scanManyCells(g, all.map(templateCells), params)).toEqual(expected);
    }
    const scanner = new WasmGalleryScanner();
    expect(scanner.scanManyCells(g, [])).toEqual([]);
    expect(scanner.scanManyCells(new GalleryLayout(DEFAULT_SHAPE, 1), [templateCells(all[0]!)])).toEqual([[]]);
    expect(() => scanner.scanManyCells(g, [new Uint16Array(10)])).toThrow(IriskError);
  });

  it('finds a genuine variant at its rotation', () => {
    const [best] = scanReference(gallery, templates[6]!).slice(0, 1);
    expect(best!.rotation).toBe(-4);
    expect(best!.distance).toBeLessThan(0.15);
  });

  it('refuses a template of another shape', () => {
    expect(() => gallery.append({ ...filled(0, 1), cols: 128, code: new Uint8Array(n / 2), mask: new Uint8Array(n / 2) })).toThrow(IriskError);
  });
});
