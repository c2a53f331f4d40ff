/**
 * Print attacks: a photo of the eye printed on paper and held in front of the camera.
 *
 * Physics: the printer reproduces tones with a halftone screen (clustered dots on a rotated
 * grid, or stochastic dots), after the driver's resampling and often JPEG; its tone curve and
 * the paper's white and the ink's near-infrared absorption compress the dynamic range (colour
 * inks are nearly transparent in NIR, carbon black is not); paper fibres add grain. The corneal
 * reflection is whatever the photo held, printed flat (paper white, never saturated), retouched
 * away, or - with the pupil cut out - the attacker's own eye showing through the hole.
 */
import type { Rng } from '../../../lib/rng.js';
import type { Circle } from '../geometry.js';
import { gaussianBlur } from '../filters.js';
import { filteredNoise } from '../noise.js';
import type { IrisCapture, PresentationHooks } from '../live.js';
import type { Glare } from './glare.js';
import { jpegLike } from './jpeg.js';
import { bilinear, hash01, onMedium, planeOf, type Plane } from './medium.js';
import type { Radiance, RecaptureRanges } from './recapture.js';

/** Halftone dot shapes; `stochastic` is frequency-modulated screening (no periodic grid). */
export const HALFTONE_DOTS = ['round', 'elliptical', 'square', 'line', 'stochastic'] as const;
export type HalftoneDot = (typeof HALFTONE_DOTS)[number];

/** What becomes of the corneal reflection. */
export type PrintReflection = 'printed' | 'removed' | 'cutout';

/** Everything that shapes one printed photo. Lengths are in pixels of the photo. */
export interface PrintParams {
  dot: HalftoneDot;
  /** Halftone cell size (stochastic: the random dot size). */
  pitch: number;
  /** Screen angle in degrees. */
  angleDeg: number;
  /** Dot gain: ink spreading, darkening the mid-tones. */
  dotGain: number;
  /** Softness of dot edges (toner scatter, ink bleed), in units of coverage. */
  inkSpread: number;
  /** Printer tone curve exponent and the printable tone range (fraction of paper white). */
  gamma: number;
  toneLo: number;
  toneHi: number;
  /** JPEG quality of the photo before printing; 0 when it was not compressed. */
  jpegQuality: number;
  /** Resampling blur of the printer driver (Gaussian sigma). */
  preBlur: number;
  /** Grey level of blank paper under the illuminator. */
  paperLevel: number;
  /** Fraction of near-infrared light a full ink dot absorbs. */
  inkAbsorption: number;
  /** Paper grain: relative strength and correlation length. */
  grain: number;
  grainScale: number;
  finish: 'matte' | 'glossy';
  reflection: PrintReflection;
  /**
   * With a cut-out pupil: the hole's radius (fraction of the printed pupil's, 0 = no hole), the
   * grey level of the real pupil behind it, and the real corneal glint seen through it (offset
   * and radius as fractions of the hole's radius, direction in degrees).
   */
  holeScale: number;
  holeLevel: number;
  glintOffset: number;
  glintAngleDeg: number;
  glintScale: number;
}

/** Recapture of prints: handheld paper, roughly life-size, a little tilted. */
export const PRINT_RECAPTURE: RecaptureRanges = {
  zoom: [0.92, 1.1],
  maxRotationDeg: 6,
  maxShift: 0.04,
  maxKeystone: 0.08,
  blur: [0.45, 1.1],
  pixelFill: [0.5, 1],
  motionChance: 0.1,
  gain: [0.9, 1.1],
  noise: [1.2, 3.5],
  vignette: [0.05, 0.25],
  supersample: 3,
};

function pickDot(rng: Rng): HalftoneDot {
  const u = rng.next();
  return u < 0.35 ? 'round' : u < 0.55 ? 'elliptical' : u < 0.65 ? 'square' : u < 0.8 ? 'line' : 'stochastic';
}

function pickReflection(rng: Rng): PrintReflection {
  const u = rng.next();
  return u < 0.5 ? 'printed' : u < 0.75 ? 'removed' : 'cutout';
}

/** Draws the parameters of one print. */
export function samplePrint(rng: Rng): PrintParams {
  const dot = pickDot(rng);
  const reflection = pickReflection(rng);
  return {
    dot,
    pitch: dot === 'stochastic' ? rng.uniform(0.5, 1.0) : rng.uniform(1.6, 4.2),
    angleDeg: rng.uniform(0, 90),
    dotGain: rng.uniform(0, 0.15),
    inkSpread: rng.uniform(0.05, 0.35),
    gamma: rng.uniform(0.7, 1.5),
    toneLo: rng.uniform(0, 0.12),
    toneHi: rng.uniform(0.85, 1),
    jpegQuality: rng.chance(0.5) ? rng.int(25, 90) : 0,
    preBlur: rng.uniform(0, 0.9),
    paperLevel: rng.uniform(185, 240),
    // Mostly carbon toner or black ink (opaque in NIR); a fifth colour dye inks (nearly transparent).
    inkAbsorption: rng.chance(0.8) ? rng.uniform(0.75, 0.97) : rng.uniform(0.45, 0.75),
    grain: rng.uniform(0.005, 0.03),
    grainScale: rng.uniform(0.7, 3),
    finish: rng.chance(0.35) ? 'glossy' : 'matte',
    reflection,
    holeScale: reflection === 'cutout' ? rng.uniform(0.75, 1.0) : 0,
    holeLevel: rng.uniform(20, 45),
    glintOffset: rng.uniform(0, 0.5),
    glintAngleDeg: rng.uniform(0, 360),
    glintScale: rng.uniform(0.12, 0.3),
  };
}

