/**
 * Textured cosmetic contact lenses, worn by a live eye.
 *
 * Physics: a cosmetic lens carries a printed pigment pattern (dot matrix, radial spokes or a
 * honeycomb) in an annulus between a clear optical zone over the pupil and an outer print
 * radius near the limbus, often with a dark limbal ring. The pigment is partly opaque and hides
 * part of the real stroma; in near-infrared it can look darker (iron oxides) or brighter
 * (titanium dioxide) than the iris. The lens is wider than the iris, so its edge crosses the
 * sclera as a thin ring; it sits slightly off-centre and turns freely between presentations, so
 * its pattern does not follow the iris texture. A world has a few lens products; every lens of a
 * product carries the same design (so two people wearing it share part of their texture).
 */
import { Rng } from '../../../lib/rng.js';
import type { CaptureParams } from '../capture.js';
import { bump, clamp, smoothstep } from '../noise.js';
import type { SceneOverlay } from '../render.js';

export const LENS_PATTERNS = ['dots', 'spokes', 'hex'] as const;
export type LensPattern = (typeof LENS_PATTERNS)[number];

/** How many lens products (printed designs) a world's attackers choose from. */
export const LENS_PRODUCTS = 8;

/** A lens product: the printed design every lens of that product carries. Radii in iris radii from the lens centre. */
export interface LensDesign {
  pattern: LensPattern;
  /** Lattice spacing in iris radii (dots, hex) or the number of spokes. */
  period: number;
  /** Mean fraction of the printed annulus covered by pigment. */
  coverage: number;
  /**
   * The design's streaks: how strongly coverage varies with angle (0 = uniform) and the seed of
   * that angular profile (a few random harmonics, 6-48 turns), which twists with radius.
   */
  streakContrast: number;
  streakSeed: number;
  twist: number;
  /** How much of the light from below a pigment element hides. */
  opacity: number;
  /** Pigment grey level relative to the iris's mean. */
  inkOffset: number;
  clearZone: number;
  printOuter: number;
  /** Strength of a dark printed limbal ring (0 = none). */
  limbalRing: number;
  /** Dots grow (positive) or shrink towards the rim; spokes curl. */
  grade: number;
}

/** One lens on one eye in one presentation: its product's design and how it sits. */
export interface LensParams extends LensDesign {
  product: number;
  edgeRadius: number;
  /** Depth in grey levels of the thin ring the lens edge draws on the sclera (0 = invisible). */
  edgeContrast: number;
  rotationDeg: number;
  /** Decentration of the lens, iris radii. */
  decentreX: number;
  decentreY: number;
}

/** Draws the design of a lens product. */
export function sampleLensDesign(rng: Rng): LensDesign {
  const pattern = rng.pick(LENS_PATTERNS);
  return {
    pattern,
    period: pattern === 'dots' ? rng.uniform(0.055, 0.11) : pattern === 'hex' ? rng.uniform(0.08, 0.16) : rng.int(24, 90),
    coverage: rng.uniform(0.3, 0.65),
    streakContrast: rng.uniform(0.5, 1.5),
    streakSeed: rng.uint32(),
    twist: rng.uniform(-0.6, 0.6),
    opacity: rng.uniform(0.6, 0.97),
    inkOffset: rng.chance(0.5) ? -rng.uniform(30, 80) : rng.uniform(25, 70),
    clearZone: rng.uniform(0.38, 0.6),
    printOuter: rng.uniform(0.9, 1.04),
    limbalRing: rng.chance(0.5) ? rng.uniform(0.3, 1) : 0,
    grade: rng.uniform(-0.5, 0.5),
  };
}

/** Draws how a lens of `product` with `design` sits on the eye in one presentation. */
export function sampleLensFit(rng: Rng, product: number, design: LensDesign): LensParams {
  return {
    product,
    ...design,
    edgeRadius: rng.uniform(1.15, 1.4),
    edgeContrast: rng.uniform(0, 25),
    rotationDeg: rng.uniform(0, 360),
    decentreX: rng.normal(0, 0.025),
    decentreY: rng.normal(0, 0.025),
  };
}

const STREAK_BINS = 512;

/** The design's angular coverage profile in [-1, 1], tabulated over one turn. */
function streakProfile(l: LensDesign): Float32Array {
  const rng = new Rng(l.streakSeed);
  const out = new Float32Array(STREAK_BINS);
  for (let h = 0; h < 8; h++) {
    const k = rng.int(6, 48);
    const a = rng.uniform(0.3, 1);
    const ph = rng.uniform(0, 2 * Math.PI);
    for (let i = 0; i < STREAK_BINS; i++) out[i]! += a * Math.cos((2 * Math.PI * k * i) / STREAK_BINS + ph);
  }
  let max = 1e-9;
  for (const v of out) max = Math.max(max, Math.abs(v));
  for (let i = 0; i < STREAK_BINS; i++) out[i]! /= max;
  return out;
}

const SQRT3_2 = Math.sqrt(3) / 2;

