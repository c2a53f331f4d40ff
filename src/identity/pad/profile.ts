/**
 * Cues read along circles and rays of the eye: the radial intensity profile (a cosmetic lens's
 * printed limbal ring or its edge on the sclera are thin rings the live eye does not have) and
 * the angular periodicity of the iris annulus (a printed lens pattern repeats; stroma does not).
 */
import { sampleBilinear, type FloatImage } from '../../lib/imageops.js';
import type { Circle } from '../iris/geometry.js';
import type { EyeView } from './region.js';
import { autocorrelationPair, powerSpectrumPair } from './fft.js';
import { meanVariance, median } from './stats.js';

/** Radial profile cues (grey levels). */
export interface RadialProfileFeatures {
  /** Variance of the lateral ring means across the annulus (pupil to limbus). */
  readonly radialVariance: number;
  /** Strongest thin ring inside the annulus: |p(t) - (p(t - d) + p(t + d)) / 2|. */
  readonly innerRing: number;
  /** Strongest thin ring on the sclera, centred 1.1 to 1.56 iris radii from the iris centre. */
  readonly outerRing: number;
  /** Mean sclera level (1.1-1.3 iris radii) minus the mean outer iris level (t 0.7-0.95). */
  readonly limbusContrast: number;
}

/** Angular periodicity cues of the unwrapped annulus. */
export interface PeriodicityFeatures {
  /** Median over rows of the highest autocorrelation past its first dip (lags up to 1/4 turn). */
  readonly acfPeak: number;
  /** Median over rows of the strongest angular spectral line (log10 power over its neighbourhood's), 8-200 cycles per turn. */
  readonly spectralPeak: number;
}

/** Angles (radians) of the lateral sectors, +/-40 degrees around both horizontals: eyelids rarely reach them. */
const LATERAL_ANGLES: readonly number[] = (() => {
  const out: number[] = [];
  const perSide = 16;
  for (const centre of [0, Math.PI]) {
    for (let k = 0; k < perSide; k++) out.push(centre + ((-40 + (80 * (k + 0.5)) / perSide) * Math.PI) / 180);
  }
  return out;
})();

/** Point at rubber-sheet radius t (0 = pupil boundary, 1 = limbus) and angle theta. */
function sheetPoint(pupil: Circle, iris: Circle, t: number, theta: number): [number, number] {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return [(1 - t) * (pupil.x + pupil.r * c) + t * (iris.x + iris.r * c), (1 - t) * (pupil.y + pupil.r * s) + t * (iris.y + iris.r * s)];
}

