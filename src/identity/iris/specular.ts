/**
 * Specular reflections: small saturated spots from the camera's illuminators. They break
 * pupil and iris localisation and carry no texture, so they are detected, masked and inpainted.
 */
import { boxSum, integralImage, type FloatImage } from '../../lib/imageops.js';

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
  const integral = integralImage(img);
  const seed: number[] = [];
  const d = params.localRadius;
  const area = (2 * d + 1) * (2 * d + 1);
  const dirs = [d, -d, d * w, -d * w, d * w + d, d * w - d, -d * w + d, -d * w - d];
  for (let y = d + 1; y < h - d - 1; y++) {
    for (let x = d + 1; x < w - d - 1; x++) {
      const i = y * w + x;
      const v = img.data[i]!;
      if (v < params.minIntensity) continue;
      // Cheap rejection first: bright skin or sclera has an equally bright neighbour.
      if (v - img.data[i - d]! < params.minContrast / 2 || v - img.data[i + d]! < params.minContrast / 2) continue;
      const m = boxSum(integral, w, x - d, y - d, x + d + 1, y + d + 1) / area;
      if (v - m < params.minContrast || m > params.maxLocalMean) continue;
      // A reflection is an isolated peak: darker surroundings in (nearly) every direction,
      // unlike bright skin showing between eyelashes.
      let darker = 0;
      for (let k = 0; k < 8; k++) if (v - img.data[i + dirs[k]!]! >= params.minContrast / 2) darker++;
      if (darker >= 7) seed.push(i);
    }
  }
  const mask = new Uint8Array(w * h);
  const r = params.dilate;
  for (const i of seed) {
    const x = i % w;
    const y = (i - x) / w;
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) mask.fill(1, yy * w + Math.max(0, x - r), yy * w + Math.min(w - 1, x + r) + 1);
  }
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  return { mask, inpainted: inpaint(img, mask), fraction: count / mask.length };
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
  const sum = new Float32Array(w * h);
  const count = new Uint8Array(w * h);
  const fillRun = (start: number, end: number, stride: number, before: number, after: number): void => {
    // start..end (exclusive) are masked indices along a line with the given stride.
    const n = (end - start) / stride;
    const left = before >= 0 ? src[before]! : NaN;
    const right = after >= 0 ? src[after]! : NaN;
    for (let k = 0, i = start; k < n; k++, i += stride) {
      const t = (k + 1) / (n + 1);
      const v = Number.isNaN(left) ? right : Number.isNaN(right) ? left : left + (right - left) * t;
      if (Number.isNaN(v)) continue;
      sum[i] += v;
      count[i]++;
    }
  };
  let columnsWithHoles: number[] = [];
  const colHas = new Uint8Array(w);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let x = 0;
    while (x < w) {
      if (!mask[row + x]) { x++; continue; }
      const start = x;
      while (x < w && mask[row + x]) { colHas[x] = 1; x++; }
      fillRun(row + start, row + x, 1, start > 0 ? row + start - 1 : -1, x < w ? row + x : -1);
    }
  }
  for (let x = 0; x < w; x++) if (colHas[x]) columnsWithHoles.push(x);
  for (const x of columnsWithHoles) {
    let y = 0;
    while (y < h) {
      if (!mask[y * w + x]) { y++; continue; }
      const start = y;
      while (y < h && mask[y * w + x]) y++;
      fillRun(start * w + x, y * w + x, w, start > 0 ? (start - 1) * w + x : -1, y < h ? y * w + x : -1);
    }
  }
  columnsWithHoles = [];
  for (let i = 0; i < data.length; i++) if (count[i]) data[i] = sum[i]! / count[i]!;
  return { width: w, height: h, data };
}
