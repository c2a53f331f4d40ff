/**
 * Specular reflections: small saturated spots from the camera's illuminators. They break
 * pupil and iris localisation and carry no texture, so they are detected, masked and inpainted.
 */
import { boxBlur, type FloatImage } from '../../lib/imageops.js';

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
  const local = boxBlur(img, params.localRadius);
  const seed = new Uint8Array(w * h);
  for (let i = 0; i < seed.length; i++) {
    const v = img.data[i]!;
    const m = local.data[i]!;
    if (v >= params.minIntensity && v - m >= params.minContrast && m <= params.maxLocalMean) seed[i] = 1;
  }
  const mask = dilate(seed, w, h, params.dilate);
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  return { mask, inpainted: inpaint(img, mask), fraction: count / mask.length };
}

/** Square dilation of a binary mask by r pixels. */
export function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return mask;
  const tmp = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let last = -1e9;
    for (let x = 0; x < w; x++) if (mask[y * w + x]) { last = x; } else if (x - last <= r) tmp[y * w + x] = 1;
    last = 1e9;
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (mask[i]) { tmp[i] = 1; last = x; } else if (last - x <= r) tmp[i] = 1;
    }
  }
  for (let x = 0; x < w; x++) {
    let last = -1e9;
    for (let y = 0; y < h; y++) if (tmp[y * w + x]) { last = y; out[y * w + x] = 1; } else if (y - last <= r) out[y * w + x] = 1;
    last = 1e9;
    for (let y = h - 1; y >= 0; y--) if (tmp[y * w + x]) last = y; else if (last - y <= r) out[y * w + x] = 1;
  }
  return out;
}

/**
 * Fills masked pixels by onion-peeling: each pass sets border pixels of the hole to the mean
 * of their known 8-neighbours, until the hole is closed.
 */
export function inpaint(img: FloatImage, mask: Uint8Array): FloatImage {
  const { width: w, height: h } = img;
  const data = Float32Array.from(img.data);
  const known = new Uint8Array(w * h);
  let pending: number[] = [];
  for (let i = 0; i < known.length; i++) {
    if (mask[i]) pending.push(i);
    else known[i] = 1;
  }
  while (pending.length > 0) {
    const filled: number[] = [];
    const values: number[] = [];
    const next: number[] = [];
    for (const i of pending) {
      const x = i % w;
      const y = (i - x) / w;
      let acc = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (known[j]) { acc += data[j]!; n++; }
        }
      }
      if (n > 0) { filled.push(i); values.push(acc / n); } else next.push(i);
    }
    if (filled.length === 0) break;
    for (let k = 0; k < filled.length; k++) { data[filled[k]!] = values[k]!; known[filled[k]!] = 1; }
    pending = next;
  }
  return { width: w, height: h, data };
}
