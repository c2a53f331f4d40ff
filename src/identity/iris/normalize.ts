/**
 * Daugman's rubber-sheet normalisation: the iris annulus between the pupil and limbus circles
 * (not necessarily concentric) is resampled onto a fixed grid of (radius, angle).
 */
import { sampleBilinear, type FloatImage } from '../../lib/imageops.js';
import type { Circle } from './geometry.js';

/** Size of the normalised iris image. */
export interface NormalizeParams {
  readonly rows: number;
  readonly cols: number;
}

export const DEFAULT_NORMALIZE_PARAMS: NormalizeParams = { rows: 64, cols: 512 };

/** The unwrapped iris: intensities, and where each sample came from in the image. */
export interface NormalizedIris {
  readonly rows: number;
  readonly cols: number;
  readonly image: Float32Array;
  /** 1 where the sample lies inside the image, 0 otherwise; refined later by the occlusion mask. */
  readonly inside: Uint8Array;
  readonly xs: Float32Array;
  readonly ys: Float32Array;
  /** The circles the annulus was unwrapped between. */
  readonly pupil: Circle;
  readonly iris: Circle;
}

/**
 * Image position of normalised coordinates: radius fraction rho in [0, 1] from pupil to limbus,
 * angle theta counter-clockwise from the image's +x axis (as a viewer sees it).
 */
export function polarToImage(pupil: Circle, iris: Circle, rho: number, theta: number): [number, number] {
  const c = Math.cos(theta);
  const s = -Math.sin(theta);
  const px = pupil.x + pupil.r * c;
  const py = pupil.y + pupil.r * s;
  const ix = iris.x + iris.r * c;
  const iy = iris.y + iris.r * s;
  return [px + rho * (ix - px), py + rho * (iy - py)];
}

/** Unwraps the iris annulus into a rows x cols image (row 0 at the pupil, column 0 at theta 0). */
export function normalizeIris(img: FloatImage, pupil: Circle, iris: Circle, params: NormalizeParams = DEFAULT_NORMALIZE_PARAMS): NormalizedIris {
  const { rows, cols } = params;
  const n = rows * cols;
  const image = new Float32Array(n);
  const inside = new Uint8Array(n);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  for (let j = 0; j < cols; j++) {
    const theta = (2 * Math.PI * j) / cols;
    const c = Math.cos(theta);
    const sn = -Math.sin(theta);
    const px = pupil.x + pupil.r * c;
    const py = pupil.y + pupil.r * sn;
    const dx = iris.x + iris.r * c - px;
    const dy = iris.y + iris.r * sn - py;
    for (let i = 0; i < rows; i++) {
      const rho = (i + 0.5) / rows;
      const x = px + rho * dx;
      const y = py + rho * dy;
      const k = i * cols + j;
      xs[k] = x;
      ys[k] = y;
      const v = sampleBilinear(img, x, y);
      if (Number.isNaN(v)) image[k] = 0;
      else {
        image[k] = v;
        inside[k] = 1;
      }
    }
  }
  return { rows, cols, image, inside, xs, ys, pupil, iris };
}
