import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../lib/image.js';
import { downsample, toFloat } from '../../lib/imageops.js';
import { clipToImage, cropFloat, eyeView, resolveRegion } from './region.js';

const IMG: GrayImage = { width: 23, height: 17, data: Uint8Array.from({ length: 23 * 17 }, (_, i) => (i * 37) % 251) };

describe('cropFloat', () => {
  it('inside the image equals crop then imageops.downsample, for several factors', () => {
    for (const f of [1, 2, 3]) {
      const rect = { x0: 2, y0: 3, width: 18, height: 12 };
      const plain = cropFloat(IMG, rect, 1);
      expect(Array.from(plain.data.slice(0, 3))).toEqual([IMG.data[3 * 23 + 2], IMG.data[3 * 23 + 3], IMG.data[3 * 23 + 4]]);
      const reference = downsample(plain, f);
      const fused = cropFloat(IMG, rect, f);
      expect([fused.width, fused.height]).toEqual([reference.width, reference.height]);
      for (let i = 0; i < fused.data.length; i++) expect(fused.data[i]).toBeCloseTo(reference.data[i]!, 4);
    }
  });

  it('repeats edge pixels outside the image', () => {
    const c = cropFloat(IMG, { x0: -2, y0: -1, width: 4, height: 2 });
    const d = IMG.data;
    expect(Array.from(c.data)).toEqual([d[0], d[0], d[0], d[1], d[0], d[0], d[0], d[1]]);
    const far = cropFloat(IMG, { x0: 30, y0: 20, width: 2, height: 2 }, 2);
    expect(far.data[0]).toBe(d[23 * 17 - 1]);
    const padded = cropFloat(IMG, { x0: -3, y0: -3, width: 29, height: 23 }, 1);
    expect(downsample(padded, 1).data[3 * 29 + 3]).toBe(toFloat(IMG).data[0]);
  });
});

describe('regions and views', () => {
  it('uses the segmentation, or centred defaults flagged missing', () => {
    const seg = { pupil: { x: 10, y: 8, r: 2 }, iris: { x: 11, y: 8, r: 5 } };
    expect(resolveRegion(IMG, seg)).toEqual({ ...seg, missing: false });
    const d = resolveRegion(IMG, null);
    expect(d.missing).toBe(true);
    expect(d.iris).toEqual({ x: 11, y: 8, r: 0.25 * 17 });
    expect(() => resolveRegion(IMG, { pupil: { x: NaN, y: 1, r: 1 }, iris: seg.iris })).toThrow(/pupil/);
    expect(() => resolveRegion(IMG, { pupil: seg.pupil, iris: { x: 1, y: 1, r: 0 } })).toThrow(/iris/);
  });

  it('maps circles into a downsampled view and knows which pixels are real', () => {
    const seg = { pupil: { x: 10.5, y: 8.5, r: 2 }, iris: { x: 10.5, y: 8.5, r: 6 } };
    const v = eyeView(IMG, seg, { x0: -1, y0: 1, width: 24, height: 16 }, 2);
    // Block i covers source columns -1 + 2i .. 2i (centre 2i - 0.5, so x = 10.5 is 5.5) and rows
    // 1 + 2j .. 2 + 2j (centre 2j + 1.5, so y = 8.5 is 3.5). Column block 0 reaches past the image.
    expect(v.iris).toEqual({ x: 5.5, y: 3.5, r: 3 });
    expect(v.inside).toEqual({ x0: 1, y0: 0, width: 11, height: 8 });
    expect(clipToImage({ x0: -5, y0: 10, width: 10, height: 10 }, IMG)).toEqual({ x0: 0, y0: 10, width: 5, height: 7 });
  });
});
