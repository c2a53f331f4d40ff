/**
 * Seeded synthetic near-infrared eye images with ground truth, for testing the iris pipeline
 * (segmentation, normalisation, encoding, matching), and presentation attacks (print, screen,
 * cosmetic lens, prosthetic eye) for presentation-attack detection. See docs/synthetic-iris.md.
 */
export { renderCapture, renderAttack, renderProsthetic, writeIrisWorld, resolveIrisWorld, irisCaptureName, irisAttackName } from './world.js';
export type { IrisWorldOptions, IrisCapture, IrisWorldWritten } from './world.js';
export { parseIrisTruthRow, truthToRow, TRUTH_COLUMNS, MANIFEST_COLUMNS } from './truth.js';
export type { IrisCaptureTruth } from './truth.js';
export type { Circle, Parabola } from './geometry.js';
export { parabolaY } from './geometry.js';
export type { EyeSide } from './eye.js';
export type { Difficulty, ReflectionMode } from './capture.js';
export { baseIrisRadius } from './capture.js';
export { unwrapIris } from './unwrap.js';
export {
  ATTACK_SPECIES,
  BONA_FIDE,
  parseAttackSpecies,
  formatAttackParams,
  parseAttackParams,
} from './attacks/species.js';
export type { AttackSpecies, PresentationSpecies, IrisAttackOptions, AttackParamRecord } from './attacks/species.js';
export type { AttackPresentation, SubjectAttackSpecies } from './attacks/present.js';
