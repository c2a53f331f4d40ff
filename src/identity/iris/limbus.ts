/**
 * Iris (limbus) localisation: Daugman's integro-differential operator restricted to the lateral
 * sectors that eyelids rarely cover, searched coarse-to-fine over centre and radius around the pupil.
 */
import { IriskError } from '../../lib/errors.js';
import { boxBlur, type FloatImage } from '../../lib/imageops.js';
import type { WorkingImage } from './working-image.js';
import { angleRange } from './edges.js';
import type { Circle } from './geometry.js';

/** Parameters of iris boundary localisation. */
export interface LimbusParams {
  /** Iris radius search range, in pupil radii. */
  readonly minRadiusRatio: number;
  readonly maxRadiusRatio: number;
  /** Largest centre offset from the pupil centre, in pupil radii (x) and as a fraction of that (y). */
  readonly maxCentreOffset: number;
  /** Half-width of each lateral sector, degrees from the horizontal. */
  readonly sectorUpDeg: number;
  readonly sectorDownDeg: number;
  /** Radial smoothing (pixels) of the contour-integral profile before differentiation. */
  readonly profileSmoothing: number;
  /** Minimum mean intensity step at the limbus (0-255). */
  readonly minContrast: number;
  /** Working scale: shorter image side after downsampling for the coarse search. */
  readonly workingSide: number;
}

export const DEFAULT_LIMBUS_PARAMS: LimbusParams = {
  minRadiusRatio: 1.45,
  maxRadiusRatio: 5.5,
  maxCentreOffset: 0.25,
  sectorUpDeg: 36,
  sectorDownDeg: 36,
  profileSmoothing: 4,
  minContrast: 4,
  workingSide: 140,
};

/** A located iris boundary and the strength of its edge. */
export interface LimbusResult {
  readonly circle: Circle;
  readonly contrast: number;
}

/** Locates the outer iris boundary around a known pupil, or throws IRIS_NOT_FOUND. */
export function locateLimbus(img: WorkingImage, pupil: Circle, params: LimbusParams = DEFAULT_LIMBUS_PARAMS): LimbusResult {
  const side = Math.min(img.width, img.height);
  const f = img.factorFor(params.workingSide);
  const small = boxBlur(img.downsampled(f), 1);
  const rMin = Math.max(pupil.r * params.minRadiusRatio, pupil.r + 6);
  const rMax = Math.min(pupil.r * params.maxRadiusRatio, side * 0.6);
  if (rMax <= rMin) throw new IriskError('IRIS_NOT_FOUND', 'No room for an iris around the pupil', { pupil });
  const maxOff = Math.max(2, pupil.r * params.maxCentreOffset);
  const coarseAngles = lateralAngles(params, 24);
  const toSmall = (v: number): number => (v - (f - 1) / 2) / f;
  const toFull = (v: number): number => v * f + (f - 1) / 2;
  const coarse0 = searchIdo(small, { x: toSmall(pupil.x), y: toSmall(pupil.y) }, maxOff / f, Math.max(1, maxOff / f / 3), rMin / f, rMax / f, 1, coarseAngles, params.profileSmoothing / f);
  const coarse = searchIdo(small, coarse0, Math.max(1, maxOff / f / 3), 0.5, Math.max(rMin / f, coarse0.r - 3), Math.min(rMax / f, coarse0.r + 3), 0.5, coarseAngles, params.profileSmoothing / f);
  const full = f > 1 ? img.full : small;
  const fine = searchIdo(
    full,
    { x: toFull(coarse.x), y: toFull(coarse.y) },
    f,
    1,
    Math.max(rMin, coarse.r * f - f),
    Math.min(rMax, coarse.r * f + f),
    0.5,
    lateralAngles(params, 30),
    params.profileSmoothing,
  );
  const circle = { x: fine.x, y: fine.y, r: fine.r };
  if (fine.contrast < params.minContrast) {
    throw new IriskError('IRIS_NOT_FOUND', 'No iris boundary found around the pupil (the limbus has too little contrast)', { contrast: fine.contrast });
  }
  return { circle, contrast: fine.contrast };
}

