/**
 * Per-capture variation: given an eye and a frame size, draws everything that changes from one
 * capture to the next (placement, dilation, rotation, gaze, lids, lashes, reflections, blur,
 * exposure, noise) as plain parameters for the renderer.
 */
import type { Rng } from '../../lib/rng.js';
import type { EyeTraits } from './eye.js';
import { lidCorners, parabolaY, rotateLid, type Circle, type Parabola } from './geometry.js';
import { sampleLashes, type LashStroke } from './lashes.js';
import { clamp } from './noise.js';

/** Which kind of specular reflection a capture shows. */
export type ReflectionMode = 'ring' | 'single' | 'mixed';

/** A capture is either ordinary or deliberately hard in one way. */
export type Difficulty = 'normal' | 'occluded' | 'defocus' | 'motion' | 'dim';
export const HARD_KINDS: readonly Difficulty[] = ['occluded', 'defocus', 'motion', 'dim'];

/** Ranges that shape the captures of a world. */
export interface CaptureConfig {
  width: number;
  height: number;
  pupilRatio: readonly [number, number];
  reflections: ReflectionMode;
  hardFraction: number;
  maxRotationDeg: number;
}

/** A bright specular spot: saturated core of radius r, soft edge. */
export interface Spot {
  x: number;
  y: number;
  r: number;
  peak: number;
}

/** Everything the renderer needs for one capture. */
export interface CaptureParams {
  width: number;
  height: number;
  difficulty: Difficulty;
  pupil: Circle;
  iris: Circle;
  rotationRad: number;
  /** Radial stroma shift at mid-rho caused by dilation away from the eye's rest state. */
  deform: number;
  /**
   * Small elastic wobble of the stroma for this capture, sampled at WARP_BINS angles: a radial
   * shift (in rho, scaled by 4 rho (1 - rho)) and an angular shift (in texture columns).
   */
  warpRho: Float32Array;
  warpCol: Float32Array;
  upperLid: Parabola;
  lowerLid: Parabola;
  /** x of the eye corners, nasal and temporal in image order (left first). */
  corners: [number, number];
  /** The caruncle: a darker fleshy patch in the nasal corner of the opening. */
  caruncle: { x: number; y: number; rx: number; ry: number };
  creaseOffset: number;
  lowerCreaseOffset: number;
  lashes: LashStroke[];
  spots: Spot[];
  skin: number;
  sclera: number;
  irisMean: number;
  irisContrast: number;
  limbalDark: number;
  pupilLevel: number;
  lashLevel: number;
  lidShadow: number;
  vignette: number;
  /** Linear illumination gradient across the frame (fractional change at the right / bottom edge). */
  lightX: number;
  lightY: number;
  gain: number;
  offset: number;
  blurSigma: number;
  motionLength: number;
  motionAngle: number;
  noiseSigma: number;
}

/**
 * The base iris radius for a frame: 110 px at 640x480, scaled linearly for larger frames and
 * more slowly for smaller ones (small frames are close-ups, as in CASIA-Iris-Interval's 320x280
 * where it gives about 92 px), capped so the iris fits, and at least 40 px where that fits.
 */
export function baseIrisRadius(width: number, height: number): number {
  const s = Math.min(width / 640, height / 480);
  const r = s >= 1 ? 110 * s : 110 * Math.pow(s, 0.25);
  const capped = Math.min(r, 0.34 * height, 0.3 * width);
  return Math.max(capped, Math.min(40, 0.45 * Math.min(width, height)));
}

