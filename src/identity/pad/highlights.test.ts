import { describe, expect, it } from 'vitest';
import type { FloatImage } from '../../lib/imageops.js';
import { findHighlights, forEachDiscSpan, HIGHLIGHT_LEVEL } from './highlights.js';

function canvas(w: number, h: number, base = 100): FloatImage {
  return { width: w, height: h, data: new Float32Array(w * h).fill(base) };
}

function square(img: FloatImage, x0: number, y0: number, side: number, v: number): void {
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) img.data[y * img.width + x] = v;
}

describe('findHighlights', () => {
  const disc = { x: 30, y: 30, r: 25 };

  it('counts bright components inside the disc with their area, level and shape', () => {
    const img = canvas(61, 61);
    square(img, 20, 20, 4, 250); // 16 px, perimeter 16 edges
    square(img, 35, 35, 2, 240); // 4 px
    img.data[30 * 61 + 40] = 255; // a single hot pixel: below the minimum area
    const h = findHighlights(img, disc);
    expect(h.count).toBe(2);
    expect(h.areaShare).toBeCloseTo(20 / (Math.PI * 625), 12);
    expect(h.largestShare).toBeCloseTo(16 / (Math.PI * 625), 12);
    expect(h.compactness).toBeCloseTo((4 * Math.PI * 16) / 256, 12);
    expect(h.meanLevel).toBeCloseTo((16 * 250 + 4 * 240) / 20, 12);
    expect(h.maxLevel).toBe(255);
    // Bounding boxes plus a margin of 3 are excluded from later measures.
    expect(h.exclude[17 * 61 + 17]).toBe(1);
    expect(h.exclude[16 * 61 + 16]).toBe(0);
  });

  it('ignores bright regions that reach the rim (skin entering from outside) or lie outside', () => {
    const img = canvas(61, 61);
    for (let y = 0; y < 61; y++) for (let x = 0; x < 61; x++) if (y < 12) img.data[y * 61 + x] = 255;
    square(img, 0, 50, 5, 255);
    const h = findHighlights(img, disc);
    expect(h.count).toBe(0);
    expect(h.areaShare).toBe(0);
    expect(h.meanLevel).toBe(0);
    expect(h.maxLevel).toBe(255);
  });

  it('only looks at real pixels', () => {
    const img = canvas(61, 61);
    square(img, 20, 20, 4, HIGHLIGHT_LEVEL);
    expect(findHighlights(img, disc, { x0: 30, y0: 0, width: 31, height: 61 }).count).toBe(0);
    expect(findHighlights(img, disc, { x0: 0, y0: 0, width: 31, height: 61 }).count).toBe(1);
  });
});

describe('forEachDiscSpan', () => {
  it('visits exactly the pixels within the radius, clipped to the image', () => {
    const seen = new Set<number>();
    forEachDiscSpan(20, 10, { x: 3.3, y: 4.6, r: 5.2 }, (y, a, b) => {
      for (let x = a; x <= b; x++) seen.add(y * 20 + x);
    });
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 20; x++) expect(seen.has(y * 20 + x)).toBe((x - 3.3) ** 2 + (y - 4.6) ** 2 <= 5.2 ** 2);
    }
  });
});
