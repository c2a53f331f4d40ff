/**
 * Quality measures of a segmented and encoded iris, and the gates that reject a capture too poor
 * to enrol or match, each with its own typed error.
 */
import { IriskError } from '../../lib/errors.js';
import type { Circle } from './geometry.js';

/** Measured quality of one capture. */
export interface QualityMetrics {
  /** Pupil radius / iris radius. */
  readonly pupilIrisRatio: number;
  /** Distance between pupil and iris centres, in iris radii (a proxy for off-axis gaze). */
  readonly offgaze: number;
  /** Fraction of the iris annulus that is unoccluded texture. */
  readonly visibleFraction: number;
  /** Mean absolute Laplacian of the visible normalised iris over its robust spread. */
  readonly sharpness: number;
  /** Fraction of template bits kept by the mask. */
  readonly unmaskedBitFraction: number;
  /** Iris diameter in image pixels. */
  readonly irisDiameterPx: number;
}

/** Gate thresholds. */
export interface QualityParams {
  readonly minPupilIrisRatio: number;
  readonly maxPupilIrisRatio: number;
  readonly maxOffgaze: number;
  readonly eyeClosedVisibleFraction: number;
  readonly minVisibleFraction: number;
  readonly minSharpness: number;
  readonly minUnmaskedBitFraction: number;
  readonly minIrisDiameterPx: number;
}

export const DEFAULT_QUALITY_PARAMS: QualityParams = {
  minPupilIrisRatio: 0.12,
  maxPupilIrisRatio: 0.75,
  maxOffgaze: 0.35,
  eyeClosedVisibleFraction: 0.1,
  minVisibleFraction: 0.25,
  minSharpness: 0.05,
  minUnmaskedBitFraction: 0.2,
  minIrisDiameterPx: 80,
};

/** Geometric measures, available right after segmentation. */
export function geometryMetrics(pupil: Circle, iris: Circle): Pick<QualityMetrics, 'pupilIrisRatio' | 'offgaze' | 'irisDiameterPx'> {
  return {
    pupilIrisRatio: pupil.r / iris.r,
    offgaze: Math.hypot(pupil.x - iris.x, pupil.y - iris.y) / iris.r,
    irisDiameterPx: 2 * iris.r,
  };
}

/** Sharpness of the normalised iris: mean |4-neighbour Laplacian| over valid pixels, over the spread. */
export function sharpness(image: Float32Array, valid: Uint8Array, rows: number, cols: number, spread: number): number {
  let acc = 0;
  let n = 0;
  for (let i = 1; i < rows - 1; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const l = i * cols + ((j + cols - 1) % cols);
      const r = i * cols + ((j + 1) % cols);
      if (!valid[k] || !valid[l] || !valid[r] || !valid[k - cols] || !valid[k + cols]) continue;
      acc += Math.abs(4 * image[k]! - image[l]! - image[r]! - image[k - cols]! - image[k + cols]!);
      n++;
    }
  }
  return n === 0 ? 0 : acc / n / Math.max(1, spread);
}

/** Throws the typed error of the first gate the capture fails. */
export function applyQualityGates(m: QualityMetrics, p: QualityParams = DEFAULT_QUALITY_PARAMS): void {
  const fmt = (v: number): string => v.toFixed(3);
  if (m.irisDiameterPx < p.minIrisDiameterPx) {
    throw new IriskError('IRIS_TOO_SMALL', `Iris diameter ${m.irisDiameterPx.toFixed(0)} px is below ${p.minIrisDiameterPx} px: move the camera closer`, { ...m });
  }
  if (m.pupilIrisRatio < p.minPupilIrisRatio || m.pupilIrisRatio > p.maxPupilIrisRatio) {
    throw new IriskError(
      'IRIS_PUPIL_RATIO',
      `Pupil/iris ratio ${fmt(m.pupilIrisRatio)} is outside [${p.minPupilIrisRatio}, ${p.maxPupilIrisRatio}] (pupil too dilated or constricted, or a segmentation failure)`,
      { ...m },
    );
  }
  if (m.offgaze > p.maxOffgaze) {
    throw new IriskError('IRIS_OFFGAZE', `Off-axis gaze ${fmt(m.offgaze)} exceeds ${p.maxOffgaze}: ask the person to look into the camera`, { ...m });
  }
  if (m.visibleFraction < p.eyeClosedVisibleFraction) {
    throw new IriskError('IRIS_EYE_CLOSED', `Only ${(100 * m.visibleFraction).toFixed(0)}% of the iris is visible: the eye looks closed`, { ...m });
  }
  if (m.visibleFraction < p.minVisibleFraction) {
    throw new IriskError('IRIS_OCCLUDED', `Only ${(100 * m.visibleFraction).toFixed(0)}% of the iris is visible (minimum ${100 * p.minVisibleFraction}%): eyelids or lashes cover it`, { ...m });
  }
  if (m.sharpness < p.minSharpness) {
    throw new IriskError('IRIS_BLURRY', `Iris sharpness ${fmt(m.sharpness)} is below ${p.minSharpness}: the capture is out of focus or blurred by motion`, { ...m });
  }
  if (m.unmaskedBitFraction < p.minUnmaskedBitFraction) {
    throw new IriskError('IRIS_TOO_FEW_BITS', `Only ${(100 * m.unmaskedBitFraction).toFixed(0)}% of template bits are usable (minimum ${100 * p.minUnmaskedBitFraction}%)`, { ...m });
  }
}
