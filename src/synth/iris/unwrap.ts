/**
 * Reference rubber-sheet unwrapping with known circles, using the renderer's own convention
 * (rays from the pupil centre). Used to check identity stability and handy for debugging a
 * segmentation against the truth; not part of the recognition pipeline.
 */
import type { GrayImage } from '../../lib/image.js';
import { sampleBilinearClamped } from '../../lib/imageops.js';
import { irisRayLength, type Circle } from './geometry.js';

/**
 * Samples the annulus between `pupil` and `iris` into a rows x cols float image: row k at
 * rho = (k + 0.5) / rows, column m at theta = 2 pi m / cols (from +x towards +y).
 */
export function unwrapIris(img: GrayImage, pupil: Circle, iris: Circle, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let m = 0; m < cols; m++) {
    const th = (2 * Math.PI * m) / cols;
    const ux = Math.cos(th);
    const uy = Math.sin(th);
    const ray = irisRayLength(pupil, iris, ux, uy);
    for (let k = 0; k < rows; k++) {
      const d = pupil.r + ((k + 0.5) / rows) * (ray - pupil.r);
      out[k * cols + m] = sampleBilinearClamped(img, pupil.x + d * ux, pupil.y + d * uy);
    }
  }
  return out;
}
