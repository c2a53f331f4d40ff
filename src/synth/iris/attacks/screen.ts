/**
 * Screen (replay) attacks: a photo of the eye shown on a phone, tablet or e-reader held in front
 * of the camera.
 *
 * Physics: the display resamples the photo onto its own pixel array; each pixel lights through
 * sub-pixel apertures separated by a dark matrix (LCD stripes, OLED PenTile diamonds, e-ink
 * squares with reflective gaps), seen in near-infrared with unequal sub-pixel weights. The
 * display's transfer curve differs from the photo's (gamma mismatch), too few levels leave
 * banding, an emissive panel has raised blacks and little NIR brightness (so the camera's gain
 * and noise go up). Each camera sample integrates the apertures over its footprint (area
 * sampling), so only the real beat between panel and sensor grids shows. The glass mirrors a window or lamp (a soft rectangle) and, held square to
 * the camera, the illuminator itself. The recapture samples the grid at a random scale and
 * angle, so the grid shows as a spectral peak or aliases into moire.
 */
import type { Rng } from '../../../lib/rng.js';
import { gaussianBlur } from '../filters.js';
import type { IrisCapture } from '../live.js';
import type { Glare } from './glare.js';
import { PeriodicBoxMean } from './box-mean.js';
import { bilinear, onMedium, planeOf, type Plane } from './medium.js';
import type { Radiance, RecaptureRanges } from './recapture.js';

export const DISPLAYS = ['lcd', 'oled', 'eink'] as const;
export type Display = (typeof DISPLAYS)[number];
/** Sub-pixel layouts: RGB stripes (LCD), PenTile diamonds (OLED), one square (e-ink). */
export type SubpixelLayout = 'stripe' | 'pentile' | 'square';

/** Everything that shapes one displayed photo. Lengths are in pixels of the photo. */
export interface ScreenParams {
  display: Display;
  layout: SubpixelLayout;
  /**
   * Photo pixels per screen pixel, about camera pixels per screen pixel: the photo is shown near
   * life size, so this is the panel's pixel pitch over the camera's (about 55 um at 18 px/mm):
   * 1-1.6 for phones (400-460 ppi), 1.5-2 for e-readers and tablets, up to 3 for laptops.
   */
  pixelPitch: number;
  /** Aperture size as a fraction of its cell. */
  fill: number;
  /** Radiance of the matrix between apertures, relative to a lit aperture. */
  gap: number;
  /** Near-infrared weight of each sub-pixel. */
  subpixel: [number, number, number];
  /** Display transfer relative to the photo's encoding. */
  gamma: number;
  /** Grey levels the panel shows (banding). */
  levels: number;
  /** Grey levels of the panel's black and white as the camera sees them (averaged over the apertures). */
  black: number;
  white: number;
  /** What the viewer shows around the photo when the photo does not fill the camera's view. */
  background: 'black' | 'white';
}

/** Recapture of screens: handheld, rotated more freely than paper, sharp focus on the glass. */
export const SCREEN_RECAPTURE: RecaptureRanges = {
  zoom: [0.92, 1.1],
  maxRotationDeg: 12,
  maxShift: 0.04,
  maxKeystone: 0.06,
  blur: [0.35, 0.9],
  pixelFill: [0.5, 1],
  motionChance: 0.15,
  gain: [0.95, 1.2],
  noise: [1.5, 4.5],
  vignette: [0.05, 0.25],
  supersample: 3,
};

function pickDisplay(rng: Rng): Display {
  const u = rng.next();
  return u < 0.55 ? 'lcd' : u < 0.8 ? 'oled' : 'eink';
}

/** Draws the parameters of one display. */
export function sampleScreen(rng: Rng): ScreenParams {
  const display = pickDisplay(rng);
  const logUniform = (lo: number, hi: number): number => Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  const pixelPitch = display === 'lcd' ? logUniform(1, 3.2) : display === 'oled' ? logUniform(0.9, 1.6) : logUniform(1.3, 1.9);
  const gamma = rng.uniform(0.75, 1.4);
  const subpixel: [number, number, number] = [rng.uniform(0.7, 1), rng.uniform(0.7, 1), rng.uniform(0.7, 1)];
  const levels = Math.round(logUniform(16, 128));
  const background = rng.chance(0.6) ? 'black' : 'white';
  switch (display) {
    case 'lcd':
      return { display, layout: 'stripe', pixelPitch, fill: rng.uniform(0.6, 0.85), gap: rng.uniform(0.02, 0.1), subpixel, gamma, levels,
        black: rng.uniform(12, 40), white: rng.uniform(140, 230), background };
    case 'oled':
      return { display, layout: 'pentile', pixelPitch, fill: rng.uniform(0.45, 0.75), gap: rng.uniform(0, 0.02), subpixel, gamma, levels,
        black: rng.uniform(4, 15), white: rng.uniform(120, 210), background };
    case 'eink':
      return { display, layout: 'square', pixelPitch, fill: rng.uniform(0.85, 0.97), gap: rng.uniform(0.5, 0.8), subpixel: [1, 1, 1], gamma,
        levels: 16, black: rng.uniform(45, 80), white: rng.uniform(160, 210), background };
  }
}

