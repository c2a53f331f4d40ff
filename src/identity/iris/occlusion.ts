/**
 * Noise mask of the normalised iris: eyelids, eyelashes, reflections and anything else that is
 * not iris texture. Pixels far from the robust iris intensity statistics are flagged; in every
 * column an eyelid boundary is the radius beyond which most samples are flagged, smoothed across
 * columns so the boundary is a continuous curve (where no lid reaches the iris it stays at the limbus).
 */
import { histogramQuantile } from '../../lib/imageops.js';
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
}

export const DEFAULT_OCCLUSION_PARAMS: OcclusionParams = { brightK: 3.0, darkK: 3.0, lidFraction: 0.5, lidSmoothing: 6 };

/** The valid-iris mask in normalised coordinates (1 = usable texture) and summary figures. */
export interface OcclusionResult {
  readonly valid: Uint8Array;
  /** Per column, the first row that is occluded by an eyelid (rows = none). */
  readonly lidRow: Int32Array;
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
  const [q25, median, q75] = reference.length > 0 ? [0.25, 0.5, 0.75].map((q) => histogramQuantile(reference, q)) as [number, number, number] : [0, 0, 0];
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
  const valid = new Uint8Array(rows * cols);
  let visible = 0;
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      const k = i * cols + j;
      if (i < lidRow[j]! && !flagged[k]) {
        valid[k] = 1;
        visible++;
      }
    }
  }
  return { valid, lidRow, visibleFraction: visible / (rows * cols), irisMedian: median, irisSpread: spread };
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
