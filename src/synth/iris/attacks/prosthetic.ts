/**
 * Prosthetic attacks: a glass or acrylic eye (an ocular prosthesis worn in a socket, or a doll's
 * eye), not the eye of any subject.
 *
 * Physics: the iris is painted or printed, so its texture is procedurally regular (spokes,
 * rings, a brushed collarette) with little of the stroma's randomness; the pupil is painted at a
 * fixed size, perfectly centred and round, and never changes with light; the rigid surface does
 * not deform between presentations; the polished dome mirrors the illuminator as large, bright
 * highlights with a broad glossy sheen, and back-surface reflections add weaker ones. A doll has
 * no lashes and a prosthesis barely shades its lid.
 */
import type { Rng } from '../../../lib/rng.js';
import { WARP_BINS, type CaptureParams, type Spot } from '../capture.js';
import { eyeTraits, type EyeModel, type EyeSide } from '../eye.js';
import type { PresentationHooks } from '../live.js';
import { bump, clamp, filteredNoise, standardise } from '../noise.js';
import type { SceneOverlay } from '../render.js';
import { TEXTURE_COLS, TEXTURE_ROWS, type IrisTexture } from '../texture.js';

export const PROSTHETIC_STYLES = ['spokes', 'rings', 'painted'] as const;
export type ProstheticStyle = (typeof PROSTHETIC_STYLES)[number];

/** One fake eye: everything that stays the same across its presentations. */
export interface ProstheticParams {
  style: ProstheticStyle;
  side: EyeSide;
  /** Number of painted radial spokes and concentric bands. */
  spokes: number;
  rings: number;
  /** Amplitude of the irregular part of the painting, relative to the regular part. */
  randomness: number;
  /** The painted pupil's size as a fraction of the iris radius, fixed. */
  pupilRatio: number;
  pupilLevel: number;
  irisMean: number;
  irisContrast: number;
  mount: 'doll' | 'worn';
  /** Main highlight radius, iris radii; number of weaker back-surface highlights. */
  highlightSize: number;
  secondaryHighlights: number;
  /** Peak grey levels and size (iris radii) of the broad gloss around the main highlight. */
  glossAmp: number;
  glossSize: number;
}

/** Draws one fake eye. */
export function sampleProsthetic(rng: Rng): ProstheticParams {
  return {
    style: rng.pick(PROSTHETIC_STYLES),
    side: rng.chance(0.5) ? 'L' : 'R',
    spokes: rng.int(24, 80),
    rings: rng.int(2, 7),
    randomness: rng.uniform(0.05, 0.35),
    pupilRatio: rng.uniform(0.28, 0.45),
    pupilLevel: rng.uniform(12, 32),
    irisMean: rng.uniform(110, 170),
    irisContrast: rng.uniform(12, 22),
    mount: rng.chance(0.5) ? 'doll' : 'worn',
    highlightSize: rng.uniform(0.09, 0.2),
    secondaryHighlights: rng.int(0, 2),
    glossAmp: rng.uniform(10, 40),
    glossSize: rng.uniform(0.3, 0.6),
  };
}

/** The painted iris as a polar texture: regular spokes and bands, a collarette, a little irregularity. */
export function prostheticTexture(p: ProstheticParams, rng: Rng): IrisTexture {
  const R = TEXTURE_ROWS;
  const C = TEXTURE_COLS;
  const noise = filteredNoise(rng, R, C, 2, 4, true);
  const out = new Float32Array(R * C);
  const spokeWeight = p.style === 'rings' ? 0.7 : 1;
  const ringWeight = p.style === 'spokes' ? 0.15 : p.style === 'rings' ? 1 : 0.4;
  const secondSpokes = p.style === 'painted' ? 0.5 : 0;
  for (let i = 0; i < R; i++) {
    const rho = (i + 0.5) / R;
    const taper = 0.6 + 0.4 * rho;
    const ring = ringWeight * Math.cos(2 * Math.PI * p.rings * rho) + 1.2 * bump((rho - 0.3) / 0.06);
    for (let j = 0; j < C; j++) {
      const t = (2 * Math.PI * j) / C;
      const spokes = spokeWeight * taper * Math.cos(p.spokes * t) + secondSpokes * Math.cos(2 * p.spokes * t + 1);
      out[i * C + j] = spokes + ring + p.randomness * noise[i * C + j]!;
    }
  }
  return { rows: R, cols: C, data: standardise(out) };
}