/**
 * Reflections on the panel: a window or lamp (soft rectangle; a broad lobe on matte e-ink) and,
 * sometimes, the camera's illuminator mirrored by the glass.
 */
export function sampleScreenGlare(rng: Rng, p: ScreenParams, width: number, height: number): Glare[] {
  const out: Glare[] = [];
  const matte = p.display === 'eink';
  if (rng.chance(matte ? 0.3 : 0.7)) {
    out.push({
      shape: matte ? 'lobe' : 'rect',
      x: width * rng.uniform(0.1, 0.9),
      y: height * rng.uniform(0.1, 0.9),
      halfW: width * rng.uniform(0.1, 0.35),
      halfH: height * rng.uniform(0.05, 0.25),
      angleDeg: rng.uniform(-30, 30),
      amp: matte ? rng.uniform(10, 30) : rng.uniform(15, 80),
      soft: rng.uniform(2, 15),
      falloff: rng.uniform(0, 0.8),
    });
  }
  if (!matte && rng.chance(0.5)) {
    const r = rng.uniform(3, 10);
    out.push({ shape: 'ellipse', x: width * rng.uniform(0.25, 0.75), y: height * rng.uniform(0.25, 0.75), halfW: r, halfH: r * rng.uniform(0.7, 1),
      angleDeg: rng.uniform(0, 180), amp: 260, soft: 1, falloff: 0 });
  }
  return out;
}

/** Relative radiance of a point (fx, fy) in [0, 1)^2 of one screen pixel. */
export function aperture(p: ScreenParams, fx: number, fy: number): number {
  switch (p.layout) {
    case 'stripe': {
      const k = Math.min(2, Math.floor(fx * 3));
      const gx = fx * 3 - k;
      return Math.abs(gx - 0.5) < p.fill / 2 && Math.abs(fy - 0.5) < Math.min(0.95, p.fill + 0.1) / 2 ? p.subpixel[k]! : p.gap;
    }
    case 'pentile': {
      // Two small green diamonds on one diagonal, larger red and blue on the other.
      const qx = fx < 0.5 ? 0 : 1;
      const qy = fy < 0.5 ? 0 : 1;
      const green = qx === qy;
      const d = Math.abs(fx - 0.25 - 0.5 * qx) + Math.abs(fy - 0.25 - 0.5 * qy);
      const reach = (green ? 0.18 : 0.25) * p.fill;
      return d < reach ? p.subpixel[green ? 1 : qx === 1 ? 0 : 2]! : p.gap;
    }
    case 'square':
      return Math.max(Math.abs(fx - 0.5), Math.abs(fy - 0.5)) < p.fill / 2 ? 1 : p.gap;
  }
}

/** The panel's pixel values: the photo resampled to the pixel array, through the display's transfer and levels. */
function panelPlane(photo: Plane, p: ScreenParams): Plane {
  const q = p.pixelPitch;
  const smooth = Float32Array.from(photo.data);
  if (q > 1) gaussianBlur(smooth, photo.width, photo.height, 0.4 * q);
  const src: Plane = { width: photo.width, height: photo.height, data: smooth };
  const nx = Math.ceil(photo.width / q) + 1;
  const ny = Math.ceil(photo.height / q) + 1;
  const out = new Float32Array(nx * ny);
  const top = p.levels - 1;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const t = Math.min(1, Math.max(0, bilinear(src, (i + 0.5) * q - 0.5, (j + 0.5) * q - 0.5) / 255));
      out[j * nx + i] = p.black + ((p.white - p.black) * Math.round(Math.pow(t, p.gamma) * top)) / top;
    }
  }
  return { width: nx, height: ny, data: out };
}

/**
 * The radiance of the lit panel at photo point (u, v): pixel value times its aperture, averaged
 * over a camera sample's footprint (`footprint` photo pixels wide); around the photo, the
 * viewer's black or white background (the panel extends beyond the camera's view).
 */
export function screenRadiance(source: IrisCapture, p: ScreenParams, footprint: number): Radiance {
  const photo = planeOf(source.image);
  const panel = panelPlane(photo, p);
  const apertures = new PeriodicBoxMean((fx, fy) => aperture(p, fx, fy));
  const seen = apertures.filtered((0.5 * footprint) / p.pixelPitch);
  const norm = 1 / apertures.mean;
  const inv = 1 / p.pixelPitch;
  const background = p.background === 'black' ? p.black : p.white;
  return (u, v) => {
    const su = (u + 0.5) * inv;
    const sv = (v + 0.5) * inv;
    const value = onMedium(photo, u, v) ? panel.data[Math.floor(sv) * panel.width + Math.floor(su)]! : background;
    return value * seen.at(su, sv) * norm;
  };
}
