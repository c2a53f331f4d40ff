/**
 * Reference rubber-sheet unwrapping with known circles, using the renderer's own convention
 * (rays from the pupil centre). Used to check identity stability and handy for debugging a
 * segmentation against the truth; not part of the recognition pipeline.
 */
import type { GrayImage } from '../../lib/image.js';
import { irisRayLength, type Circle } from './geometry.js';

function bilinear(img: GrayImage, x: number, y: number): number {
  const { width: W, height: H, data } = img;
  const cx = x < 0 ? 0 : x > W - 1 ? W - 1 : x;
  const cy = y < 0 ? 0 : y > H - 1 ? H - 1 : y;
  const x0 = Math.min(W - 2, Math.floor(cx));
  const y0 = Math.min(H - 2, Math.floor(cy));
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * W + x0;
  const top = data[i]! + (data[i + 1]! - data[i]!) * fx;
  const bottom = data[i + W]! + (data[i + W + 1]! - data[i + W]!) * fx;
  return top + (bottom - top) * fy;
}

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
      out[k * cols + m] = bilinear(img, pupil.x + d * ux, pupil.y + d * uy);
    }
  }
  return out;
}
