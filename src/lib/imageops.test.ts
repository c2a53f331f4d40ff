import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { boxBlur, morph, type FloatImage } from './imageops.js';

function randomImage(w: number, h: number, seed: number): FloatImage {
  const rng = new Rng(seed);
  return { width: w, height: h, data: Float32Array.from({ length: w * h }, () => rng.int(0, 255)) };
}

/** Brute-force (2r+1)^2 min/max with clamped window, the definition morph must meet. */
function morphNaive(img: FloatImage, r: number, op: 1 | -1): Float32Array {
  const out = new Float32Array(img.data.length);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      let v = op > 0 ? -Infinity : Infinity;
      for (let yy = Math.max(0, y - r); yy <= Math.min(img.height - 1, y + r); yy++)
        for (let xx = Math.max(0, x - r); xx <= Math.min(img.width - 1, x + r); xx++) {
          const u = img.data[yy * img.width + xx]!;
          v = op > 0 ? Math.max(v, u) : Math.min(v, u);
        }
      out[y * img.width + x] = v;
    }
  return out;
}

function blurNaive(img: FloatImage, r: number): Float32Array {
  const out = new Float32Array(img.data.length);
  const c = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) acc += img.data[c(y + dy, img.height) * img.width + c(x + dx, img.width)]!;
      out[y * img.width + x] = acc / (2 * r + 1) ** 2;
    }
  return out;
}

describe('image operations equal their brute-force definitions', () => {
  for (const [w, h, r] of [[17, 11, 1], [23, 19, 3], [8, 30, 5], [5, 5, 4]] as const) {
    it(`erosion and dilation ${w}x${h} r=${r}`, () => {
      const img = randomImage(w, h, w * 100 + r);
      for (const op of [1, -1] as const) expect(Array.from(morph(img, r, op).data)).toEqual(Array.from(morphNaive(img, r, op)));
    });
    it(`box blur ${w}x${h} r=${r}`, () => {
      const img = randomImage(w, h, w * 7 + r);
      const fast = boxBlur(img, r).data;
      const slow = blurNaive(img, r);
      for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(slow[i]!, 3);
    });
  }
});