function sampleSpots(rng: Rng, cfg: CaptureConfig, pupil: Circle, iris: Circle, lower: Parabola): Spot[] {
  const ri = iris.r;
  const spots: Spot[] = [];
  const mode = cfg.reflections === 'mixed' ? (rng.chance(0.6) ? 'ring' : 'single') : cfg.reflections;
  if (mode === 'ring') {
    // The illuminator's ring of eight LEDs mirrored by the cornea, as in CASIA-Iris-Interval.
    const cx = pupil.x + clamp(rng.normal(0, 0.04 * ri), -0.3 * pupil.r, 0.3 * pupil.r);
    const cy = pupil.y + clamp(rng.normal(0, 0.04 * ri), -0.3 * pupil.r, 0.3 * pupil.r);
    const ring = rng.uniform(0.16, 0.2) * ri;
    const dot = rng.uniform(0.028, 0.038) * ri;
    const phase = -Math.PI / 2 + rng.normal(0, 0.05);
    for (let k = 0; k < 8; k++) {
      const a = phase + (k * Math.PI) / 4;
      spots.push({ x: cx + ring * Math.cos(a), y: cy + ring * Math.sin(a), r: dot * rng.uniform(0.9, 1.1), peak: rng.uniform(235, 255) });
    }
  } else {
    const a = rng.uniform(0, 2 * Math.PI);
    const d = rng.uniform(0, 0.6) * pupil.r;
    spots.push({ x: pupil.x + d * Math.cos(a), y: pupil.y + d * Math.sin(a), r: rng.uniform(0.04, 0.08) * ri, peak: rng.uniform(235, 255) });
  }
  // Glints on the tear film along the lower lid margin.
  const glints = rng.int(0, 3);
  for (let k = 0; k < glints; k++) {
    const x = iris.x + rng.uniform(-0.8, 0.8) * ri;
    const y = parabolaY(lower, x) - rng.uniform(0.5, 2);
    spots.push({ x, y, r: rng.uniform(0.008, 0.018) * ri + 0.5, peak: rng.uniform(200, 250) });
  }
  return spots;
}

/** Angular resolution of the per-capture stroma warp. */
export const WARP_BINS = 64;

/** A smooth periodic random wobble: a few low harmonics, tabulated over one turn. */
function sampleWarp(rng: Rng): { warpRho: Float32Array; warpCol: Float32Array } {
  const table = (amp: number): Float32Array => {
    const out = new Float32Array(WARP_BINS);
    for (let k = 1; k <= 4; k++) {
      const a = (amp * rng.normal(0, 1)) / k;
      const ph = rng.uniform(0, 2 * Math.PI);
      for (let i = 0; i < WARP_BINS; i++) out[i]! += a * Math.cos((2 * Math.PI * k * i) / WARP_BINS + ph);
    }
    return out;
  };
  return { warpRho: table(0.012), warpCol: table(2) };
}

/** The caruncle sits just inside the nasal corner, between the lids. */
function caruncleAt(corners: [number, number], upper: Parabola, lower: Parabola, temporal: 1 | -1, ri: number): CaptureParams['caruncle'] {
  const nasal = temporal > 0 ? corners[0] : corners[1];
  const x = nasal + temporal * 0.22 * ri;
  const y = (parabolaY(upper, x) + parabolaY(lower, x)) / 2;
  return { x, y, rx: 0.3 * ri, ry: 0.2 * ri };
}

