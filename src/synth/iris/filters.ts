/**
 * Optics and sensor effects on a float image: defocus (Gaussian), linear motion blur, and the
 * sensor stage (vignetting, gain, signal-dependent noise, quantisation to 8 bits).
 */
import type { Rng } from '../../lib/rng.js';
import { normalTable, scratch, smoothGrid } from './noise.js';

/**
 * Separable Gaussian blur in place (edges replicated). Small sigmas use exact 3- or 5-tap
 * kernels; larger ones three box passes per axis (cost independent of sigma). No-op below 0.2.
 */
export function gaussianBlur(img: Float32Array, width: number, height: number, sigma: number): void {
  if (sigma < 0.2) return;
  const radius = Math.max(1, Math.round(2.5 * sigma));
  if (radius > 2 || width < 5 || height < 5) {
    smoothGrid(img, height, width, sigma, sigma, false);
    return;
  }
  const w1 = Math.exp(-1 / (2 * sigma * sigma));
  const w2 = radius === 2 ? Math.exp(-4 / (2 * sigma * sigma)) : 0;
  const norm = 1 + 2 * w1 + 2 * w2;
  const c0 = 1 / norm;
  const c1 = w1 / norm;
  const c2 = w2 / norm;
  const tmp = scratch('blur', img.length);
  const clampX = (x: number): number => (x < 0 ? 0 : x >= width ? width - 1 : x);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      if (x >= 2 && x < width - 2) {
        tmp[o + x] = c0 * img[o + x]! + c1 * (img[o + x - 1]! + img[o + x + 1]!) + c2 * (img[o + x - 2]! + img[o + x + 2]!);
      } else {
        tmp[o + x] =
          c0 * img[o + x]! +
          c1 * (img[o + clampX(x - 1)]! + img[o + clampX(x + 1)]!) +
          c2 * (img[o + clampX(x - 2)]! + img[o + clampX(x + 2)]!);
      }
    }
  }
  for (let y = 0; y < height; y++) {
    const o = y * width;
    const u1 = Math.max(0, y - 1) * width;
    const d1 = Math.min(height - 1, y + 1) * width;
    const u2 = Math.max(0, y - 2) * width;
    const d2 = Math.min(height - 1, y + 2) * width;
    for (let x = 0; x < width; x++) {
      img[o + x] = c0 * tmp[o + x]! + c1 * (tmp[u1 + x]! + tmp[d1 + x]!) + c2 * (tmp[u2 + x]! + tmp[d2 + x]!);
    }
  }
}

/** Averages the image along a line of `length` pixels at `angle` radians (camera or eye motion). */
export function motionBlur(img: Float32Array, width: number, height: number, length: number, angle: number): Float32Array {
  if (length < 0.75) return img;
  const taps = Math.ceil(length) + 1;
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const out = scratch('motion', img.length, true);
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
  /** Linear illumination gradient (fractional change at the right and bottom edges). */
  lightX: number;
  lightY: number;
  gain: number;
  offset: number;
  /** Read noise in grey levels; shot noise grows with brightness on top of it. */
  noiseSigma: number;
}

/**
 * Applies vignetting and an illumination gradient (smooth, so applying them after the blur is
 * equivalent),
 * exposure and sensor noise, then rounds and clamps to 8 bits.
 */
export function sensorStage(img: Float32Array, width: number, height: number, s: SensorParams, rng: Rng): Uint8Array {
  const table = normalTable();
  let r = rng.uint32() | 1; // xorshift32 state; each draw gives two 16-bit table indices
  let spare = -1;
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
  for (let x = 0; x < width; x++) colTerm[x] = (x - hx) * (x - hx) * norm - (s.lightX * (x - hx)) / hx;
  for (let y = 0; y < height; y++) {
    const rowTerm = (y - hy) * (y - hy) * norm - (s.lightY * (y - hy)) / hy;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const i = o + x;
      const v = img[i]! * (1 - rowTerm - colTerm[x]!) * s.gain + offset;
      const level = v <= 0 ? 0 : v >= 256 ? 256 : v | 0;
      let n: number;
      if (spare >= 0) {
        n = table[spare]!;
        spare = -1;
      } else {
        r ^= r << 13;
        r ^= r >>> 17;
        r ^= r << 5;
        n = table[r & 0xffff]!;
        spare = r >>> 16;
      }
      const q = v + sdTable[level]! * n;
      out[i] = q < 0 ? 0 : q >= 255 ? 255 : q | 0;
    }
  }
  return out;
}
