/**
 * Segmentation accuracy against ground truth: disc IoU of pupil and iris, and the mean distance
 * in pixels from the found boundary to the true one.
 */
import { discIoU, type Circle } from './geometry.js';

/** Accuracy of one segmentation. */
export interface SegmentationScore {
  readonly pupilIoU: number;
  readonly irisIoU: number;
  readonly pupilBoundaryErrorPx: number;
  readonly irisBoundaryErrorPx: number;
}

/** Mean |distance from a point on `found` to the `truth` circle| over 64 angles. */
export function boundaryError(found: Circle, truth: Circle): number {
  let acc = 0;
  for (let k = 0; k < 64; k++) {
    const t = (2 * Math.PI * k) / 64;
    const x = found.x + found.r * Math.cos(t);
    const y = found.y + found.r * Math.sin(t);
    acc += Math.abs(Math.hypot(x - truth.x, y - truth.y) - truth.r);
  }
  return acc / 64;
}

/** Scores one segmentation against its truth. */
export function scoreSegmentation(found: { pupil: Circle; iris: Circle }, truth: { pupil: Circle; iris: Circle }): SegmentationScore {
  return {
    pupilIoU: discIoU(found.pupil, truth.pupil),
    irisIoU: discIoU(found.iris, truth.iris),
    pupilBoundaryErrorPx: boundaryError(found.pupil, truth.pupil),
    irisBoundaryErrorPx: boundaryError(found.iris, truth.iris),
  };
}

/** Means of segmentation scores over a dataset (null when there are none). */
export function summariseSegmentation(scores: readonly SegmentationScore[]): (SegmentationScore & { images: number }) | null {
  if (scores.length === 0) return null;
  const mean = (f: (s: SegmentationScore) => number): number => scores.reduce((a, s) => a + f(s), 0) / scores.length;
  return {
    images: scores.length,
    pupilIoU: mean((s) => s.pupilIoU),
    irisIoU: mean((s) => s.irisIoU),
    pupilBoundaryErrorPx: mean((s) => s.pupilBoundaryErrorPx),
    irisBoundaryErrorPx: mean((s) => s.irisBoundaryErrorPx),
  };
}
