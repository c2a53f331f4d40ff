/**
 * Specular reflections: small saturated spots from the camera's illuminators. They break
 * pupil and iris localisation and carry no texture, so they are detected, masked and inpainted.
 */
import { boxBlur, dilateMask, type FloatImage } from '../../lib/imageops.js';

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
  const d = params.localRadius;
  const dirs = [[d, 0], [-d, 0], [0, d], [0, -d], [d, d], [d, -d], [-d, d], [-d, -d]] as const;
  for (let y = d; y < h - d; y++) {
    for (let x = d; x < w - d; x++) {
      const i = y * w + x;
      const v = img.data[i]!;
      const m = local.data[i]!;
      if (v < params.minIntensity || v - m < params.minContrast || m > params.maxLocalMean) continue;
      // A reflection is an isolated peak: darker surroundings in (nearly) every direction,
      // unlike bright skin showing between eyelashes.
      let darker = 0;
      for (const [dx, dy] of dirs) if (v - img.data[i + dy * w + dx]! >= params.minContrast / 2) darker++;
      if (darker >= 7) seed[i] = 1;
    }
  }
  const mask = dilateMask(seed, w, h, params.dilate);
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  return { mask, inpainted: inpaint(img, mask), fraction: count / mask.length };
}

/**
 * Fills masked pixels with the mean of the unmasked pixels around them (normalised convolution
 * with a box that grows until every hole is covered).
 */
export function inpaint(img: FloatImage, mask: Uint8Array, radius = 6): FloatImage {
  const { width: w, height: h } = img;
  const data = Float32Array.from(img.data);
  let holes = 0;
  for (let i = 0; i < mask.length; i++) holes += mask[i]!;
  if (holes === 0) return { width: w, height: h, data };
  const known = new Float32Array(w * h);
  const weighted = new Float32Array(w * h);
  for (let i = 0; i < known.length; i++) {
    known[i] = mask[i] ? 0 : 1;
    weighted[i] = mask[i] ? 0 : img.data[i]!;
  }
  const remaining = Uint8Array.from(mask);
  for (let r = radius; holes > 0 && r <= Math.max(w, h); r *= 2) {
    const num = boxBlur({ width: w, height: h, data: weighted }, r).data;
    const den = boxBlur({ width: w, height: h, data: known }, r).data;
    for (let i = 0; i < remaining.length; i++) {
      if (!remaining[i] || den[i]! < 1e-6) continue;
      data[i] = num[i]! / den[i]!;
      remaining[i] = 0;
      holes--;
    }
  }
  return { width: w, height: h, data };
}
