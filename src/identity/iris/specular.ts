/**
 * Specular reflections: small saturated spots from the camera's illuminators. They break
 * pupil and iris localisation and carry no texture, so they are detected, masked and inpainted.
 */
import type { FloatImage } from '../../lib/imageops.js';

/** Parameters of specular-reflection detection. */
export interface SpecularParams {
  /** Minimum absolute intensity of a reflection pixel (0-255). */
  readonly minIntensity: number;
  /** Minimum excess over the local mean (box of `localRadius`). */
  readonly minContrast: number;
  readonly localRadius: number;
  /** Pixels added around each detected spot. */
  readonly dilate: number;
  /** Spots on surroundings brighter than this (skin between lashes, sclera) are left alone. */
  readonly maxLocalMean: number;
}

export const DEFAULT_SPECULAR_PARAMS: SpecularParams = { minIntensity: 190, minContrast: 40, localRadius: 7, dilate: 4, maxLocalMean: 170 };

/** Result: a mask (1 = reflection) and the image with reflections filled from their surroundings. */
export interface SpecularResult {
  readonly mask: Uint8Array;
  readonly inpainted: FloatImage;
  readonly fraction: number;
}

/** Detects small bright spots and fills them by diffusion from the surrounding pixels. */
export function removeSpecular(img: FloatImage, params: SpecularParams = DEFAULT_SPECULAR_PARAMS): SpecularResult {
  const { width: w, height: h } = img;
  const data = img.data;
  const seed: number[] = [];
  const d = params.localRadius;
  const half = params.minContrast / 2;
  const dirs = [d, -d, d * w, -d * w, d * w + d, d * w - d, -d * w + d, -d * w - d];
  for (let y = d + 1; y < h - d - 1; y++) {
    for (let x = d + 1; x < w - d - 1; x++) {
      const i = y * w + x;
      const v = data[i]!;
      if (v < params.minIntensity) continue;
      // A reflection is an isolated peak: darker surroundings in (nearly) every direction,
      // unlike bright skin or sclera, or skin showing between eyelashes. Cheap tests first.
      if (v - data[i - d]! < half || v - data[i + d]! < half) continue;
      let darker = 0;
      for (let k = 0; k < 8; k++) if (v - data[i + dirs[k]!]! >= half) darker++;
      if (darker < 7) continue;
      const m = localMean(data, w, x, y, d);
      if (v - m < params.minContrast || m > params.maxLocalMean) continue;
      seed.push(i);
    }
  }
  const mask = new Uint8Array(w * h);
  const r = params.dilate;
  let count = 0;
  for (const i of seed) {
    const x = i % w;
    const y = (i - x) / w;
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
      for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
        if (!mask[yy * w + xx]) {
          mask[yy * w + xx] = 1;
          count++;
        }
      }
    }
  }
  return { mask, inpainted: count > 0 ? inpaint(img, mask) : img, fraction: count / mask.length };
}

/** Mean of the (2d+1)^2 box around (x, y); the caller keeps the box inside the image. */
function localMean(data: Float32Array, w: number, x: number, y: number, d: number): number {
  let acc = 0;
  for (let yy = y - d; yy <= y + d; yy++) {
    const row = yy * w;
    for (let xx = x - d; xx <= x + d; xx++) acc += data[row + xx]!;
  }
  return acc / ((2 * d + 1) * (2 * d + 1));
}

/**
 * Fills masked pixels by linear interpolation across each masked run, along the row and along the
 * column, averaging the two: cheap (proportional to the masked area) and smooth enough that a
 * filled reflection leaves no edge for the boundary searches.
 */
export function inpaint(img: FloatImage, mask: Uint8Array): FloatImage {
  const { width: w, height: h } = img;
  const src = img.data;
  const data = Float32Array.from(src);
  // Work inside the bounding box of the mask.
  let x0 = w, x1 = -1, y0 = h, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (!mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return { width: w, height: h, data };
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const sum = new Float32Array(bw * bh);
  const count = new Uint8Array(bw * bh);
  const add = (i: number, v: number): void => {
    const x = i % w;
    const k = ((i - x) / w - y0) * bw + (x - x0);
    sum[k] += v;
    count[k]++;
  };
  const fillRun = (start: number, n: number, stride: number, before: number, after: number): void => {
    // n masked pixels from index start along a line with the given stride.
    const left = before >= 0 ? src[before]! : NaN;
    const right = after >= 0 ? src[after]! : NaN;
    for (let k = 0, i = start; k < n; k++, i += stride) {
      const t = (k + 1) / (n + 1);
      const v = Number.isNaN(left) ? right : Number.isNaN(right) ? left : left + (right - left) * t;
      if (!Number.isNaN(v)) add(i, v);
    }
  };
  for (let y = y0; y <= y1; y++) {
    const row = y * w;
    let x = x0;
    while (x <= x1) {
      if (!mask[row + x]) { x++; continue; }
      const start = x;
      while (x < w && mask[row + x]) x++;
      fillRun(row + start, x - start, 1, start > 0 ? row + start - 1 : -1, x < w ? row + x : -1);
    }
  }
  for (let x = x0; x <= x1; x++) {
    let y = y0;
    while (y <= y1) {
      if (!mask[y * w + x]) { y++; continue; }
      const start = y;
      while (y < h && mask[y * w + x]) y++;
      fillRun(start * w + x, y - start, w, start > 0 ? (start - 1) * w + x : -1, y < h ? y * w + x : -1);
    }
  }
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const k = (y - y0) * bw + (x - x0);
      if (count[k]) data[y * w + x] = sum[k]! / count[k]!;
    }
  }
  return { width: w, height: h, data };
}
