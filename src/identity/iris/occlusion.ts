/**
 * Noise mask of the normalised iris: eyelids, eyelashes, reflections and anything else that is
 * not iris texture. Pixels far from the robust iris intensity statistics are flagged; in every
 * column an eyelid boundary is the radius beyond which most samples are flagged, smoothed across
 * columns so the boundary is a continuous curve (where no lid reaches the iris it stays at the limbus).
 */
import { histogramQuantiles } from '../../lib/imageops.js';
import { eyelidY, fitQuadraticRobust, type EyelidCurve } from './geometry.js';
import type { NormalizedIris } from './normalize.js';

/** Parameters of the occlusion mask. */
export interface OcclusionParams {
  /** Flag samples brighter than median + k * robust sd (eyelid skin, reflections). */
  readonly brightK: number;
  /** Flag samples darker than median - k * robust sd (eyelashes, shadows). */
  readonly darkK: number;
  /** A column's lid boundary is where, from there outward, at least this fraction is flagged. */
  readonly lidFraction: number;
  /** Half-width (columns) of the median filter applied to lid boundaries across angles. */
  readonly lidSmoothing: number;
  /** Fit a quadratic to each eyelid's boundary points and mask everything beyond it (0 = off). */
  readonly fitLids: number;
}

export const DEFAULT_OCCLUSION_PARAMS: OcclusionParams = { brightK: 3.0, darkK: 3.0, lidFraction: 0.5, lidSmoothing: 6, fitLids: 1 };

/** The valid-iris mask in normalised coordinates (1 = usable texture) and summary figures. */
export interface OcclusionResult {
  readonly valid: Uint8Array;
  /** Per column, the first row that is occluded by an eyelid (rows = none). */
  readonly lidRow: Int32Array;
  /** Fitted eyelid curves in image coordinates, where the boundary points support one. */
  readonly upperLid: EyelidCurve | null;
  readonly lowerLid: EyelidCurve | null;
  readonly visibleFraction: number;
  readonly irisMedian: number;
  readonly irisSpread: number;
}

/** Computes the valid-iris mask. `excluded` marks samples known to be unusable (outside, specular). */
export function occlusionMask(norm: NormalizedIris, excluded: Uint8Array, params: OcclusionParams = DEFAULT_OCCLUSION_PARAMS): OcclusionResult {
  const { rows, cols, image } = norm;
  const reference: number[] = [];
  // Reference statistics from the inner half of the lateral and lower sectors, rarely occluded.
  for (let j = 0; j < cols; j++) {
    const theta = (2 * Math.PI * j) / cols;
    if (Math.sin(theta) > 0.5) continue;
    for (let i = 0; i < rows / 2; i++) {
      const k = i * cols + j;
      if (!excluded[k]) reference.push(image[k]!);
    }
  }
  const [q25, median, q75] = (reference.length > 0 ? histogramQuantiles(reference, [0.25, 0.5, 0.75]) : [0, 0, 0]) as [number, number, number];
  const spread = Math.max(2, (q75 - q25) / 1.349);
  const hi = median + params.brightK * spread;
  const lo = median - params.darkK * spread;
  const flagged = new Uint8Array(rows * cols);
  for (let k = 0; k < flagged.length; k++) {
    const v = image[k]!;
    flagged[k] = excluded[k] || v > hi || v < lo ? 1 : 0;
  }
  const rawLid = new Int32Array(cols);
  for (let j = 0; j < cols; j++) {
    let count = 0;
    let boundary = rows;
    for (let i = rows - 1; i >= 0; i--) {
      count += flagged[i * cols + j]!;
      if (count >= params.lidFraction * (rows - i)) boundary = i;
    }
    rawLid[j] = boundary;
  }
  const lidRow = circularMedian(rawLid, params.lidSmoothing);
  const upperLid = params.fitLids ? fitLid(norm, lidRow, 1) : null;
  const lowerLid = params.fitLids ? fitLid(norm, lidRow, -1) : null;
  const valid = new Uint8Array(rows * cols);
  let visible = 0;
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      const k = i * cols + j;
      if (i >= lidRow[j]! || flagged[k]) continue;
      const x = norm.xs[k]!;
      const y = norm.ys[k]!;
      if ((upperLid && y < eyelidY(upperLid, x)) || (lowerLid && y > eyelidY(lowerLid, x))) continue;
      valid[k] = 1;
      visible++;
    }
  }
  return { valid, lidRow, upperLid, lowerLid, visibleFraction: visible / (rows * cols), irisMedian: median, irisSpread: spread };
}

/**
 * Fits one eyelid (side 1 = upper, -1 = lower) to the per-column boundary points in its sector,
 * in image coordinates. Rejected (null) unless enough points, spread across at least an iris
 * radius, agree on a curve that bends like an eyelid: an upper lid arches up, a lower lid sags
 * down, both gently (the drop one iris radius from the apex is under 0.6 radii).
 */
function fitLid(norm: NormalizedIris, lidRow: Int32Array, side: 1 | -1): EyelidCurve | null {
  const { rows, cols } = norm;
  const xs: number[] = [];
  const ys: number[] = [];
  let sectorColumns = 0;
  for (let j = 0; j < cols; j++) {
    const up = Math.sin((2 * Math.PI * j) / cols) * side;
    if (up < 0.25) continue;
    sectorColumns++;
    const i = lidRow[j]!;
    if (i >= rows) continue;
    xs.push(norm.xs[i * cols + j]!);
    ys.push(norm.ys[i * cols + j]!);
  }
  if (xs.length < Math.max(12, sectorColumns * 0.2)) return null;
  // The points must span at least one iris radius across, or the bend is not determined.
  if (Math.max(...xs) - Math.min(...xs) < norm.iris.r) return null;
  const fit = fitQuadraticRobust(xs, ys);
  if (!fit || fit.inliers < xs.length * 0.5) return null;
  // a2 * r is the lid's drop one iris radius from its apex, in iris radii: eyelids bend gently.
  const bend = fit.curve.a2 * norm.iris.r * side;
  return bend > -0.2 && bend < 0.6 ? fit.curve : null;
}

function circularMedian(values: Int32Array, half: number): Int32Array {
  const n = values.length;
  const out = new Int32Array(n);
  const window: number[] = [];
  for (let j = 0; j < n; j++) {
    window.length = 0;
    for (let d = -half; d <= half; d++) window.push(values[(j + d + n) % n]!);
    window.sort((a, b) => a - b);
    out[j] = window[half]!;
  }
  return out;
}
