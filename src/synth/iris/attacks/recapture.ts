/**
 * The second camera in a print or screen attack: the iris camera photographs a flat artefact.
 * The artefact's radiance is integrated over each sensor pixel at sub-pixel resolution after
 * the optics' blur (so fine periodic structure - halftone dots, a pixel grid - aliases into
 * moire as it does on a real sensor), then reflections, motion, the illuminator's fall-off and
 * sensor noise are added by the same sensor model as live captures.
 */
import type { Rng } from '../../../lib/rng.js';
import { motionBlur, sensorStage, type SensorParams } from '../filters.js';
import { addGlare, type Glare } from './glare.js';
import { RecaptureGeometry, type ArtefactPose } from './recapture-geometry.js';

/** Radiance of the artefact, in grey levels, at medium coordinates (u, v). */
export type Radiance = (u: number, v: number) => number;

/** How the artefact is photographed. */
export interface RecaptureParams extends ArtefactPose {
  /** Sub-samples per camera pixel along each axis. */
  supersample: number;
  /** Defocus (Gaussian sigma, camera pixels): the optics blur before the sensor integrates. */
  blurSigma: number;
  /**
   * Width of a pixel's light-sensitive area as a fraction of the pixel pitch (a sensor with
   * small photodiodes and no microlenses integrates less of each pixel, so fine grids alias more).
   */
  pixelFill: number;
  motionLength: number;
  motionAngle: number;
  sensor: SensorParams;
}

/** Ranges recapture parameters are drawn from. */
export interface RecaptureRanges {
  zoom: readonly [number, number];
  maxRotationDeg: number;
  /** Largest shift as a fraction of the frame size. */
  maxShift: number;
  maxKeystone: number;
  blur: readonly [number, number];
  pixelFill: readonly [number, number];
  motionChance: number;
  gain: readonly [number, number];
  noise: readonly [number, number];
  vignette: readonly [number, number];
  supersample: number;
}

/** Draws a pose, optics and sensor for one recapture. */
export function sampleRecapture(rng: Rng, r: RecaptureRanges, width: number, height: number): RecaptureParams {
  const sym = (m: number): number => rng.uniform(-m, m);
  return {
    zoom: rng.uniform(r.zoom[0], r.zoom[1]),
    rotationDeg: sym(r.maxRotationDeg),
    shiftX: sym(r.maxShift) * width,
    shiftY: sym(r.maxShift) * height,
    keystoneX: sym(r.maxKeystone),
    keystoneY: sym(r.maxKeystone),
    supersample: r.supersample,
    blurSigma: rng.uniform(r.blur[0], r.blur[1]),
    pixelFill: rng.uniform(r.pixelFill[0], r.pixelFill[1]),
    motionLength: rng.chance(r.motionChance) ? rng.uniform(1, 3) : 0,
    motionAngle: rng.uniform(0, Math.PI),
    sensor: {
      vignette: rng.uniform(r.vignette[0], r.vignette[1]),
      lightX: rng.normal(0, 0.06),
      lightY: rng.normal(0, 0.06),
      gain: rng.uniform(r.gain[0], r.gain[1]),
      offset: rng.normal(0, 4),
      noiseSigma: rng.uniform(r.noise[0], r.noise[1]),
    },
  };
}

/**
 * The 1-D kernel of optical blur (Gaussian, sigma in camera pixels) followed by integration over
 * the light-sensitive part of a pixel (a centred box `fill` pixels wide, fine samples weighted by
 * their overlap): weights of fine samples xS - radius ... xS + S - 1 + radius for camera pixel x,
 * normalised.
 */
export function pixelKernel(S: number, sigma: number, fill = 1): { weights: Float64Array; radius: number } {
  const sf = sigma * S;
  const radius = sf < 0.2 ? 0 : Math.ceil(3 * sf);
  const lo = (S * (1 - fill)) / 2;
  const hi = S - lo;
  const box = Array.from({ length: S }, (_, b) => Math.max(0, Math.min(b + 1, hi) - Math.max(b, lo)));
  const weights = new Float64Array(2 * radius + S);
  let sum = 0;
  for (let j = 0; j < weights.length; j++) {
    let v = 0;
    for (let b = 0; b < S; b++) {
      const d = j - radius - b;
      v += box[b]! * (radius === 0 ? (d === 0 ? 1 : 0) : Math.exp((-d * d) / (2 * sf * sf)));
    }
    weights[j] = v;
    sum += v;
  }
  for (let j = 0; j < weights.length; j++) weights[j]! /= sum;
  return { weights, radius };
}

/** Filters one fine row with kernel k (edges replicated) and decimates it to camera columns. */
function filterRow(fine: Float32Array, k: Float64Array, radius: number, S: number, out: Float32Array, o: number, width: number): void {
  const FW = fine.length;
  for (let x = 0; x < width; x++) {
    const first = x * S - radius;
    let sum = 0;
    if (first >= 0 && first + k.length <= FW) {
      for (let t = 0; t < k.length; t++) sum += k[t]! * fine[first + t]!;
    } else {
      for (let t = 0; t < k.length; t++) sum += k[t]! * fine[Math.min(FW - 1, Math.max(0, first + t))]!;
    }
    out[o + x] = sum;
  }
}

/**
 * What reaches each sensor pixel: the radiance sampled on a grid `S` times finer than the
 * camera's, blurred by the optics and integrated over each pixel's sensitive area, as one
 * separable decimating filter per axis (edges replicated). Rows are filtered as they are sampled.
 */
function integrate(geometry: RecaptureGeometry, S: number, sigma: number, fill: number, radiance: Radiance): Float32Array {
  const { width, height } = geometry;
  const { weights: k, radius } = pixelKernel(S, sigma, fill);
  const FW = width * S;
  const FH = height * S;
  const fine = new Float32Array(FW);
  const us = new Float64Array(FW);
  const vs = new Float64Array(FW);
  const rows = new Float32Array(FH * width);
  for (let fy = 0; fy < FH; fy++) {
    geometry.mapRow((fy + 0.5) / S - 0.5, 0.5 / S - 0.5, 1 / S, us, vs);
    for (let i = 0; i < FW; i++) fine[i] = radiance(us[i]!, vs[i]!);
    filterRow(fine, k, radius, S, rows, fy * width, width);
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const first = y * S - radius;
    for (let t = 0; t < k.length; t++) {
      const o = Math.min(FH - 1, Math.max(0, first + t)) * width;
      const kt = k[t]!;
      for (let x = 0; x < width; x++) out[y * width + x]! += kt * rows[o + x]!;
    }
  }
  return out;
}

/**
 * Photographs an artefact: radiance sampled through the pose, optical blur, pixel integration,
 * reflections (`glare`), motion blur, then vignetting, exposure, noise and 8-bit quantisation.
 */
export function recapture(geometry: RecaptureGeometry, p: RecaptureParams, radiance: Radiance, glare: readonly Glare[], rng: Rng): Uint8Array {
  const { width: W, height: H } = geometry;
  const img = integrate(geometry, p.supersample, p.blurSigma, p.pixelFill, radiance);
  for (const g of glare) addGlare(img, W, H, g);
  const moved = motionBlur(img, W, H, p.motionLength, p.motionAngle);
  return sensorStage(moved, W, H, p.sensor, rng);
}
