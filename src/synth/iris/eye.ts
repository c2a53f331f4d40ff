/**
 * A synthetic eye: the stable traits every capture of it shares. Some traits belong to the
 * subject (skin, lash density, iris colour, lid shape; the two eyes of a person look alike),
 * the stroma texture and small anatomical details belong to each eye alone.
 */
import { Rng } from '../../lib/rng.js';
import { buildIrisTexture, type IrisTexture } from './texture.js';

export type EyeSide = 'L' | 'R';

/** Stable traits of one eye. Lengths are in iris radii, intensities in 8-bit grey levels. */
export interface EyeTraits {
  readonly subject: number;
  readonly eye: EyeSide;
  /** Multiplies the frame's base iris radius. */
  readonly irisScale: number;
  /** Anatomical pupil decentration (nasal-ish), in iris radii. */
  readonly pupilOffset: { x: number; y: number };
  /** Where this eye's typical pupil ratio sits inside the allowed range, 0..1. */
  readonly pupilTendency: number;
  /** Non-linear radial deformation of the stroma with dilation (0 = perfect rubber sheet). */
  readonly deform: number;
  readonly irisMean: number;
  readonly irisContrast: number;
  readonly limbalDark: number;
  readonly scleraLevel: number;
  readonly skinLevel: number;
  readonly pupilLevel: number;
  readonly lashLevel: number;
  readonly lashDensity: number;
  readonly lashDown: number;
  readonly lowerLashDensity: number;
  readonly upperOpen: number;
  readonly lowerOpen: number;
  readonly upperCurv: number;
  readonly lowerCurv: number;
  readonly lidSkew: number;
  readonly creaseHeight: number;
  /** +1 when the temple is towards +x in the image (a left eye seen by a camera), else -1. */
  readonly temporal: 1 | -1;
}

/** An eye with its stroma texture (the identity), ready to render. */
export interface EyeModel extends EyeTraits {
  readonly texture: IrisTexture;
}

/** Seed label of a subject's shared traits. */
function subjectLabel(seed: number, subject: number): string {
  return `irisk/iris/${seed}/${subject}`;
}

/** Seed label of one eye; also the prefix of its captures' labels. */
export function eyeLabel(seed: number, subject: number, eye: EyeSide): string {
  return `${subjectLabel(seed, subject)}/${eye}`;
}

/** An eye's traits without its texture (cheap), deterministic from (seed, subject, side). */
export function eyeTraits(seed: number, subject: number, eye: EyeSide): EyeTraits {
  const s = new Rng(subjectLabel(seed, subject));
  const shared = {
    irisMean: s.uniform(125, 175),
    irisContrast: s.uniform(10, 16),
    scleraLevel: s.uniform(205, 245),
    skinLevel: s.uniform(205, 250),
    lashDensity: s.uniform(0.6, 1.4),
    lashDown: s.uniform(0.08, 0.3),
    upperOpen: s.uniform(0.6, 0.95),
    lowerOpen: s.uniform(0.8, 1.1),
    upperCurv: s.uniform(0.09, 0.15),
    lowerCurv: s.uniform(0.04, 0.08),
    pupilTendency: s.uniform(0.15, 0.85),
    irisScale: s.uniform(0.93, 1.07),
  };
  const e = new Rng(eyeLabel(seed, subject, eye));
  const temporal: 1 | -1 = eye === 'L' ? 1 : -1;
  return {
    subject,
    eye,
    irisScale: shared.irisScale * e.uniform(0.98, 1.02),
    pupilOffset: { x: -temporal * e.uniform(0, 0.05), y: e.uniform(-0.02, 0.03) },
    pupilTendency: Math.min(1, Math.max(0, shared.pupilTendency + e.normal(0, 0.05))),
    deform: e.uniform(0.05, 0.2),
    irisMean: shared.irisMean + e.normal(0, 3),
    irisContrast: shared.irisContrast * e.uniform(0.9, 1.1),
    limbalDark: e.uniform(0, 15),
    scleraLevel: shared.scleraLevel,
    skinLevel: shared.skinLevel,
    pupilLevel: e.uniform(30, 55),
    lashLevel: e.uniform(25, 65),
    lashDensity: shared.lashDensity,
    lashDown: shared.lashDown,
    lowerLashDensity: shared.lashDensity * e.uniform(0.2, 0.5),
    upperOpen: shared.upperOpen,
    lowerOpen: shared.lowerOpen,
    upperCurv: shared.upperCurv * e.uniform(0.95, 1.05),
    lowerCurv: shared.lowerCurv * e.uniform(0.95, 1.05),
    lidSkew: e.uniform(0, 0.25),
    creaseHeight: e.uniform(0.35, 0.6),
    temporal,
  };
}

/** Builds an eye with its texture, deterministically from (seed, subject, side). */
export function buildEyeModel(seed: number, subject: number, eye: EyeSide): EyeModel {
  const texture = buildIrisTexture(new Rng(`${eyeLabel(seed, subject, eye)}/texture`));
  return { ...eyeTraits(seed, subject, eye), texture };
}
