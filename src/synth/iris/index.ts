/**
 * Seeded synthetic near-infrared eye images with ground truth, for testing the iris pipeline
 * (segmentation, normalisation, encoding, matching). See docs/synthetic-iris.md.
 */
export { renderCapture, writeIrisWorld, resolveIrisWorld, irisCaptureName } from './world.js';
export type { IrisWorldOptions, IrisCapture } from './world.js';
export { parseIrisTruthRow, truthToRow, TRUTH_COLUMNS, MANIFEST_COLUMNS } from './truth.js';
export type { IrisCaptureTruth } from './truth.js';
export type { Circle, Parabola } from './geometry.js';
export { parabolaY } from './geometry.js';
export type { EyeSide } from './eye.js';
export type { Difficulty, ReflectionMode } from './capture.js';
export { baseIrisRadius } from './capture.js';
export { unwrapIris } from './unwrap.js';
