/**
 * The cascade of the WebAssembly scan: a first pass over a quarter of the bits prunes most
 * impostors, keeps every genuine match (whose full result is unchanged), and with a ceiling of 1
 * prunes only templates without a single common bit in that quarter.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_PARAMS, matchReference } from '../iris/matcher.js';
import { DEFAULT_SHAPE } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { GalleryLayout } from './layout.js';
import { WasmGalleryScanner } from './scan-wasm.js';

describe('cascade', () => {
  const probes = Array.from({ length: 20 }, (_, i) => syntheticTemplate(i, { seed: 9 }));
  const gallery = new GalleryLayout(DEFAULT_SHAPE, 256);
  for (let i = 20; i < 220; i++) gallery.append(syntheticTemplate(i, { seed: 9 }));
  // Genuine variants of the probes, at slots 200..219, flip rates 0.10-0.25, rotations up to 8 either way.
  probes.forEach((p, i) => gallery.append(genuineVariant(p, `c:${i}`, { flipRate: 0.1 + (0.15 * i) / 19, rotation: (i % 17) - 8 })));
  const scanner = new WasmGalleryScanner();

  it('keeps every genuine match, unchanged, and prunes most impostors', () => {
    let pruned = 0;
    let impostors = 0;
    probes.forEach((probe, i) => {
      const full = scanner.scan(gallery, probe);
      const cascaded = scanner.scan(gallery, probe, DEFAULT_MATCH_PARAMS, { cascade: 0.42 });
      expect(cascaded[200 + i]).toEqual(full[200 + i]);
      expect(full[200 + i]!.distance).toBeLessThan(0.3);
      cascaded.forEach((r, t) => {
        if (t === 200 + i) return;
        impostors++;
        if (r.overlapBits === 0) pruned++;
        else expect(r).toEqual(full[t]); // compared in full: the same result
      });
    });
    expect(pruned / impostors).toBeGreaterThan(0.9);
  });

  it('with a ceiling of 1 gives the full results', () => {
    const probe = probes[3]!;
    const cascaded = scanner.scan(gallery, probe, DEFAULT_MATCH_PARAMS, { cascade: 1 });
    expect(scanner.lastFullComparisons).toBe(gallery.size);
    cascaded.forEach((r, t) => expect(r).toEqual(matchReference(probe, slot(t))));
  });

  /** The template in slot t, rebuilt as it was appended. */
  function slot(t: number) {
    if (t < 200) return syntheticTemplate(t + 20, { seed: 9 });
    const i = t - 200;
    return genuineVariant(probes[i]!, `c:${i}`, { flipRate: 0.1 + (0.15 * i) / 19, rotation: (i % 17) - 8 });
  }
});