/** The cut-out hole over the printed pupil and the glint of the real eye behind it, or null. */
function cutout(p: PrintParams, pupil: Circle): { hole: Circle; glint: Circle } | null {
  if (p.holeScale <= 0) return null;
  const hole = { x: pupil.x, y: pupil.y, r: pupil.r * p.holeScale };
  const a = (p.glintAngleDeg * Math.PI) / 180;
  return {
    hole,
    glint: { x: hole.x + p.glintOffset * hole.r * Math.cos(a), y: hole.y + p.glintOffset * hole.r * Math.sin(a), r: hole.r * p.glintScale },
  };
}

/** A retouched photo has no corneal reflections: render its source without them. */
export function printSourceHooks(p: PrintParams): PresentationHooks {
  return p.reflection === 'removed' ? { tweak: (c) => ({ ...c, spots: [] }) } : {};
}

/** The sheen of glossy paper: a broad soft highlight somewhere on the sheet. */
export function sampleSheen(rng: Rng, p: PrintParams, width: number, height: number): Glare[] {
  if (p.finish !== 'glossy') return [];
  return [
    {
      shape: 'lobe',
      x: width * rng.uniform(0.2, 0.8),
      y: height * rng.uniform(0.2, 0.8),
      halfW: width * rng.uniform(0.12, 0.35),
      halfH: height * rng.uniform(0.12, 0.35),
      angleDeg: rng.uniform(0, 180),
      amp: rng.uniform(15, 60),
      soft: 0,
      falloff: 0,
    },
  ];
}

/** Requested ink coverage per photo pixel: JPEG, driver blur, tone curve, dot gain. */
function inkPlane(photo: Plane, p: PrintParams): Plane {
  const { width: W, height: H } = photo;
  const d = Float32Array.from(photo.data);
  if (p.jpegQuality > 0) jpegLike(d, W, H, p.jpegQuality);
  gaussianBlur(d, W, H, p.preBlur);
  for (let i = 0; i < d.length; i++) {
    const t = Math.min(1, Math.max(0, d[i]! / 255));
    const ink = 1 - (p.toneLo + (p.toneHi - p.toneLo) * Math.pow(t, p.gamma));
    d[i] = Math.min(1, ink + p.dotGain * 4 * ink * (1 - ink));
  }
  return { width: W, height: H, data: d };
}

const COS_BITS = 10;
const COS_TABLE = Float32Array.from({ length: 1 << COS_BITS }, (_, k) => Math.cos((2 * Math.PI * k) / (1 << COS_BITS)));

/** cos(2 pi f) for f in [0, 1). */
function cosTurn(f: number): number {
  return COS_TABLE[(f * (1 << COS_BITS)) & ((1 << COS_BITS) - 1)]!;
}

/**
 * The halftone threshold at photo point (u, v): ink is laid where the requested coverage
 * exceeds it (with soft dot edges). Each shape's threshold grows from its cell centre outwards.
 */
export function halftoneThreshold(p: PrintParams, salt: number): (u: number, v: number) => number {
  const a = (p.angleDeg * Math.PI) / 180;
  const c = Math.cos(a) / p.pitch;
  const s = Math.sin(a) / p.pitch;
  const frac = (x: number): number => x - Math.floor(x);
  switch (p.dot) {
    case 'round':
      return (u, v) => (cosTurn(frac(u * c + v * s)) + cosTurn(frac(-u * s + v * c))) / 4 + 0.5;
    case 'elliptical':
      return (u, v) => (cosTurn(frac(u * c + v * s)) + 0.6 * cosTurn(frac(-u * s + v * c))) / 3.2 + 0.5;
    case 'square':
      return (u, v) => 2 * Math.max(Math.abs(frac(u * c + v * s) - 0.5), Math.abs(frac(-u * s + v * c) - 0.5));
    case 'line':
      return (u, v) => (cosTurn(frac(u * c + v * s)) + 1) / 2;
    case 'stochastic':
      return (u, v) => hash01(Math.floor(u / p.pitch), Math.floor(v / p.pitch), salt);
  }
}

/**
 * The radiance of the printed sheet at photo point (u, v): paper white, darkened where the
 * halftone lays ink, with paper grain; blank paper beyond the photo; the real eye behind a
 * cut-out pupil.
 */
export function printRadiance(source: IrisCapture, p: PrintParams, rng: Rng): Radiance {
  const photo = planeOf(source.image);
  const ink = inkPlane(photo, p);
  const { width: W, height: H } = photo;
  const grain = filteredNoise(rng.fork('grain'), H, W, p.grainScale, p.grainScale, true);
  const threshold = halftoneThreshold(p, rng.uint32());
  const cut = cutout(p, source.truth.pupil);
  return (u, v) => {
    if (cut) {
      const { hole, glint } = cut;
      if ((u - hole.x) ** 2 + (v - hole.y) ** 2 < hole.r * hole.r) return (u - glint.x) ** 2 + (v - glint.y) ** 2 < glint.r * glint.r ? 255 : p.holeLevel;
    }
    // Paper fibres, at the photo's pixel scale; the sheet's grain repeats beyond the photo.
    const gx = Math.round(u) % W;
    const gy = Math.round(v) % H;
    const paper = p.paperLevel * (1 + p.grain * grain[(gy < 0 ? gy + H : gy) * W + (gx < 0 ? gx + W : gx)]!);
    if (!onMedium(photo, u, v)) return paper;
    const laid = (bilinear(ink, u, v) - threshold(u, v)) / p.inkSpread + 0.5;
    return paper * (1 - p.inkAbsorption * (laid <= 0 ? 0 : laid >= 1 ? 1 : laid));
  };
}
