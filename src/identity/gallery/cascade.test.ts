/**
 * The cascade of the WebAssembly scan: every (probe, template) pair that passes the stages gets
 * exactly the exhaustive result, every other one no match, and which pairs pass is exactly what a
 * plain TypeScript reading of the stage rule says, for the first cascade, the tuned one and random
 * stage shapes, on synthetic, genuine and adversarial templates (a distance exactly at a ceiling,
 * a first band without common bits), one probe or several per pass, across chunk boundaries; and
 * on template shapes whose bands the SIMD kernel's groups of four words do not divide.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { DEFAULT_MATCH_PARAMS, matchReference, NO_MATCH, type MatchParams } from '../iris/matcher.js';
import { DEFAULT_SHAPE, templateBits, TEMPLATE_VERSION, type IrisTemplate } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { cascadeStagesOf, DEFAULT_CASCADE, type ScanOptions } from './kernel.js';
import { GalleryLayout, templateCells } from './layout.js';
import { WasmGalleryScanner } from './scan-wasm.js';
import { stagePasses } from '../../../test/cascade-rule.js';

const n = templateBits(DEFAULT_SHAPE);
const template = (code: (i: number) => number, mask: (i: number) => number): IrisTemplate => ({
  ...DEFAULT_SHAPE,
  code: Uint8Array.from({ length: n }, (_, i) => code(i)),
  mask: Uint8Array.from({ length: n }, (_, i) => mask(i)),
  version: TEMPLATE_VERSION,
});
/** Bits of code row r sit at [r * cols * 4, (r + 1) * cols * 4); the first band is rows 0-3. */
const firstBand = (i: number): boolean => i < 4 * DEFAULT_SHAPE.cols * 4;