/** Angles of the left and right lateral sectors (radians, y downward: positive angles point down). */
export function lateralAngles(params: LimbusParams, perSide: number): Float64Array {
  const up = (params.sectorUpDeg * Math.PI) / 180;
  const down = (params.sectorDownDeg * Math.PI) / 180;
  const right = angleRange(-up, down, perSide);
  const left = angleRange(Math.PI - down, Math.PI + up, perSide);
  const out = new Float64Array(perSide * 2);
  out.set(right, 0);
  out.set(left, perSide);
  return out;
}

interface IdoBest {
  x: number;
  y: number;
  r: number;
  contrast: number;
}

/**
 * Coarse-to-fine integro-differential search. The lateral angles are split into `SUBSECTORS`
 * equal groups; the score of a circle is the trimmed mean (lowest and highest dropped) of the
 * per-group radial steps, so that an edge seen by one or two groups only (an eyelid, a lash
 * cluster, a shadow) cannot win over the limbus that all groups see.
 */
const SUBSECTORS = 6;

function searchIdo(
  img: FloatImage,
  centre: { x: number; y: number },
  maxOff: number,
  offStep: number,
  rMin: number,
  rMax: number,
  rStep: number,
  angles: Float64Array,
  smoothing: number,
): IdoBest {
  const span = Math.max(1, Math.round(smoothing / rStep));
  const rLo = rMin - span * rStep;
  const nr = Math.max(1, Math.floor((rMax - rMin) / rStep) + 1) + 2 * span;
  const perGroup = Math.floor(angles.length / SUBSECTORS);
  const profile = new Float64Array(SUBSECTORS * nr);
  const counts = new Float64Array(SUBSECTORS * nr);
  const steps = new Float64Array(SUBSECTORS);
  let best: IdoBest = { x: centre.x, y: centre.y, r: rMin, contrast: -Infinity };
  const cos = Float64Array.from(angles, Math.cos);
  const sin = Float64Array.from(angles, Math.sin);
  const { data, width: w } = img;
  const wMax = img.width - 1;
  const hMax = img.height - 1;
  for (let oy = -maxOff * 0.5; oy <= maxOff * 0.5 + 1e-9; oy += offStep) {
    for (let ox = -maxOff; ox <= maxOff + 1e-9; ox += offStep) {
      const cx = centre.x + ox;
      const cy = centre.y + oy;
      profile.fill(0);
      counts.fill(0);
      for (let g = 0; g < SUBSECTORS; g++) {
        for (let a = g * perGroup; a < (g + 1) * perGroup; a++) {
          const c = cos[a]!;
          const s = sin[a]!;
          for (let k = 0; k < nr; k++) {
            const r = rLo + k * rStep;
            // Bilinear sample, inlined: this loop is the hottest of the segmentation.
            const x = cx + r * c;
            const y = cy + r * s;
            if (!(x >= 0 && y >= 0 && x < wMax && y < hMax)) continue;
            const xi = x | 0;
            const yi = y | 0;
            const fx = x - xi;
            const fy = y - yi;
            const i = yi * w + xi;
            const top = data[i]! + (data[i + 1]! - data[i]!) * fx;
            const bottom = data[i + w]! + (data[i + w + 1]! - data[i + w]!) * fx;
            profile[g * nr + k] += top + (bottom - top) * fy;
            counts[g * nr + k]++;
          }
        }
      }
      for (let k = span; k < nr - span; k++) {
        let valid = 0;
        for (let g = 0; g < SUBSECTORS; g++) {
          const i = g * nr + k;
          const ci = counts[i - span]!;
          const co = counts[i + span]!;
          steps[g] = ci > perGroup * 0.5 && co > perGroup * 0.5 ? profile[i + span]! / co - profile[i - span]! / ci : -Infinity;
          if (steps[g] !== -Infinity) valid++;
        }
        if (valid < SUBSECTORS - 1) continue;
        const d = trimmedMean(steps);
        if (d > best.contrast) best = { x: cx, y: cy, r: rLo + k * rStep, contrast: d };
      }
    }
  }
  return best;
}

/** Mean without the lowest and the highest value (a value of -Infinity counts as the lowest). */
function trimmedMean(values: Float64Array): number {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (const v of values) if (v !== -Infinity) { sum += v; n++; }
  if (min !== -Infinity) { sum -= min; n--; }
  sum -= max;
  n--;
  return n > 0 ? sum / n : -Infinity;
}