/**
 * The fake eye as an eye model. The face around it (skin, lids, lashes) is drawn like a world
 * subject's with the negative index -`index`, which no live subject has.
 */
export function prostheticModel(seed: number, index: number, p: ProstheticParams, rng: Rng): EyeModel {
  const face = eyeTraits(seed, -index, p.side);
  return {
    ...face,
    pupilOffset: { x: 0, y: 0 },
    deform: 0,
    irisMean: p.irisMean,
    irisContrast: p.irisContrast,
    pupilLevel: p.pupilLevel,
    texture: prostheticTexture(p, rng),
  };
}

/** Highlights mirrored by the polished dome for one presentation. */
function glossySpots(p: ProstheticParams, c: CaptureParams, rng: Rng): Spot[] {
  const ri = c.iris.r;
  const a = rng.uniform(0, 2 * Math.PI);
  const d = rng.uniform(0.1, 0.6) * ri;
  // Brighter than the sensor's full well: the core clips whatever the exposure.
  const spots: Spot[] = [{ x: c.iris.x + d * Math.cos(a), y: c.iris.y + d * Math.sin(a), r: p.highlightSize * ri, peak: 320 }];
  for (let k = 0; k < p.secondaryHighlights; k++) {
    const b = rng.uniform(0, 2 * Math.PI);
    const e = rng.uniform(0.1, 0.7) * ri;
    spots.push({ x: c.iris.x + e * Math.cos(b), y: c.iris.y + e * Math.sin(b), r: rng.uniform(0.02, 0.05) * ri, peak: rng.uniform(235, 255) });
  }
  return spots;
}

/** The broad sheen of the polished surface around the main highlight, over the open eye. */
function glossOverlay(p: ProstheticParams): SceneOverlay {
  return (c, img, upper, lower) => {
    const main = c.spots[0];
    if (!main) return;
    const size = p.glossSize * c.iris.r;
    const reach = Math.min(2.5 * size, 1.3 * c.iris.r + Math.hypot(main.x - c.iris.x, main.y - c.iris.y));
    for (let y = Math.max(0, Math.floor(main.y - reach)); y <= Math.min(c.height - 1, Math.ceil(main.y + reach)); y++) {
      for (let x = Math.max(0, Math.floor(main.x - reach)); x <= Math.min(c.width - 1, Math.ceil(main.x + reach)); x++) {
        const open = clamp(Math.min(y - upper[x]!, lower[x]! - y) + 0.5, 0, 1);
        if (open <= 0 || Math.hypot(x - c.iris.x, y - c.iris.y) > 1.3 * c.iris.r) continue;
        const q = ((x - main.x) ** 2 + (y - main.y) ** 2) / (size * size);
        img[y * c.width + x]! += open * p.glossAmp * Math.exp(-2 * q);
      }
    }
  };
}

/**
 * How one presentation of the fake eye differs from a live capture: the pupil painted at the
 * iris centre, no stroma deformation, glossy highlights, a weaker lid shadow, no lashes on a doll.
 */
export function prostheticHooks(p: ProstheticParams, rng: Rng): PresentationHooks {
  return {
    tweak: (c) => ({
      ...c,
      pupil: { x: c.iris.x, y: c.iris.y, r: p.pupilRatio * c.iris.r },
      deform: 0,
      warpRho: new Float32Array(WARP_BINS),
      warpCol: new Float32Array(WARP_BINS),
      lashes: p.mount === 'doll' ? [] : c.lashes,
      lidShadow: 0.25 * c.lidShadow,
      spots: glossySpots(p, c, rng),
    }),
    overlay: glossOverlay(p),
  };
}
