/**
 * Ground truth of a synthetic capture and its manifest representation: the columns written by
 * the world generator and a parser that reads them back for segmentation evaluation.
 */
import { IriskError } from '../../lib/errors.js';
import type { Circle, Parabola } from './geometry.js';

/**
 * What is true about one capture, in image coordinates (x right, y down, pixel centres at
 * integers). Lids are parabolas y = a * (x - x0)^2 + y0 (a > 0 for the upper lid, a < 0 for the
 * lower one); the eye is open where upper(x) < y < lower(x).
 */
export interface IrisCaptureTruth {
  pupil: Circle;
  iris: Circle;
  upperLid: Parabola;
  lowerLid: Parabola;
  /** In-plane rotation of the texture (and lids), degrees, clockwise on screen. */
  rotationDeg: number;
  /** pupil.r / iris.r. */
  pupilRatio: number;
  /** Valid-mask pixels over the analytic annulus area pi (ri^2 - rp^2). */
  visibleFraction: number;
}

/** Manifest columns after `path,subject,eye,`: the ground truth, then the mask path. */
export const TRUTH_COLUMNS = [
  'pupil_x',
  'pupil_y',
  'pupil_r',
  'iris_x',
  'iris_y',
  'iris_r',
  'upper_lid_a',
  'upper_lid_x0',
  'upper_lid_y0',
  'lower_lid_a',
  'lower_lid_x0',
  'lower_lid_y0',
  'rotation_deg',
  'pupil_ratio',
  'visible_fraction',
] as const;

/**
 * Full manifest header: identity columns, truth, mask path, capture number (for an attack, its
 * presentation number), difficulty, then the presentation species (`bona_fide` for live eyes)
 * and the attack's parameters as `key=value;...` (empty for live eyes).
 */
export const MANIFEST_COLUMNS = [
  'path',
  'subject',
  'eye',
  ...TRUTH_COLUMNS,
  'mask_path',
  'capture',
  'difficulty',
  'species',
  'attack_params',
] as const;

type TruthColumn = (typeof TRUTH_COLUMNS)[number];

function round(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}

/** The truth as manifest cell strings, keyed by column (coordinates to 1/1000 px). */
export function truthToRow(t: IrisCaptureTruth): Record<TruthColumn, string> {
  return {
    pupil_x: round(t.pupil.x, 3),
    pupil_y: round(t.pupil.y, 3),
    pupil_r: round(t.pupil.r, 3),
    iris_x: round(t.iris.x, 3),
    iris_y: round(t.iris.y, 3),
    iris_r: round(t.iris.r, 3),
    upper_lid_a: round(t.upperLid.a, 9),
    upper_lid_x0: round(t.upperLid.x0, 3),
    upper_lid_y0: round(t.upperLid.y0, 3),
    lower_lid_a: round(t.lowerLid.a, 9),
    lower_lid_x0: round(t.lowerLid.x0, 3),
    lower_lid_y0: round(t.lowerLid.y0, 3),
    rotation_deg: round(t.rotationDeg, 4),
    pupil_ratio: round(t.pupilRatio, 5),
    visible_fraction: round(t.visibleFraction, 5),
  };
}

/**
 * Reads the ground truth back from a manifest record. Returns null when the truth columns are
 * absent or empty (for example a manifest of real images); throws DATASET_INVALID when they are
 * present but not numbers.
 */
export function parseIrisTruthRow(record: Record<string, string>): IrisCaptureTruth | null {
  if (TRUTH_COLUMNS.some((c) => record[c] === undefined || record[c]!.trim() === '')) return null;
  const v = {} as Record<TruthColumn, number>;
  for (const c of TRUTH_COLUMNS) {
    const n = Number(record[c]);
    if (!Number.isFinite(n)) {
      throw new IriskError('DATASET_INVALID', `Column ${c} is not a number: ${JSON.stringify(record[c])}`, { column: c, value: record[c] });
    }
    v[c] = n;
  }
  return {
    pupil: { x: v.pupil_x, y: v.pupil_y, r: v.pupil_r },
    iris: { x: v.iris_x, y: v.iris_y, r: v.iris_r },
    upperLid: { a: v.upper_lid_a, x0: v.upper_lid_x0, y0: v.upper_lid_y0 },
    lowerLid: { a: v.lower_lid_a, x0: v.lower_lid_x0, y0: v.lower_lid_y0 },
    rotationDeg: v.rotation_deg,
    pupilRatio: v.pupil_ratio,
    visibleFraction: v.visible_fraction,
  };
}
