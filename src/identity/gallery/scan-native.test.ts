/**
 * The native scan kernel (native/gallery), when it is built: for every template exactly what the
 * reference matcher returns, on synthetic templates, genuine variants and adversarial ones (empty
 * and full masks, all-zero and all-one codes), at every rotation count including ones past the
 * column count, on odd shapes (one band, one word per band, a word count that is no multiple of
 * the vector width); several probes per pass equal to single-probe scans; staged cascades (the
 * tuned one, every stage shape, ceilings exactly at a distance, templates without common bits at a
 * stage, shifts past the column count, tables over their budget) equal to the WebAssembly kernel's
 * and to the plain stage rule, pairs compared in full included; bad arguments throw instead of
 * crashing; it loads in worker threads.
 * Without the addon the suite skips, and loadNativeKernel says why.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { DEFAULT_MATCH_PARAMS, matchReference, NO_MATCH, type MatchResult } from '../iris/matcher.js';
import { DEFAULT_SHAPE, templateBits, TEMPLATE_VERSION, type IrisTemplate, type TemplateShape } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { cascadeStagesOf, DEFAULT_CASCADE, type CascadeStage, type ScanOptions } from './kernel.js';
import { GalleryLayout, templateCells } from './layout.js';
import { loadNativeKernel, type NativeGalleryScanner } from './scan-native.js';
import { scanReference } from './scan-reference.js';
import { WasmGalleryScanner } from './scan-wasm.js';
import { stagePasses } from '../../../test/cascade-rule.js';

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
    const n = templateBits(DEFAULT_SHAPE);
    const cols = DEFAULT_SHAPE.cols;
    const make = (code: (i: number) => number, mask: (i: number) => number): IrisTemplate => ({
      ...DEFAULT_SHAPE,
      code: Uint8Array.from({ length: n }, (_, i) => code(i)),
      mask: Uint8Array.from({ length: n }, (_, i) => mask(i)),
      version: TEMPLATE_VERSION,
    });
    // Bit i is row floor(i / (4 cols)), column floor(i / 4) mod cols: band 0 is rows 0-3, word w columns 4w-4w+3.
    const firstBand = (i: number): boolean => i < 16 * cols;
    const wordOf = (i: number): number => (Math.floor(i / 4) % cols) >> 2;
    const adversarial = [
      ...templates.slice(-4), // all zeros and all ones (full masks), and empty masks
      make((i) => i % 2, () => 1), // half of every cell set: exactly 0.5 from an all-zero probe, on any subset, at any shift
      make(() => 1, (i) => (firstBand(i) ? 0 : 1)), // nothing usable in the first band, everything elsewhere
      make((i) => i % 3 === 0 ? 1 : 0, (i) => wordOf(i) % 2), // even words masked: nothing for wordStep 2 or 4
      make((i) => (i >> 5) % 2, (i) => (wordOf(i) % 4 === 0 ? 1 : 0)), // one word in four kept: what wordStep 4 reads
    ];
    const g = new GalleryLayout(DEFAULT_SHAPE, 256);
    for (let i = 20; i < 150; i++) g.append(syntheticTemplate(i, { seed: 9 }));
    probes.forEach((p, i) => g.append(genuineVariant(p, `n:${i}`, { flipRate: 0.1 + (0.15 * i) / 11, rotation: (i % 17) - 8 })));
    for (const t of adversarial) g.append(t);
    const cells = Array.from({ length: g.size }, (_, t) => g.words.slice(t * g.stride, (t + 1) * g.stride));
    // The probes: synthetic ones and the adversarial ones (the all-zero one is exactly 0.5 from the half-set template).
    const allProbes = [...probes, ...adversarial];
    const probeCells = allProbes.map(templateCells);
    const wasm = new WasmGalleryScanner(64);

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

    const exhaustive = new Map<number, MatchResult[][]>();
    /** Every pair against every template, no cascade (computed once per rotation count). */
    const fullResults = (rotations: number): MatchResult[][] => {
      if (!exhaustive.has(rotations)) exhaustive.set(rotations, wasm.scanManyCells(g, probeCells, { ...DEFAULT_MATCH_PARAMS, rotations }));
      return exhaustive.get(rotations)!;
    };

    /**
     * Native against WebAssembly (same results, same pairs compared in full) and against the plain
     * stage rule (the exhaustive result where every stage passes, no match elsewhere); several
     * probes per pass and one at a time, in chunks of 16 templates. Returns the pairs compared in full.
     */
    function check(options: ScanOptions, rotations = 15): number {
      const params = { ...DEFAULT_MATCH_PARAMS, rotations };
      const stages = cascadeStagesOf(options, g.bands);
      const native = nativeScanner(16);
      const many = native.scanManyCells(g, probeCells, params, options);
      const fullCount = native.lastFullComparisons;
      expect(many).toEqual(wasm.scanManyCells(g, probeCells, params, options));
      expect(fullCount).toBe(wasm.lastFullComparisons);
      const full = fullResults(rotations);
      let kept = 0;
      probeCells.forEach((p, i) => {
        const expected = cells.map((t, k) => {
          const pass = stages.every((s) => stagePasses(p, t, s, rotations));
          kept += pass ? 1 : 0;
          return pass ? full[i]![k] : NO_MATCH;
        });
        expect(many[i]).toEqual(expected);
      });
      expect(fullCount).toBe(kept);
      let single = 0;
      for (const i of [0, 7, 12, probeCells.length - 1]) {
        expect(native.scanCells(g, probeCells[i]!, params, options)).toEqual(many[i]);
        single += native.lastFullComparisons;
      }
      expect(single).toBeLessThanOrEqual(fullCount);
      return kept;
    }

    it('runs the tuned cascade exactly as the WebAssembly kernel and the stage rule, and keeps every genuine variant', () => {
      const native = nativeScanner();
      expect(native.stagedCascade).toBe(true);
      const kept = check({ cascadeStages: DEFAULT_CASCADE });
      expect(kept).toBeLessThan(g.size); // most impostors pruned
      const results = native.scanManyCells(g, probeCells.slice(0, probes.length), DEFAULT_MATCH_PARAMS, { cascadeStages: DEFAULT_CASCADE });
      probes.forEach((_, i) => expect(results[i]![130 + i]!.distance).toBeLessThan(0.345));
    }, 60_000);

    const shapes: { name: string; stages: CascadeStage[]; rotations?: number }[] = [
      { name: 'every band, word and shift', stages: [{ bands: 4, wordStep: 1, shiftStep: 1, ceiling: 0.46 }] },
      { name: 'two bands, every fourth word and shift', stages: [{ bands: 2, wordStep: 4, shiftStep: 4, ceiling: 0.45 }] },
      { name: 'three bands, every word, every other shift, then four bands', stages: [{ bands: 3, wordStep: 1, shiftStep: 2, ceiling: 0.44 }, { bands: 4, wordStep: 2, shiftStep: 4, ceiling: 0.43 }] },
      { name: 'three stages', stages: [{ bands: 1, wordStep: 4, shiftStep: 1, ceiling: 0.44 }, { bands: 2, wordStep: 1, shiftStep: 4, ceiling: 0.43 }, { bands: 3, wordStep: 2, shiftStep: 2, ceiling: 0.42 }] },
      { name: 'four bands, every fourth word, every shift, at 40 rotations (81 shifts: blocks of 32, 32 and 17)', stages: [{ bands: 4, wordStep: 4, shiftStep: 1, ceiling: 0.45 }], rotations: 40 },
      { name: 'the tuned cascade without rotations', stages: [...DEFAULT_CASCADE], rotations: 0 },
      { name: 'the tuned cascade at 3 rotations', stages: [...DEFAULT_CASCADE], rotations: 3 },
      { name: 'every fourth shift at 3 rotations (shift 0 only)', stages: [{ bands: 1, wordStep: 2, shiftStep: 4, ceiling: 0.44 }], rotations: 3 },
      { name: 'a ceiling of 0', stages: [{ bands: 1, wordStep: 2, shiftStep: 2, ceiling: 0 }] },
      { name: 'a ceiling above 1', stages: [{ bands: 2, wordStep: 4, shiftStep: 2, ceiling: 7 }] },
    ];
    for (const { name, stages, rotations } of shapes) {
      it(`runs ${name} exactly as the WebAssembly kernel and the stage rule`, () => {
        check({ cascadeStages: stages }, rotations);
      }, 60_000);
    }

    it('passes a distance exactly at the ceiling, to the nearest millionth (and the first cascade to the nearest thousandth)', () => {
      const at = (ceiling: number): number => check({ cascadeStages: [{ bands: 2, wordStep: 2, shiftStep: 2, ceiling }] });
      expect(at(0.5)).toBeGreaterThan(at(0.499999));
      expect(at(0.4999996)).toBe(at(0.5));
      expect(at(0.4999994)).toBe(at(0.499999));
      expect(check({ cascade: 0.5 })).toBeGreaterThan(check({ cascade: 0.499 }));
      expect(check({ cascade: 0.4999 })).toBe(check({ cascade: 0.5 }));
    }, 120_000);

    it('prunes a template without common bits at a stage, whatever the rest says', () => {
      const native = nativeScanner();
      const options = { cascadeStages: [{ bands: 1, wordStep: 2, shiftStep: 2, ceiling: 1 }] };
      const results = native.scanManyCells(g, probeCells, DEFAULT_MATCH_PARAMS, options);
      const full = fullResults(15);
      const emptyMasks = [g.size - 6, g.size - 5]; // the two templates without mask bits
      const noFirstBand = g.size - 3;
      const evenWordsMasked = g.size - 2;
      const probe = 0;
      results[probe]!.forEach((r, t) => {
        if ([...emptyMasks, noFirstBand, evenWordsMasked].includes(t)) expect(r).toEqual(NO_MATCH);
        else expect(r).toEqual(full[probe]![t]);
      });
      expect(full[probe]![noFirstBand]!.overlapBits).toBeGreaterThan(0);
      expect(full[probe]![evenWordsMasked]!.overlapBits).toBeGreaterThan(0);
      // Every word reads the odd words too: that template goes on.
      expect(native.scan(g, allProbes[probe]!, DEFAULT_MATCH_PARAMS, { cascadeStages: [{ bands: 1, wordStep: 1, shiftStep: 2, ceiling: 1 }] })[evenWordsMasked]).toEqual(full[probe]![evenWordsMasked]);
    });

    it('runs the single first-band stage as the cascade option, no stages as no cascade, and refuses malformed stages with USAGE', () => {
      const native = nativeScanner();
      const probe = probes[4]!;
      const firstBandStage = { bands: 1, wordStep: 1, shiftStep: 1, ceiling: 0.42 };
      expect(native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascadeStages: [firstBandStage] })).toEqual(native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascade: 0.42 }));
      native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascade: 0.42, cascadeStages: [] });
      expect(native.lastFullComparisons).toBe(g.size);
      for (const bad of [{ bands: 0 }, { bands: 5 }, { bands: 1.5 }, { wordStep: 3 }, { shiftStep: 8 }, { ceiling: -0.1 }, { ceiling: Number.NaN }]) {
        expect(() => native.scan(g, probe, DEFAULT_MATCH_PARAMS, { cascadeStages: [firstBandStage, { ...firstBandStage, ...bad }] })).toThrow(expect.objectContaining({ code: 'USAGE' }));
      }
    });
  });

  it('runs stages on odd shapes, with shifts past the column count, exactly as the WebAssembly kernel', () => {
    const wasm = new WasmGalleryScanner(5);
    const native = nativeScanner(3);
    const cases: { shape: TemplateShape; rotations: number[] }[] = [
      { shape: { rows: 4, cols: 4, filters: 2 }, rotations: [0, 1, 9] },
      { shape: { rows: 8, cols: 20, filters: 2 }, rotations: [3, 45] },
      { shape: { rows: 12, cols: 44, filters: 2 }, rotations: [15] },
    ];
    for (const { shape, rotations } of cases) {
      const small = templatesOf(shape, 6, 10);
      const g = layoutOf(shape, small);
      const probeCells = small.map(templateCells);
      const bands = shape.rows / 4;
      for (const r of rotations) {
        const params = { ...DEFAULT_MATCH_PARAMS, rotations: r };
        for (const stages of [
          [{ bands: 1, wordStep: 2, shiftStep: 2, ceiling: 0.45 }],
          [{ bands, wordStep: 4, shiftStep: 1, ceiling: 0.48 }, { bands: 1, wordStep: 1, shiftStep: 4, ceiling: 0.47 }],
          [{ bands, wordStep: 1, shiftStep: 2, ceiling: 0.5 }],
        ]) {
          const expected = wasm.scanManyCells(g, probeCells, params, { cascadeStages: stages });
          expect(native.scanManyCells(g, probeCells, params, { cascadeStages: stages })).toEqual(expected);
          expect(native.lastFullComparisons).toBe(wasm.lastFullComparisons);
        }
      }
    }
  }, 60_000);

  it('runs stages whose lane tables would pass the budget (thousands of columns and shifts) exactly as the WebAssembly kernel', () => {
    // 4,096 columns and 2,048 rotations: 4,096 distinct shifts x 1,024 words x 2 words a table, over the
    // 2^22-word budget, so each shift is counted alone from the phase copies.
    const shape = { rows: 4, cols: 4096, filters: 2 };
    const rng = new Rng('native-wide');
    const bits = templateBits(shape);
    const random = (): IrisTemplate => ({ ...shape, code: Uint8Array.from({ length: bits }, () => (rng.chance(0.5) ? 1 : 0)), mask: Uint8Array.from({ length: bits }, () => (rng.chance(0.8) ? 1 : 0)), version: TEMPLATE_VERSION });
    const base = random();
    const halfSet = { ...filled(shape, 0, 1), code: Uint8Array.from({ length: bits }, (_, i) => i % 2) }; // exactly 0.5 from the all-zero probe
    const wide = [base, random(), genuineVariant(base, 'wide', { flipRate: 0.1, rotation: 1000 }), filled(shape, 0, 0), filled(shape, 1, 1), halfSet];
    const g = layoutOf(shape, wide);
    const probeCells = [base, filled(shape, 0, 1)].map(templateCells);
    const params = { ...DEFAULT_MATCH_PARAMS, rotations: 2048 };
    const wasm = new WasmGalleryScanner();
    const native = nativeScanner();
    const kept: number[] = [];
    for (const stages of [
      [{ bands: 1, wordStep: 1, shiftStep: 1, ceiling: 0.5 }],
      [{ bands: 1, wordStep: 1, shiftStep: 1, ceiling: 0.499999 }],
      [{ bands: 1, wordStep: 4, shiftStep: 2, ceiling: 0.5 }], // 2,048 shifts x 256 words: within the budget, 64 blocks of lanes
    ]) {
      const expected = wasm.scanManyCells(g, probeCells, params, { cascadeStages: stages });
      expect(native.scanManyCells(g, probeCells, params, { cascadeStages: stages })).toEqual(expected);
      expect(native.lastFullComparisons).toBe(wasm.lastFullComparisons);
      kept.push(wasm.lastFullComparisons);
    }
    expect(kept[0]).toBe(kept[1]! + 1); // the half-set template, exactly at 0.5
  }, 60_000);

  describe('bad arguments throw a TypeError or RangeError, never crash', () => {
    const cells = gallery.stride;
    const probe = templateCells(templates[0]!);
    const out = new Uint32Array(gallery.size * 31 * 2);
    const flags = new Uint8Array(gallery.size);
    const good = (): unknown[] => [gallery.words, 0, gallery.size, gallery.bands, DEFAULT_SHAPE.cols, probe, 15, out, flags, new Int32Array(0)];
    const withArg = (i: number, v: unknown): unknown[] => good().map((a, k) => (k === i ? v : a));

    it('accepts the good call', () => {
      expect(rawAddon().scan(...good())).toBe(gallery.size);
      expect(rawAddon().scan(...withArg(2, 0))).toBe(0);
      // Two stages that pass every pair with a common bit at shift 0 (those of the two full-mask templates and the probe's own).
      expect(rawAddon().scan(...withArg(9, Int32Array.of(1, 4, 4, 1_000_000, 4, 1, 2, 1_000_000)))).toBeLessThan(gallery.size);
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
      ['a number for the stages', withArg(9, -1), TypeError],
      ['a Float64Array for the stages', withArg(9, Float64Array.of(1, 1, 1, 0)), TypeError],
      ['a Uint32Array for the stages', withArg(9, Uint32Array.of(1, 1, 1, 0)), TypeError],
      ['stages not in fours', withArg(9, Int32Array.of(1, 1, 1)), RangeError],
      ['a stage of no bands', withArg(9, Int32Array.of(0, 1, 1, 0)), RangeError],
      ['a stage of more bands than the gallery has', withArg(9, Int32Array.of(5, 1, 1, 0)), RangeError],
      ['a word step of 3', withArg(9, Int32Array.of(1, 3, 1, 0)), RangeError],
      ['a shift step of 0', withArg(9, Int32Array.of(1, 1, 0, 0)), RangeError],
      ['a shift step of 8 in a second stage', withArg(9, Int32Array.of(1, 1, 1, 0, 1, 1, 8, 0)), RangeError],
      ['a stage ceiling above 10^6', withArg(9, Int32Array.of(1, 1, 1, 1_000_001)), RangeError],
      ['a negative stage ceiling', withArg(9, Int32Array.of(1, 1, 1, -1)), RangeError],
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
    rawAddon().scan(gallery.words, 0, gallery.size, gallery.bands, DEFAULT_SHAPE.cols, probe, 15, expected, new Uint8Array(gallery.size), new Int32Array(0));
    const source = `
      const { parentPort, workerData: d } = require('node:worker_threads');
      const addon = require(d.path);
      const out = new Uint32Array(d.count * 31 * 2);
      addon.scan(d.words, 0, d.count, d.bands, d.cols, d.probe, 15, out, new Uint8Array(d.count), new Int32Array(0));
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
