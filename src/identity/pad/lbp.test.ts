import { describe, expect, it } from 'vitest';
import type { FloatImage } from '../../lib/imageops.js';
import { LBP_BINS, lbpHistogram, riu2Label } from './lbp.js';

function image(w: number, h: number, f: (x: number, y: number) => number): FloatImage {
  return { width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => f(i % w, Math.floor(i / w))) };
}

const all = (img: FloatImage): Int32Array => Int32Array.from({ length: img.width * img.height }, (_, i) => i);

describe('riu2 labels', () => {
  it('count the ones of uniform patterns and put the rest in bin 9', () => {
    expect(riu2Label(0b00000000)).toBe(0);
    expect(riu2Label(0b11111111)).toBe(8);
    expect(riu2Label(0b00000111)).toBe(3);
    expect(riu2Label(0b11100000)).toBe(3); // a rotation of the same arc
    expect(riu2Label(0b10000001)).toBe(2); // an arc across the wrap-around
    expect(riu2Label(0b00000101)).toBe(9);
    expect(riu2Label(0b01010101)).toBe(9);
    const counts = new Array(10).fill(0);
    for (let c = 0; c < 256; c++) counts[riu2Label(c)]++;
    // P = 8: one pattern each with 0 or 8 ones, 8 rotations for 1..7 ones, the other 198 non-uniform.
    expect(counts).toEqual([1, 8, 8, 8, 8, 8, 8, 8, 1, 198]);
  });
});

describe('lbpHistogram', () => {
  it('puts a flat image (and its interpolated diagonals) entirely in u8', () => {
    for (const r of [1, 2] as const) {
      const img = image(12, 12, () => 100);
      const h = lbpHistogram(img, all(img), r);
      expect(h.length).toBe(LBP_BINS);
      expect(h[8]).toBe(1);
    }
  });

  it('reads a horizontal ramp as a uniform arc of five (east side brighter, north and south equal)', () => {
    const img = image(16, 16, (x) => x * 3);
    expect(lbpHistogram(img, all(img), 1)[5]).toBeCloseTo(1, 12);
    expect(lbpHistogram(img, all(img), 2)[5]).toBeCloseTo(1, 12);
  });

  it('sees a bright isolated pixel as u0 and its neighbours as u1 arcs', () => {
    const img = image(9, 9, (x, y) => (x === 4 && y === 4 ? 200 : 10));
    expect(Array.from(lbpHistogram(img, Int32Array.of(4 * 9 + 4), 1))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // East neighbour of the peak: the peak is west of it (one neighbour brighter), the rest are equal (>=).
    const east = lbpHistogram(img, Int32Array.of(4 * 9 + 5), 1);
    expect(east[8] + east[9]).toBe(1);
  });

  it('skips pixels whose circle leaves the image, and is all zeros when none is left', () => {
    const img = image(5, 5, () => 1);
    expect(Array.from(lbpHistogram(img, Int32Array.of(0, 1, 5), 1))).toEqual(new Array(10).fill(0));
    expect(lbpHistogram(img, Int32Array.of(12), 1)[8]).toBe(1);
    expect(Array.from(lbpHistogram(img, Int32Array.of(12), 2))).toEqual(new Array(10).fill(0));
  });

  it('is invariant to rotating the image by 90 degrees', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 255;
    const a = image(20, 20, () => Math.round(rand()));
    const b = image(20, 20, (x, y) => a.data[(19 - x) * 20 + y]!);
    for (const r of [1, 2] as const) {
      const ha = lbpHistogram(a, all(a), r);
      const hb = lbpHistogram(b, all(b), r);
      for (let k = 0; k < LBP_BINS; k++) expect(hb[k]).toBeCloseTo(ha[k]!, 12);
    }
  });
});
