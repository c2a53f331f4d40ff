/**
 * The native scan kernel (native/gallery), when it is built: for every template exactly what the
 * reference matcher returns, on synthetic templates, genuine variants and adversarial ones (empty
 * and full masks, all-zero and all-one codes), at every rotation count including ones past the
 * column count, on odd shapes (one band, one word per band, a word count that is no multiple of
 * the vector width); several probes per pass equal to single-probe scans; the cascade equal to
 * the WebAssembly cascade; bad arguments throw instead of crashing; it loads in worker threads.
 * Without the addon the suite skips, and loadNativeKernel says why.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { IriskError } from '../../lib/errors.js';
import { DEFAULT_MATCH_PARAMS, matchReference, type MatchResult } from '../iris/matcher.js';
import { DEFAULT_SHAPE, templateBits, TEMPLATE_VERSION, type IrisTemplate, type TemplateShape } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { DEFAULT_CASCADE } from './kernel.js';
import { GalleryLayout, templateCells } from './layout.js';
import { loadNativeKernel, type NativeGalleryScanner } from './scan-native.js';
import { scanReference } from './scan-reference.js';
import { WasmGalleryScanner } from './scan-wasm.js';

const loaded = loadNativeKernel();
const built = loaded.kernel !== null;
const ADDON = fileURLToPath(new URL('../../../native/gallery/build/Release/gallery_scan.node', import.meta.url));

const filled = (shape: TemplateShape, code: number, mask: number): IrisTemplate => {
  const n = templateBits(shape);
  return { ...shape, code: new Uint8Array(n).fill(code), mask: new Uint8Array(n).fill(mask), version: TEMPLATE_VERSION };
};

/** Synthetic templates of `shape`, a genuine variant of the first, and the four adversarial ones. */
function templatesOf(shape: TemplateShape, seed: number, count = 6): IrisTemplate[] {
  const smoothing = Math.max(2, Math.min(16, shape.cols / 4));
  const synthetic = Array.from({ length: count }, (_, i) => syntheticTemplate(i, { seed, shape, smoothing }));
  return [
    ...synthetic,
    genuineVariant(synthetic[0]!, `native:${seed}`, { flipRate: 0.1, rotation: Math.min(4, shape.cols - 1) }),
    filled(shape, 0, 1),
    filled(shape, 1, 1),
    filled(shape, 1, 0),
    filled(shape, 0, 0),
  ];
}

function layoutOf(shape: TemplateShape, templates: readonly IrisTemplate[]): GalleryLayout {
  const gallery = new GalleryLayout(shape, 2); // grows past its capacity
  for (const t of templates) gallery.append(t);
  return gallery;
}

/** The addon itself, for calls the scanner never makes (loaded only by tests that run when it is built). */
function rawAddon(): { scan: (...args: unknown[]) => number } {
  return createRequire(import.meta.url)(ADDON) as { scan: (...args: unknown[]) => number };
}

/** A new native scanner (the suite only runs when the addon is built). */
function nativeScanner(chunkSize?: number): NativeGalleryScanner {
  const r = loadNativeKernel(chunkSize);
  if (r.kernel === null) throw new Error(r.reason);
  return r.kernel;
}

