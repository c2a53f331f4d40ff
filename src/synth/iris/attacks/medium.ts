/**
 * Helpers shared by the flat artefacts (prints and screens): the photo they reproduce as a
 * float image, clamped bilinear lookups, and a hash for per-cell random thresholds.
 */
import type { GrayImage } from '../../../lib/image.js';
import { sampleBilinearClamped } from '../../../lib/imageops.js';

/** A single-channel float image, row-major. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** The 8-bit photo as a float plane (a copy). */
export function planeOf(img: GrayImage): Plane {
  return { width: img.width, height: img.height, data: Float32Array.from(img.data) };
}

/** True when (u, v) falls on the medium (pixel centres at integers, edges half a pixel out). */
export function onMedium(p: Plane, u: number, v: number): boolean {
  return u >= -0.5 && v >= -0.5 && u <= p.width - 0.5 && v <= p.height - 0.5;
}

/** Bilinear lookup with coordinates clamped into the plane. */
export const bilinear = (p: Plane, u: number, v: number): number => sampleBilinearClamped(p, u, v);

/** A uniform number in [0, 1) from two integers and a salt (integer hash, no state). */
export function hash01(i: number, j: number, salt: number): number {
  let h = (Math.imul(i, 0x27d4eb2d) ^ Math.imul(j, 0x165667b1) ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