/** Distances (iris radii) from (x, y) to the nearest and second-nearest points of a hexagonal lattice of spacing `a`. */
function hexDistances(x: number, y: number, a: number): [number, number] {
  const j0 = Math.floor(y / (a * SQRT3_2));
  let d1 = Infinity;
  let d2 = Infinity;
  for (let j = j0 - 1; j <= j0 + 2; j++) {
    const py = j * a * SQRT3_2;
    const shift = (j & 1) * 0.5 * a;
    const i0 = Math.floor((x - shift) / a);
    for (let i = i0 - 1; i <= i0 + 2; i++) {
      const d = Math.hypot(x - (i * a + shift), y - py);
      if (d < d1) {
        d2 = d1;
        d1 = d;
      } else if (d < d2) {
        d2 = d;
      }
    }
  }
  return [d1, d2];
}

/**
 * Pigment in [0, 1] at lens-frame point (x, y) (iris radii; r = its radius) for a local
 * `coverage`, with edges anti-aliased over about one pixel (`px` = iris radii per pixel).
 */
export function lensPattern(l: LensDesign, coverage: number, x: number, y: number, r: number, px: number): number {
  switch (l.pattern) {
    case 'dots': {
      const [d] = hexDistances(x, y, l.period);
      const radius = l.period * Math.sqrt((coverage * 2 * SQRT3_2) / (2 * Math.PI)) * Math.max(0.2, 1 + l.grade * (r - 0.7));
      return clamp((radius - d) / px + 0.5, 0, 1);
    }
    case 'hex': {
      const [d1, d2] = hexDistances(x, y, l.period);
      const border = (d2 * d2 - d1 * d1) / (2 * l.period);
      const half = (l.period / 2) * (1 - Math.sqrt(1 - coverage));
      return clamp((half - border) / px + 0.5, 0, 1);
    }
    case 'spokes': {
      const turns = (Math.atan2(y, x) + l.grade * r) / (2 * Math.PI);
      const u = turns * l.period - Math.floor(turns * l.period);
      const cell = (2 * Math.PI * r) / l.period; // spoke spacing at this radius, iris radii
      return clamp(((coverage / 2 - Math.abs(u - 0.5)) * cell) / px + 0.5, 0, 1);
    }
  }
}

/** Pigment coverage the design asks for at lens-frame angle `theta` and radius `r`: the mean, modulated by its streaks. */
function localCoverage(l: LensDesign, streaks: Float32Array, theta: number, r: number): number {
  const turns = (theta + l.twist * r) / (2 * Math.PI);
  const bin = Math.floor((turns - Math.floor(turns)) * STREAK_BINS) % STREAK_BINS;
  return clamp(l.coverage * (1 + l.streakContrast * streaks[bin]!), 0.02, 0.85);
}

/** How open the eye is at (x, y): 1 between the lids, fading over the lid margin pixel. */
function openness(upper: Float32Array, lower: Float32Array, x: number, y: number): number {
  return clamp(Math.min(y - upper[x]!, lower[x]! - y) + 0.5, 0, 1);
}

/** Draws the lens over the open eye: pigment in the printed annulus, limbal ring, edge on the sclera. */
export function lensOverlay(l: LensParams): SceneOverlay {
  return (p: CaptureParams, img: Float32Array, upper: Float32Array, lower: Float32Array) => {
    const ri = p.iris.r;
    const cx = p.iris.x + l.decentreX * ri;
    const cy = p.iris.y + l.decentreY * ri;
    const rot = (l.rotationDeg * Math.PI) / 180;
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    const ink = clamp(p.irisMean + l.inkOffset, 15, 240);
    const ringInk = 0.55 * Math.min(ink, p.irisMean);
    const edge = l.edgeRadius * ri;
    const px = 1 / ri;
    const reach = edge + 4;
    const streaks = streakProfile(l);
    for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(p.height - 1, Math.ceil(cy + reach)); y++) {
      for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(p.width - 1, Math.ceil(cx + reach)); x++) {
        const open = openness(upper, lower, x, y);
        if (open <= 0) continue;
        const dx = x - cx;
        const dy = y - cy;
        const d = Math.hypot(dx, dy);
        const r = d / ri;
        const i = y * p.width + x;
        let v = img[i]!;
        const zone = smoothstep(l.clearZone - 0.03, l.clearZone + 0.03, r) * (1 - smoothstep(l.printOuter - 0.02, l.printOuter + 0.02, r));
        if (zone > 0) {
          const lx = (dx * c + dy * s) / ri;
          const ly = (-dx * s + dy * c) / ri;
          const a = l.opacity * zone * lensPattern(l, localCoverage(l, streaks, Math.atan2(ly, lx), r), lx, ly, r, px);
          v += (ink - v) * a;
        }
        const ring = l.limbalRing * l.opacity * bump((r - (l.printOuter - 0.04)) / 0.05);
        if (ring > 0) v += (ringInk - v) * ring;
        v += l.edgeContrast * (0.4 * bump((d - edge + 2) / 1.5) - bump((d - edge) / 1.5));
        img[i] = img[i]! + (v - img[i]!) * open;
      }
    }
  };
}