describe.skipIf(!built)('native gallery scan', () => {
  const templates = templatesOf(DEFAULT_SHAPE, 2);
  const gallery = layoutOf(DEFAULT_SHAPE, templates);

  for (const rotations of [0, 1, 15]) {
    it(`equals the reference matcher for every pair (rotations ${rotations})`, () => {
      const params = { ...DEFAULT_MATCH_PARAMS, rotations };
      const native = nativeScanner(rotations === 1 ? 4 : undefined); // 4: chunks of 4, 4 and 3 templates
      expect(native.name).toBe('native');
      for (const probe of templates) expect(native.scan(gallery, probe, params)).toEqual(templates.map((t) => matchReference(probe, t, params)));
      expect(native.lastFullComparisons).toBe(templates.length);
    });
  }

  it('equals the reference matcher at 40 rotations (81 shifts: ten full groups and one left over)', () => {
    const params = { ...DEFAULT_MATCH_PARAMS, rotations: 40 };
    const native = nativeScanner();
    for (const probe of [templates[0]!, templates[7]!]) expect(native.scan(gallery, probe, params)).toEqual(templates.map((t) => matchReference(probe, t, params)));
  });

  const shapes: { shape: TemplateShape; rotations: number[] }[] = [
    { shape: { rows: 4, cols: 4, filters: 2 }, rotations: [0, 1, 9] }, // one band of one word; shifts past the column count wrap
    { shape: { rows: 8, cols: 20, filters: 2 }, rotations: [0, 3, 45] }, // 5 words per band: no multiple of the vector width
    { shape: { rows: 12, cols: 44, filters: 2 }, rotations: [2, 15] }, // 11 words per band
  ];
  for (const { shape, rotations } of shapes) {
    it(`equals the reference matcher on ${shape.rows} rows x ${shape.cols} columns (rotations ${rotations.join(', ')})`, () => {
      const small = templatesOf(shape, 5);
      const g = layoutOf(shape, small);
      const native = nativeScanner(3);
      for (const r of rotations) {
        const params = { ...DEFAULT_MATCH_PARAMS, rotations: r };
        for (const probe of small) expect(native.scan(g, probe, params)).toEqual(small.map((t) => matchReference(probe, t, params)));
      }
    });
  }

  it('scans several probes in one pass exactly as one at a time, across chunks, with and without the cascade', () => {
    const native = nativeScanner(4);
    const probes = templates.map(templateCells);
    for (const options of [{}, { cascade: 0.42 }, { cascade: 0 }]) {
      for (const params of [DEFAULT_MATCH_PARAMS, { ...DEFAULT_MATCH_PARAMS, rotations: 3, minOverlapBits: 2000 }]) {
        const single: MatchResult[][] = [];
        let full = 0;
        for (const p of probes) {
          single.push(native.scanCells(gallery, p, params, options));
          full += native.lastFullComparisons;
        }
        expect(native.scanManyCells(gallery, probes, params, options)).toEqual(single);
        expect(native.lastFullComparisons).toBe(full);
      }
    }
    expect(native.scanManyCells(gallery, [])).toEqual([]);
  });

  it('reads a view of the gallery in place: the slice of the whole scan', () => {
    const native = nativeScanner();
    const probe = templates[1]!;
    const view = GalleryLayout.view(DEFAULT_SHAPE, gallery.words, 3, 9);
    expect(native.scan(view, probe)).toEqual(native.scan(gallery, probe).slice(3, 9));
  });

  describe('cascade', () => {
    const probes = Array.from({ length: 12 }, (_, i) => syntheticTemplate(i, { seed: 9 }));
    const g = new GalleryLayout(DEFAULT_SHAPE, 256);
    for (let i = 20; i < 150; i++) g.append(syntheticTemplate(i, { seed: 9 }));
    probes.forEach((p, i) => g.append(genuineVariant(p, `n:${i}`, { flipRate: 0.1 + (0.15 * i) / 11, rotation: (i % 17) - 8 })));
    for (const t of templates.slice(-4)) g.append(t); // adversarial: the first band empty, full, all zeros, all ones
    const wasm = new WasmGalleryScanner();

    for (const cascade of [0, 0.42, 0.4215, 1]) {
      it(`equals the WebAssembly cascade (ceiling ${cascade}): same results, same templates compared in full`, () => {
        const native = nativeScanner();
        let full = 0;
        for (const probe of [...probes, ...templates.slice(-4)]) {
          const expected = wasm.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascade });
          expect(native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascade })).toEqual(expected);
          expect(native.lastFullComparisons).toBe(wasm.lastFullComparisons);
          full += wasm.lastFullComparisons;
        }
        native.scanManyCells(g, [...probes, ...templates.slice(-4)].map(templateCells), DEFAULT_MATCH_PARAMS, { cascade });
        expect(native.lastFullComparisons).toBe(full);
        if (cascade === 0.42) expect(full).toBeLessThan(g.size * 4); // most impostors pruned
      });
    }

    it('runs the single first-band stage as the cascade option, no stages as no cascade, and refuses other stages', () => {
      const native = nativeScanner();
      const probe = probes[4]!;
      const firstBand = { bands: 1, wordStep: 1, shiftStep: 1, ceiling: 0.42 };
      expect(native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascadeStages: [firstBand] })).toEqual(native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascade: 0.42 }));
      native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascade: 0.42, cascadeStages: [] });
      expect(native.lastFullComparisons).toBe(g.size);
      for (const cascadeStages of [DEFAULT_CASCADE, [{ ...firstBand, wordStep: 2 }], [firstBand, firstBand], [{ ...firstBand, bands: 9 }]]) {
        expect(() => native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascadeStages })).toThrow(expect.objectContaining({ code: 'USAGE' }));
      }
    });
  });

  describe('bad arguments throw a TypeError or RangeError, never crash', () => {
    const cells = gallery.stride;
    const probe = templateCells(templates[0]!);
    const out = new Uint32Array(gallery.size * 31 * 2);
    const flags = new Uint8Array(gallery.size);
    const good = (): unknown[] => [gallery.words, 0, gallery.size, gallery.bands, DEFAULT_SHAPE.cols, probe, 15, out, flags, -1];
    const withArg = (i: number, v: unknown): unknown[] => good().map((a, k) => (k === i ? v : a));

    it('accepts the good call', () => {
      expect(rawAddon().scan(...good())).toBe(gallery.size);
      expect(rawAddon().scan(...withArg(2, 0))).toBe(0);
    });

    const detached = new Uint16Array(cells);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    const cases: [string, unknown[], typeof TypeError | typeof RangeError][] = [
      ['no arguments', [], TypeError],
      ['too few arguments', good().slice(0, 9), TypeError],
      ['too many arguments', [...good(), 0], TypeError],
      ['a plain array for the gallery', withArg(0, Array.from(gallery.words)), TypeError],
      ['a Uint32Array for the gallery', withArg(0, new Uint32Array(gallery.words.buffer)), TypeError],
      ['a Float64Array for the counts', withArg(7, new Float64Array(out.length)), TypeError],
      ['a Uint8ClampedArray for the flags', withArg(8, new Uint8ClampedArray(flags.length)), TypeError],
      ['no flags', withArg(8, undefined), TypeError],
      ['a string for the probes', withArg(5, 'probe'), TypeError],
      ['a fractional count', withArg(2, 1.5), TypeError],
      ['NaN rotations', withArg(6, Number.NaN), TypeError],
      ['a string for the bands', withArg(3, '4'), TypeError],
      ['a negative first template', withArg(1, -1), RangeError],
      ['templates past the gallery', withArg(2, gallery.size + 1), RangeError],
      ['a first template past the gallery', withArg(1, gallery.size + 1), RangeError],
      ['no bands', withArg(3, 0), RangeError],
      ['columns not a multiple of 4', withArg(4, 254), RangeError],
      ['no columns', withArg(4, 0), RangeError],
      ['a shape that does not fit the probe', withArg(4, 128), RangeError],
      ['negative rotations', withArg(6, -1), RangeError],
      ['absurd rotations', withArg(6, 2 ** 21), RangeError],
      ['a cascade ceiling above 10^6', withArg(9, 1_000_001), RangeError],
      ['a cascade ceiling below -1', withArg(9, -2), RangeError],
      ['a cascade ceiling of Infinity', withArg(9, Infinity), TypeError],
      ['a probe one cell short', withArg(5, probe.subarray(1)), RangeError],
      ['no probe', withArg(5, new Uint16Array(0)), RangeError],
      ['counts too short', withArg(7, new Uint32Array(out.length - 1)), RangeError],
      ['counts too short for two probes', withArg(5, new Uint16Array(2 * cells)), RangeError],
      ['flags too short', withArg(8, new Uint8Array(flags.length - 1)), RangeError],
      ['a gallery off an 8-byte boundary', withArg(0, gallery.words.subarray(1)), RangeError],
      ['a detached gallery', withArg(0, detached), RangeError],
    ];
    for (const [what, args, error] of cases) {
      it(`refuses ${what}`, () => {
        expect(() => rawAddon().scan(...args)).toThrow(error);
      });
    }

    it('refuses a probe of another shape with TEMPLATE_INCOMPATIBLE', () => {
      expect(() => nativeScanner().scanCells(gallery, probe.subarray(4))).toThrow(IriskError);
    });
  });

  it('loads and scans in worker threads (a context-aware addon)', async () => {
    const probe = templateCells(templates[2]!);
    const shifts = 31;
    const expected = new Uint32Array(gallery.size * shifts * 2);
    rawAddon().scan(gallery.words, 0, gallery.size, gallery.bands, DEFAULT_SHAPE.cols, probe, 15, expected, new Uint8Array(gallery.size), -1);
    const source = `
      const { parentPort, workerData: d } = require('node:worker_threads');
      const addon = require(d.path);
      const out = new Uint32Array(d.count * 31 * 2);
      addon.scan(d.words, 0, d.count, d.bands, d.cols, d.probe, 15, out, new Uint8Array(d.count), -1);
      parentPort.postMessage(out);`;
    const run = () =>
      new Promise<Uint32Array>((resolve, reject) => {
        const w = new Worker(source, { eval: true, workerData: { path: ADDON, words: gallery.words, count: gallery.size, bands: gallery.bands, cols: DEFAULT_SHAPE.cols, probe } });
        w.once('message', (m: Uint32Array) => resolve(m));
        w.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    for (const r of results) expect(r).toEqual(expected);
  }, 60_000);

  it('finds a genuine variant at its rotation, as the reference scan does', () => {
    const results = nativeScanner().scan(gallery, templates[6]!);
    expect(results).toEqual(scanReference(gallery, templates[6]!));
    expect(results[0]!.rotation).toBe(-4);
  });
});

describe('native gallery scan availability', () => {
  it.runIf(!built)(`says why there is no native kernel: ${loaded.kernel === null ? loaded.reason : ''}`, () => {
    expect(loaded.kernel).toBeNull();
    expect(loaded.kernel === null && loaded.reason).toMatch(/\S/);
  });

  it.runIf(built)('reports the instruction set it was compiled for', () => {
    expect(loaded.kernel !== null && loaded.isa).toMatch(/popcount|popcnt/);
  });
});
