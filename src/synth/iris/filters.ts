/**
 * Optics and sensor effects on a float image: defocus (Gaussian), linear motion blur, and
 * signal-dependent sensor noise with quantisation to 8 bits.
 */
import type { Rng } from '../../lib/rng.js';
import { fillNormal } from './noise.js';

/** Separable Gaussian blur in place (edges replicated). No-op for tiny sigma. */
export function gaussianBlur(img: Float32Array, width: number, height: number, sigma: number): void {
  if (sigma < 0.2) return;
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= sum;
  const tmp = new Float32Array(img.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) {
        const xx = x + k < 0 ? 0 : x + k >= width ? width - 1 : x + k;
        acc += kernel[k + radius]! * img[row + xx]!;
      }
      tmp[row + x] = acc;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) {
        const yy = y + k < 0 ? 0 : y + k >= height ? height - 1 : y + k;
        acc += kernel[k + radius]! * tmp[yy * width + x]!;
      }
      img[y * width + x] = acc;
    }
  }
}

/** Averages the image along a line of `length` pixels at `angle` radians (camera or eye motion). */
export function motionBlur(img: Float32Array, width: number, height: number, length: number, angle: number): Float32Array {
  if (length < 0.75) return img;
  const taps = Math.ceil(length) + 1;
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const out = new Float32Array(img.length);
  for (let t = 0; t < taps; t++) {
    const d = (t / (taps - 1) - 0.5) * length;
    const sx = d * dx;
    const sy = d * dy;
    const ix = Math.floor(sx);
    const iy = Math.floor(sy);
    const fx = sx - ix;
    const fy = sy - iy;
    const w00 = (1 - fx) * (1 - fy);
    const w10 = fx * (1 - fy);
    const w01 = (1 - fx) * fy;
    const w11 = fx * fy;
    for (let y = 0; y < height; y++) {
      const y0 = Math.min(height - 1, Math.max(0, y + iy));
      const y1 = Math.min(height - 1, Math.max(0, y + iy + 1));
      for (let x = 0; x < width; x++) {
        const x0 = Math.min(width - 1, Math.max(0, x + ix));
        const x1 = Math.min(width - 1, Math.max(0, x + ix + 1));
        out[y * width + x]! +=
          w00 * img[y0 * width + x0]! + w10 * img[y0 * width + x1]! + w01 * img[y1 * width + x0]! + w11 * img[y1 * width + x1]!;
      }
    }
  }
  const inv = 1 / taps;
  for (let i = 0; i < out.length; i++) out[i]! *= inv;
  return out;
}

/**
 * Adds Gaussian read noise plus shot noise that grows with brightness, then rounds and clamps
 * to 8 bits.
 */
export function sensorNoise(img: Float32Array, rng: Rng, sigma: number): Uint8Array {
  const noise = fillNormal(rng, new Float32Array(img.length));
  const out = new Uint8Array(img.length);
  const shot = 0.012 * sigma * sigma;
  for (let i = 0; i < img.length; i++) {
    const v = img[i]!;
    const sd = Math.sqrt(sigma * sigma + shot * (v > 0 ? v : 0));
    const q = Math.round(v + sd * noise[i]!);
    out[i] = q < 0 ? 0 : q > 255 ? 255 : q;
  }
  return out;
}