describe('cascade', () => {
  const probes = Array.from({ length: 12 }, (_, i) => syntheticTemplate(i, { seed: 9 }));
  const rng = new Rng('cascade-test');
  const templates: IrisTemplate[] = [
    ...Array.from({ length: 60 }, (_, i) => syntheticTemplate(100 + i, { seed: 9 })),
    // Genuine variants of the probes: flip rates 0.05-0.33, rotations -15..15.
    ...probes.map((p, i) => genuineVariant(p, `c:${i}`, { flipRate: 0.05 + (0.28 * i) / 11, rotation: rng.int(-15, 15) })),
    template(() => 0, () => 1),
    template(() => 1, () => 1),
    template(() => 0, () => 0),
    // Half of every cell's bits set: exactly 0.5 from an all-zero probe on any subset, at any shift.
    template((i) => (i % 2 === 0 ? 1 : 0), () => 1),
    // Nothing usable in the first band, everything elsewhere.
    template(() => 1, (i) => (firstBand(i) ? 0 : 1)),
  ];
  const allProbes = [...probes, template(() => 0, () => 1), template(() => 0, (i) => (firstBand(i) ? 0 : 1))];
  const gallery = new GalleryLayout(DEFAULT_SHAPE, 8);
  for (const t of templates) gallery.append(t);
  const cells = templates.map(templateCells);
  const probeCells = allProbes.map(templateCells);
  const scanner = new WasmGalleryScanner(16); // several chunks per scan

  /** Every pair: the exhaustive result when the plain stage rule passes it, no match otherwise. */
  function check(options: ScanOptions, params: MatchParams = DEFAULT_MATCH_PARAMS): number {
    const stages = cascadeStagesOf(options, gallery.bands);
    const full = scanner.scanManyCells(gallery, probeCells, params);
    const cascaded = scanner.scanManyCells(gallery, probeCells, params, options);
    let kept = 0;
    probeCells.forEach((p, i) => {
      const expected = cells.map((t, k) => {
        const pass = stages.every((s) => stagePasses(p, t, s, params.rotations));
        if (pass) kept++;
        return pass ? full[i]![k] : NO_MATCH;
      });
      expect(cascaded[i]).toEqual(expected);
    });
    expect(scanner.lastFullComparisons).toBe(kept);
    // One probe at a time gives the same.
    expect(scanner.scanCells(gallery, probeCells[3]!, params, options)).toEqual(cascaded[3]);
    return kept;
  }

  it('the first cascade (one number) passes exactly the pairs its rule passes', () => {
    check({ cascade: 0.42 });
    expect(check({ cascade: 0.5 })).toBeGreaterThan(check({ cascade: 0.499 })); // a distance exactly at the ceiling passes
    expect(check({ cascade: 0.4999 })).toBe(check({ cascade: 0.5 })); // to the nearest thousandth, as every kernel reads it
    expect(check({ cascadeStages: [{ bands: 2, wordStep: 2, shiftStep: 2, ceiling: 0.4999994 }] })).toBeLessThan(check({ cascadeStages: [{ bands: 2, wordStep: 2, shiftStep: 2, ceiling: 0.4999996 }] }));
  });

  it('the tuned cascade passes exactly the pairs its rule passes, and every genuine variant', () => {
    check({ cascadeStages: DEFAULT_CASCADE });
    const results = scanner.scanManyCells(gallery, probeCells.slice(0, probes.length), DEFAULT_MATCH_PARAMS, { cascadeStages: DEFAULT_CASCADE });
    probes.forEach((_, i) => expect(results[i]![60 + i]!.distance).toBeLessThan(0.345));
  });

  it('random stage shapes and ceilings, and other rotation counts', () => {
    for (let k = 0; k < 6; k++) {
      const stages = Array.from({ length: rng.int(1, 3) }, () => ({ bands: rng.int(1, 4), wordStep: rng.pick([1, 2, 4]), shiftStep: rng.pick([1, 2, 4]), ceiling: rng.uniform(0.3, 0.5) }));
      check({ cascadeStages: stages }, { ...DEFAULT_MATCH_PARAMS, rotations: rng.pick([0, 3, 15, 40]) });
    }
  });

  it('with a ceiling of 1 compares in full every pair with a common bit in its first band', () => {
    const results = scanner.scanManyCells(gallery, probeCells, DEFAULT_MATCH_PARAMS, { cascadeStages: [{ bands: 1, wordStep: 2, shiftStep: 2, ceiling: 1 }] });
    const full = scanner.scanManyCells(gallery, probeCells, DEFAULT_MATCH_PARAMS);
    // Every pair but the template without a usable bit in its first band, which is pruned whatever the rest says.
    expect(results[0]!.slice(0, -1)).toEqual(full[0]!.slice(0, -1));
    expect(results[0]!.at(-1)).toEqual(NO_MATCH);
    expect(full[0]!.at(-1)!.overlapBits).toBeGreaterThan(0);
    expect(results.at(-1)![0]).toEqual(NO_MATCH); // that probe has no usable bit in its first band
  });

  it('other shapes: bands of 9, 7, 5 and 1 words, every word step, the edges of the shift range', () => {
    // The default band (64 words) splits evenly into the kernel's groups of 4 words at every word
    // step; these leave 1-3 words over, and a band of one word never pairs shifts.
    const r = new Rng('cascade-shapes');
    for (const shape of [
      { rows: 8, cols: 36, filters: 2 },
      { rows: 12, cols: 28, filters: 2 },
      { rows: 4, cols: 20, filters: 2 },
      { rows: 8, cols: 4, filters: 2 },
    ]) {
      const bits = templateBits(shape);
      const random = (maskRate: number): IrisTemplate => ({
        ...shape,
        code: Uint8Array.from({ length: bits }, () => (r.chance(0.5) ? 1 : 0)),
        mask: Uint8Array.from({ length: bits }, () => (r.chance(maskRate) ? 1 : 0)),
        version: TEMPLATE_VERSION,
      });
      const base = Array.from({ length: 6 }, (_, i) => syntheticTemplate(i, { seed: 4, shape }));
      const all = [...base, ...base.map((b, i) => genuineVariant(b, `s:${i}`, { flipRate: 0.04 * i, rotation: r.int(-2, 2) })), random(0.9), random(0.3), random(1), random(0)];
      const g = new GalleryLayout(shape, 1);
      for (const t of all) g.append(t);
      const tCells = all.map(templateCells);
      const pCells = tCells.slice(0, 8);
      const s = new WasmGalleryScanner(5);
      for (const rotations of [0, 1, 2, 5, 7].filter((x) => x <= shape.cols / 2)) {
        const params = { ...DEFAULT_MATCH_PARAMS, rotations };
        const full = s.scanManyCells(g, pCells, params);
        expect(full).toEqual(pCells.map((_, i) => all.map((t) => matchReference(all[i]!, t, params))));
        for (let k = 0; k < 4; k++) {
          const stages = Array.from({ length: r.int(1, 2) }, () => ({ bands: r.int(1, g.bands), wordStep: r.pick([1, 2, 4]), shiftStep: r.pick([1, 2, 4]), ceiling: r.uniform(0.3, 0.55) }));
          const cascaded = s.scanManyCells(g, pCells, params, { cascadeStages: stages });
          expect(cascaded).toEqual(pCells.map((p, i) => tCells.map((t, j) => (stages.every((st) => stagePasses(p, t, st, params.rotations, shape.cols)) ? full[i]![j] : NO_MATCH))));
        }
      }
    }
  });

  it('refuses malformed stages with USAGE', () => {
    for (const bad of [{ bands: 0 }, { bands: 5 }, { wordStep: 3 }, { shiftStep: 8 }, { ceiling: Number.NaN }]) {
      expect(() => scanner.scanCells(gallery, probeCells[0]!, DEFAULT_MATCH_PARAMS, { cascadeStages: [{ ...DEFAULT_CASCADE[0]!, ...bad }] })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
