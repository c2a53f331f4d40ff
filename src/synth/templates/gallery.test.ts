/**
 * Synthetic galleries: generated on worker threads exactly as in this thread; derived templates
 * are the stated bijections of the distinct ones (a roll by quarter turns, a complement) and
 * impostors for a genuine probe of their original; genuine pairs at their stated rotation.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_PARAMS, matchReference } from '../../identity/iris/matcher.js';
import { DEFAULT_SHAPE } from '../../identity/iris/template.js';
import { templateCells } from '../../identity/gallery/layout.js';
import { scanReference } from '../../identity/gallery/scan-reference.js';
import { buildSyntheticGallery, DERIVATIONS, genuineVariant, syntheticGenuinePairs, syntheticTemplate } from './index.js';

const cols = DEFAULT_SHAPE.cols;

describe('synthetic galleries', () => {
  it('hold template i of the world in slot i, the same from worker threads', async () => {
    const here = await buildSyntheticGallery({ count: 520, seed: 4, workers: 0 });
    const threads = await buildSyntheticGallery({ count: 520, seed: 4, workers: 2 }); // two blocks
    expect(threads.words).toEqual(here.words);
    expect(here.words.subarray(519 * here.stride, 520 * here.stride)).toEqual(templateCells(syntheticTemplate(519, { seed: 4 })));
  }, 60_000);

  it('derive rolled and complemented copies (after overrides), impostors for a genuine probe of their original', async () => {
    const distinct = 3;
    // Slot 2 holds a genuine variant of template 1, so its derived copies must be impostors for the probe too.
    const variant = genuineVariant(syntheticTemplate(1, { seed: 5 }), 'override', { flipRate: 0.05, rotation: 6 });
    const g = await buildSyntheticGallery({ count: distinct * DERIVATIONS.length, distinct, seed: 5, workers: 0, overrides: new Map([[2, templateCells(variant)]]) });
    const { bands, stride } = g;
    const plane = stride / 2;
    const original = templateCells(syntheticTemplate(1, { seed: 5 }));
    DERIVATIONS.forEach((d, k) => {
      const derived = g.words.subarray((k * distinct + 1) * stride, (k * distinct + 2) * stride);
      const roll = d.quarterTurns * (cols / 4);
      for (let b = 0; b < bands; b++) {
        for (let c = 0; c < cols; c++) {
          const from = b * cols + ((c - roll + cols) % cols);
          expect(derived[b * cols + c]).toBe(d.complement ? ~original[from]! & 0xffff : original[from]);
          expect(derived[plane + b * cols + c]).toBe(original[plane + from]);
        }
      }
    });
    // A genuine probe of template 1, rotated by the most the search allows: only its original comes near.
    const probe = genuineVariant(syntheticTemplate(1, { seed: 5 }), 'probe', { flipRate: 0.1, rotation: 15 });
    const results = scanReference(g, probe, DEFAULT_MATCH_PARAMS);
    results.forEach((r, slot) => {
      if (slot === 1 || slot === 2) expect(r.distance).toBeLessThan(0.2);
      else expect(r.distance).toBeGreaterThan(0.4);
    });
  });

  it('make genuine pairs at their stated rotation and flip rate', async () => {
    const pairs = await syntheticGenuinePairs({ count: 4, seed: 6, first: 100, workers: 0 });
    for (let j = 0; j < 4; j++) {
      const probe = syntheticTemplate(100 + j, { seed: 6 });
      expect(pairs.probes.words.subarray(j * pairs.probes.stride, (j + 1) * pairs.probes.stride)).toEqual(templateCells(probe));
      const variant = genuineVariant(probe, `pairs:6:${100 + j}`, { flipRate: pairs.flipRates[j]!, rotation: pairs.rotations[j]! });
      const r = matchReference(probe, variant);
      expect(r.rotation).toBe(pairs.rotations[j]);
      expect(Math.abs(r.rawDistance - pairs.flipRates[j]!)).toBeLessThan(0.02);
      expect(pairs.variants.words.subarray(j * pairs.variants.stride, (j + 1) * pairs.variants.stride)).toEqual(templateCells(variant));
    }
  });
});