/** Draws one capture of `eye`. The same eye, config and random stream give the same capture. */
export function sampleCapture(eye: EyeTraits, cfg: CaptureConfig, rng: Rng): CaptureParams {
  const { width: W, height: H } = cfg;
  const difficulty: Difficulty = rng.chance(cfg.hardFraction) ? rng.pick(HARD_KINDS) : 'normal';
  const px = baseIrisRadius(W, H) / 100; // pixel scale: 1 at an iris radius of 100 px

  const ri = baseIrisRadius(W, H) * eye.irisScale * (1 + clamp(rng.normal(0, 0.02), -0.04, 0.04));
  const [lo, hi] = cfg.pupilRatio;
  const centre = lo + (hi - lo) * (0.15 + 0.7 * eye.pupilTendency);
  const ratio = clamp(centre + rng.normal(0, 0.22 * (hi - lo)), lo, hi);
  const rp = ratio * ri;
  const maxRot = (cfg.maxRotationDeg * Math.PI) / 180;
  const rotationRad = clamp(rng.normal(0, maxRot / 2.5), -maxRot, maxRot);

  const slackX = Math.max(0, W / 2 - 1.1 * ri);
  const slackY = Math.max(0, H / 2 - 1.1 * ri);
  const cx = W / 2 + rng.uniform(-1, 1) * Math.min(slackX, 0.1 * W);
  // Eyes sit a little below the middle of the frame, leaving room for the lashes.
  const cy = H / 2 + clamp(0.1 * ri + rng.uniform(-1, 1) * 0.07 * H, -slackY, slackY);
  const iris: Circle = { x: cx, y: cy, r: ri };

  // Gaze: the anatomical offset plus a little per capture, kept well inside the iris.
  let ox = eye.pupilOffset.x + rng.normal(0, 0.015);
  let oy = eye.pupilOffset.y + rng.normal(0, 0.015);
  const maxOff = Math.min(0.08, 0.9 * (1 - ratio));
  const off = Math.hypot(ox, oy);
  if (off > maxOff) {
    ox *= maxOff / off;
    oy *= maxOff / off;
  }
  const c = Math.cos(rotationRad);
  const s = Math.sin(rotationRad);
  const pupil: Circle = { x: cx + ri * (ox * c - oy * s), y: cy + ri * (ox * s + oy * c), r: rp };

  // Lids, in the eye's frame, then rotated with it.
  const upperOpen = difficulty === 'occluded' ? rng.uniform(0.28, 0.42) : clamp(eye.upperOpen + rng.normal(0, 0.08), 0.45, 1.15);
  const lowerOpen = clamp(eye.lowerOpen + rng.normal(0, 0.05), 0.7, 1.25);
  const skew = eye.temporal * eye.lidSkew * ri;
  const upperLid = rotateLid((eye.upperCurv * rng.uniform(0.93, 1.07)) / ri, -upperOpen * ri, skew, cx, cy, rotationRad, 1.8 * ri);
  const lowerLid = rotateLid((-eye.lowerCurv * rng.uniform(0.93, 1.07)) / ri, lowerOpen * ri, 0.5 * skew, cx, cy, rotationRad, 1.8 * ri);
  const corners = lidCorners(upperLid, lowerLid) ?? [cx - 3 * ri, cx + 3 * ri];

  const lashes = sampleLashes(rng.fork('lashes'), upperLid, lowerLid, corners[0], corners[1], {
    irisRadius: ri,
    density: eye.lashDensity * rng.uniform(0.85, 1.15),
    downFraction: difficulty === 'occluded' ? 0.45 : clamp(eye.lashDown + rng.normal(0, 0.05), 0, 0.5),
    lowerDensity: eye.lowerLashDensity,
    temporal: eye.temporal,
    widthScale: Math.max(0.6, px),
  });
  const spots = sampleSpots(rng.fork('spots'), cfg, pupil, iris, lowerLid);

  const dim = difficulty === 'dim';
  const restRatio = lo + (hi - lo) * 0.5;
  return {
    width: W,
    height: H,
    difficulty,
    pupil,
    iris,
    rotationRad,
    deform: eye.deform * (ratio - restRatio),
    ...sampleWarp(rng.fork('warp')),
    upperLid,
    lowerLid,
    corners,
    caruncle: caruncleAt(corners, upperLid, lowerLid, eye.temporal, ri),
    creaseOffset: eye.creaseHeight * ri * rng.uniform(0.9, 1.1),
    lowerCreaseOffset: ri * rng.uniform(0.3, 0.45),
    lashes,
    spots,
    skin: eye.skinLevel + rng.normal(0, 4),
    sclera: eye.scleraLevel + rng.normal(0, 4),
    irisMean: eye.irisMean,
    irisContrast: eye.irisContrast,
    limbalDark: eye.limbalDark,
    pupilLevel: eye.pupilLevel,
    lashLevel: eye.lashLevel,
    lidShadow: rng.uniform(0.05, 0.18),
    vignette: rng.uniform(0.04, 0.18),
    lightX: rng.normal(0, 0.04),
    lightY: rng.normal(0, 0.04),
    gain: dim ? rng.uniform(0.5, 0.62) : rng.uniform(0.9, 1.1),
    offset: rng.normal(0, 4),
    blurSigma: px * (difficulty === 'defocus' ? rng.uniform(2.0, 3.0) : 0.25 + Math.abs(rng.normal(0, 0.3))),
    motionLength: px * (difficulty === 'motion' ? rng.uniform(5, 8) : rng.chance(0.2) ? rng.uniform(1, 3) : 0),
    motionAngle: rng.uniform(0, Math.PI),
    noiseSigma: dim ? rng.uniform(4, 6) : rng.uniform(1.2, 3),
  };
}
