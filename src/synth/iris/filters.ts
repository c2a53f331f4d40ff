/**
 * Optics and sensor effects on a float image: defocus (Gaussian), linear motion blur, and the
 * sensor stage (vignetting, gain, signal-dependent noise, quantisation to 8 bits).
 */
import type { Rng } from '../../lib/rng.js';
import { fillNormal } from './noise.js';

/** Separable Gaussian blur in place (edges replicated). No-op for tiny sigma. */
export function gaussianBlur(img: Float32Array, width: number, height: number, sigma: number): void {
  if (sigma < 0.2) return;
  const radius = Math.max(1, Math.round(2.5 * sigma));
  const taps = 2 * radius + 1;
  const kernel = new Float32Array(taps);
  let sum = 0;
  for (let k = 0; k < taps; k++) sum += kernel[k] = Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma));
  for (let k = 0; k < taps; k++) kernel[k]! /= sum;

  // Horizontal pass through a padded copy of each row (three taps unrolled: the common case).
  const tmp = new Float32Array(img.length);
  const pad = new Float32Array(width + 2 * radius);
  const k0 = kernel[0]!;
  const k1 = kernel[1]!;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) pad[x + radius] = img[row + x]!;
    for (let k = 0; k < radius; k++) {
      pad[k] = img[row]!;
      pad[radius + width + k] = img[row + width - 1]!;
    }
    if (taps === 3) {
      for (let x = 0; x < width; x++) tmp[row + x] = k0 * (pad[x]! + pad[x + 2]!) + k1 * pad[x + 1]!;
    } else {
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += kernel[k]! * pad[x + k]!;
        tmp[row + x] = acc;
      }
    }
  }
  // Vertical pass row by row, so memory is read in order.
  img.fill(0);
  for (let y = 0; y < height; y++) {
    const out = y * width;
    for (let k = 0; k < taps; k++) {
      const yy = Math.min(height - 1, Math.max(0, y + k - radius));
      const w = kernel[k]!;
      const src = yy * width;
      for (let x = 0; x < width; x++) img[out + x]! += w * tmp[src + x]!;
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
  const xs0 = new Int32Array(width);
  const xs1 = new Int32Array(width);
  for (let t = 0; t < taps; t++) {
    const d = (t / (taps - 1) - 0.5) * length;
    const sx = d * dx;
    const sy = d * dy;
    const ix = Math.floor(sx);
    const iy = Math.floor(sy);
    const fx = sx - ix;
    const fy = sy - iy;
    const w00 = ((1 - fx) * (1 - fy)) / taps;
    const w10 = (fx * (1 - fy)) / taps;
    const w01 = ((1 - fx) * fy) / taps;
    const w11 = (fx * fy) / taps;
    for (let x = 0; x < width; x++) {
      xs0[x] = Math.min(width - 1, Math.max(0, x + ix));
      xs1[x] = Math.min(width - 1, Math.max(0, x + ix + 1));
    }
    for (let y = 0; y < height; y++) {
      const r0 = Math.min(height - 1, Math.max(0, y + iy)) * width;
      const r1 = Math.min(height - 1, Math.max(0, y + iy + 1)) * width;
      const o = y * width;
      for (let x = 0; x < width; x++) {
        const a = xs0[x]!;
        const b = xs1[x]!;
        out[o + x]! += w00 * img[r0 + a]! + w10 * img[r0 + b]! + w01 * img[r1 + a]! + w11 * img[r1 + b]!;
      }
    }
  }
  return out;
}

/** The sensor stage: radial vignetting, gain and offset, then read and shot noise. */
export interface SensorParams {
  vignette: number;
  gain: number;
  offset: number;
  /** Read noise in grey levels; shot noise grows with brightness on top of it. */
  noiseSigma: number;
}

/**
 * Applies vignetting (a smooth radial falloff, so applying it after the blur is equivalent),
 * exposure and sensor noise, then rounds and clamps to 8 bits.
 */
export function sensorStage(img: Float32Array, width: number, height: number, s: SensorParams, rng: Rng): Uint8Array {
  const noise = fillNormal(rng, new Float32Array(img.length));
  const out = new Uint8Array(img.length);
  const offset = s.offset + 0.5; // rounding by truncation below
  // Noise standard deviation by (clamped) signal level.
  const sdTable = new Float32Array(257);
  const shot = 0.012 * s.noiseSigma * s.noiseSigma;
  for (let v = 0; v <= 256; v++) sdTable[v] = Math.sqrt(s.noiseSigma * s.noiseSigma + shot * v);
  const hx = width / 2;
  const hy = height / 2;
  const norm = s.vignette / (hx * hx + hy * hy);
  const colTerm = new Float32Array(width);
  for (let x = 0; x < width; x++) colTerm[x] = (x - hx) * (x - hx) * norm;
  for (let y = 0; y < height; y++) {
    const rowTerm = (y - hy) * (y - hy) * norm;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const i = o + x;
      const v = img[i]! * (1 - rowTerm - colTerm[x]!) * s.gain + offset;
      const level = v <= 0 ? 0 : v >= 256 ? 256 : v | 0;
      const q = v + sdTable[level]! * noise[i]!;
      out[i] = q < 0 ? 0 : q >= 255 ? 255 : q | 0;
    }
  }
  return out;
}