/** Mean of the samples that fall inside the image along the lateral angles at one radius. */
function lateralMean(img: FloatImage, at: (theta: number) => [number, number]): number {
  let s = 0;
  let n = 0;
  for (const theta of LATERAL_ANGLES) {
    const [x, y] = at(theta);
    const v = sampleBilinear(img, x, y);
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** Strongest |p[k] - (p[k - d] + p[k + d]) / 2| for k in [from, to] (NaN samples skipped); 0 when none is defined. */
function strongestRing(p: Float64Array, d: number, from: number, to: number): number {
  let best = 0;
  for (let k = Math.max(d, from); k <= Math.min(p.length - 1 - d, to); k++) {
    const v = Math.abs(p[k]! - (p[k - d]! + p[k + d]!) / 2);
    if (v > best) best = v;
  }
  return best;
}

/**
 * Radial profile cues from lateral ring means: inside the annulus from `inner` (full resolution),
 * out onto the sclera from `outer` (the downsampled eye region, which reaches further).
 */
export function radialProfileFeatures(inner: EyeView, outer: EyeView): RadialProfileFeatures {
  const steps = 32;
  const ts = Float64Array.from({ length: steps }, (_, k) => 0.05 + (0.9 * k) / (steps - 1));
  const inside = new Float64Array(steps);
  for (let k = 0; k < steps; k++) inside[k] = lateralMean(inner.img, (th) => sheetPoint(inner.pupil, inner.iris, ts[k]!, th));
  const outerSteps = 31;
  const rhos = Float64Array.from({ length: outerSteps }, (_, k) => 1 + (0.6 * k) / (outerSteps - 1));
  const outside = new Float64Array(outerSteps);
  const c = outer.iris;
  for (let k = 0; k < outerSteps; k++) {
    const r = rhos[k]! * c.r;
    outside[k] = lateralMean(outer.img, (th) => [c.x + r * Math.cos(th), c.y + r * Math.sin(th)]);
  }
  return {
    radialVariance: meanVariance(inside).variance,
    innerRing: strongestRing(inside, 2, indexAtLeast(ts, 0.25), steps - 1),
    outerRing: strongestRing(outside, 2, indexAtLeast(rhos, 1.1), outerSteps - 1),
    limbusContrast: meanBetween(rhos, outside, 1.1, 1.3) - meanBetween(ts, inside, 0.7, 0.95),
  };
}

/** Mean of the finite vals[k] whose xs[k] lies in [lo, hi]; NaN when there are none. */
function meanBetween(xs: Float64Array, vals: Float64Array, lo: number, hi: number): number {
  let s = 0;
  let n = 0;
  for (let k = 0; k < xs.length; k++) {
    if (xs[k]! >= lo && xs[k]! <= hi && Number.isFinite(vals[k]!)) {
      s += vals[k]!;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** First index whose value is >= v (length when none). */
function indexAtLeast(xs: Float64Array, v: number): number {
  let k = 0;
  while (k < xs.length && xs[k]! < v - 1e-9) k++;
  return k;
}

/** Samples per unwrapped annulus row (a power of two, for the FFT). */
const ANGULAR_SAMPLES = 512;
/** Unit circle at the angular samples. */
const UNIT_COS = Float64Array.from({ length: ANGULAR_SAMPLES }, (_, j) => Math.cos((2 * Math.PI * j) / ANGULAR_SAMPLES));
const UNIT_SIN = Float64Array.from({ length: ANGULAR_SAMPLES }, (_, j) => Math.sin((2 * Math.PI * j) / ANGULAR_SAMPLES));
/** Width of the circular moving average removed from each row (slow shading, eyelid shadows). */
const DETREND_WIDTH = 31;

/**
 * Angular periodicity of the annulus: 8 rows (t 0.3 to 0.85) of 512 samples around the full
 * circle, each detrended, then its autocorrelation and angular power spectrum.
 */
export function angularPeriodicity(view: EyeView): PeriodicityFeatures {
  const { img, pupil, iris } = view;
  const rows = 8;
  const acfPeaks: number[] = [];
  const specPeaks: number[] = [];
  const unwrap = (k: number): Float64Array => {
    const t = 0.3 + (0.55 * k) / (rows - 1);
    // The rubber-sheet point (1 - t) * pupil boundary + t * iris boundary, as centre + radius * direction.
    const cx = (1 - t) * pupil.x + t * iris.x;
    const cy = (1 - t) * pupil.y + t * iris.y;
    const r = (1 - t) * pupil.r + t * iris.r;
    const row = new Float64Array(ANGULAR_SAMPLES);
    for (let j = 0; j < ANGULAR_SAMPLES; j++) row[j] = sampleBilinear(img, cx + r * UNIT_COS[j]!, cy + r * UNIT_SIN[j]!);
    fillMissing(row);
    return detrend(row, DETREND_WIDTH);
  };
  // Rows go through the FFT in pairs (two real sequences per complex transform).
  for (let k = 0; k < rows; k += 2) {
    const powers = powerSpectrumPair(unwrap(k), unwrap(k + 1));
    for (const acf of autocorrelationPair(powers[0], powers[1])) acfPeaks.push(secondaryPeak(acf, ANGULAR_SAMPLES / 4));
    for (const power of powers) specPeaks.push(spectralLine(power, 8, 200));
  }
  return { acfPeak: median(acfPeaks), spectralPeak: median(specPeaks) };
}

/** Replaces NaN samples (outside the image) with the mean of the others, or 0. */
function fillMissing(row: Float64Array): void {
  let s = 0;
  let n = 0;
  for (const v of row) if (!Number.isNaN(v)) { s += v; n++; }
  const fill = n > 0 ? s / n : 0;
  for (let j = 0; j < row.length; j++) if (Number.isNaN(row[j]!)) row[j] = fill;
}

/** The row minus its circular moving average of the given (odd) width. */
function detrend(row: Float64Array, width: number): Float64Array {
  const n = row.length;
  const half = width >> 1;
  const out = new Float64Array(n);
  let acc = 0;
  for (let k = -half; k <= half; k++) acc += row[(k + n) % n]!;
  for (let j = 0; j < n; j++) {
    out[j] = row[j]! - acc / width;
    acc += row[(j + half + 1) % n]! - row[(j - half + n) % n]!;
  }
  return out;
}

/** Highest autocorrelation at lags from its first local minimum up to maxLag. */
function secondaryPeak(acf: Float64Array, maxLag: number): number {
  let lag = 1;
  while (lag < maxLag && acf[lag + 1]! < acf[lag]!) lag++;
  let best = -1;
  for (let k = lag; k <= maxLag; k++) if (acf[k]! > best) best = acf[k]!;
  return best;
}

/**
 * Strongest spectral line: max over k in lo..hi of log10(power[k] / geometric mean of the power at
 * k +/- 2..8), so a smooth fall-off with frequency does not count, only a peak above its
 * neighbourhood. 0 without energy.
 */
function spectralLine(power: Float64Array, lo: number, hi: number): number {
  const logs = power.map((p) => Math.log10(p + 1e-12));
  let best = 0;
  for (let k = lo; k <= hi; k++) {
    let s = 0;
    for (let d = 2; d <= 8; d++) s += logs[k - d]! + logs[k + d]!;
    const excess = logs[k]! - s / 14;
    if (excess > best) best = excess;
  }
  return best;
}
