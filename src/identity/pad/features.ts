/**
 * PAD features: one fixed-length vector per eye image, with a stable name for every entry, fed
 * to the shared XGBoost. Groups and the attack cue each targets are described in
 * docs/pad-features.md. Every measure reuses the pipeline's segmentation, and pixel-wise work is
 * limited to the iris (full resolution, every s-th pixel) and a downsampled eye region.
 *
 * Missing values: a feature is NaN (XGBoost's missing) when its input is absent
 * (`highlight_mask_share` without a specular mask) or its region holds no pixel (an iris circle
 * outside the image, a pupil as large as the iris); otherwise every value is finite.
 */
import { IriskError } from '../../lib/errors.js';
import type { GrayImage } from '../../lib/image.js';
import { histogramQuantiles, type FloatImage } from '../../lib/imageops.js';
import { geometryMetrics } from '../iris/quality.js';
import { findHighlights, forEachDiscSpan, type HighlightStats } from './highlights.js';
import { LBP_BINS, lbpHistogram, type LbpRadius } from './lbp.js';
import { angularPeriodicity, radialProfileFeatures } from './profile.js';
import { clipToImage, cropFloat, eyeView, rectAround, resolveRegion, squareAround, type EyeView, type PadRegion, type PadSegmentation } from './region.js';
import { hannWindow, spectrumFeatures, type SpectrumFeatures } from './spectrum.js';
import { meanVariance, robustSigma } from './stats.js';

/** Feature names by group, in vector order. */
export const PAD_FEATURE_GROUPS = {
  /** Where the eye is and how it is shaped. */
  geometry: ['seg_missing', 'pupil_iris_ratio', 'pupil_offset', 'iris_radius_rel'],
  /** Grey levels and dynamic range. */
  intensity: ['pupil_mean', 'annulus_mean', 'pupil_annulus_contrast', 'eye_p1', 'eye_p99', 'contrast_p99_p1', 'contrast_p95_p5_annulus', 'gray_level_gaps'],
  /** Focus and sensor noise. */
  sharpness: ['laplacian_var', 'laplacian_var_norm', 'noise_sigma_pupil', 'noise_sigma_annulus'],
  /** Full-resolution spectrum of two 64x64 blocks mid-annulus either side of the pupil: halftone, pixel grid, moire. */
  spectrum: ['spec_peak_ratio_low', 'spec_peak_ratio_mid', 'spec_peak_ratio_high', 'spec_peak_count', 'spec_flatness', 'spec_hf_share', 'spec_slope'],
  /** The same blocks in the eye region downsampled to an iris radius of 31-61 pixels: a printed lens lattice at any resolution. */
  irisSpectrum: ['spec_iris_peak_ratio_low', 'spec_iris_peak_ratio_mid', 'spec_iris_peak_ratio_high', 'spec_iris_peak_count'],
  /** Corneal reflections. */
  highlights: ['highlight_count', 'highlight_area', 'highlight_largest_area', 'highlight_compactness', 'highlight_mean', 'highlight_max', 'highlight_mask_share'],
  /** Rings along the radius: a lens's printed limbal ring and its edge on the sclera. */
  profile: ['radial_profile_var', 'ring_inner', 'ring_outer', 'limbus_contrast'],
  /** Repetition around the annulus: a printed pattern. */
  periodicity: ['annulus_acf_peak', 'annulus_angular_peak'],
  /** Micro-texture: riu2 LBP histograms (P = 8, R = 1 and 2) of the annulus (full resolution) and the eye region (downsampled). */
  lbp: lbpNames(),
} as const;

type Groups = typeof PAD_FEATURE_GROUPS;
/** The name of one PAD feature. */
export type PadFeatureName = Groups[keyof Groups][number];
/** A feature group. */
export type PadFeatureGroup = keyof Groups;

/** Every feature name, in vector order: index k of `padFeatures(...)` is `PAD_FEATURE_NAMES[k]`. */
export const PAD_FEATURE_NAMES: readonly PadFeatureName[] = Object.values(PAD_FEATURE_GROUPS).flat();

/** Features that are NaN (missing, as XGBoost reads it) when their input was not given. */
export const PAD_OPTIONAL_FEATURES: readonly PadFeatureName[] = ['highlight_mask_share'];

const INDEX = new Map<PadFeatureName, number>(PAD_FEATURE_NAMES.map((n, i) => [n, i]));

type LbpScope = 'annulus' | 'eye';
type LbpBin = `u${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8}` | 'nu';
type LbpFeatureName = `lbp_${LbpScope}_r${LbpRadius}_${LbpBin}`;

/** lbp_<scope>_r<R>_u<k> (uniform pattern with k of 8 neighbours >= centre) and _nu (non-uniform). */
function lbpNames(): readonly LbpFeatureName[] {
  const out: LbpFeatureName[] = [];
  for (const scope of ['annulus', 'eye'] as const) {
    for (const r of [1, 2] as const) {
      for (let k = 0; k < LBP_BINS; k++) out.push(`lbp_${scope}_r${r}_${k < 9 ? (`u${k}` as LbpBin) : 'nu'}`);
    }
  }
  return out;
}

/** Half-width and half-height of the eye region, in iris radii (eye corners to eyelids). */
const EYE_REGION_HALF_WIDTH = 1.75;
const EYE_REGION_HALF_HEIGHT = 1.25;
/** The eye-region LBP reads every s-th pixel in x and y, s = max(1, round(iris radius there / this)): about 5,000 pixels. */
const EYE_LBP_SAMPLING_RADIUS = 20;
/** Margin (pixels) of the full-resolution crop around the iris disc. */
const IRIS_CROP_MARGIN = 4;
/** Pixel-wise iris measures sample every s-th pixel in x and y, s = max(1, round(iris radius / this)). */
const IRIS_SAMPLING_RADIUS = 60;
/** Side of the spectrum blocks (one each side of the pupil, at each scale). */
const SPECTRUM_BLOCK = 64;
/** The eye region is downsampled by ceil(iris radius / this): its iris radius is then 31-61 pixels. */
const EYE_REGION_IRIS_RADIUS = 61;

/**
 * The PAD feature vector of one eye image (`PAD_FEATURE_NAMES` says what each entry is).
 *
 * `image` is the capture as decoded (reflections included: they are a cue). `seg` is the pupil
 * and iris circles the pipeline found, or null when segmentation failed: centred default circles
 * stand in and `seg_missing` is 1. `specularMask` (optional) is the pipeline's reflection mask
 * (image-sized, 1 = reflection); without it `highlight_mask_share` is NaN. Pass it the same way
 * in training and serving.
 */
export function padFeatures(image: GrayImage, seg: PadSegmentation | null, specularMask?: Uint8Array): Float32Array {
  if (specularMask !== undefined && specularMask.length !== image.width * image.height) {
    throw new IriskError('USAGE', `Specular mask has ${specularMask.length} entries; the image has ${image.width * image.height} pixels`);
  }
  const region = resolveRegion(image, seg);
  const out = new Float32Array(PAD_FEATURE_NAMES.length).fill(NaN);
  const put = (name: PadFeatureName, v: number): void => {
    out[INDEX.get(name)!] = v;
  };
  putGeometry(put, image, region);
  const q = region.iris;
  const iris = eyeView(image, region, squareAround(q.x, q.y, q.r + IRIS_CROP_MARGIN), 1);
  const eyeRect = clipToImage(rectAround(q.x, q.y, EYE_REGION_HALF_WIDTH * q.r, EYE_REGION_HALF_HEIGHT * q.r), image);
  const eye = eyeView(image, region, eyeRect, Math.max(1, Math.ceil(q.r / EYE_REGION_IRIS_RADIUS)));
  const hl = findHighlights(iris.img, iris.iris, iris.inside);
  putHighlights(put, hl, region, specularMask, image);
  putIrisTexture(put, iris, hl, Math.max(1, Math.round(q.r / IRIS_SAMPLING_RADIUS)));
  putEyeRegion(put, eye);
  putSpectra(put, image, region, eye);
  const profile = radialProfileFeatures(iris, eye);
  put('radial_profile_var', profile.radialVariance);
  put('ring_inner', profile.innerRing);
  put('ring_outer', profile.outerRing);
  put('limbus_contrast', profile.limbusContrast);
  const periodic = angularPeriodicity(iris);
  put('annulus_acf_peak', periodic.acfPeak);
  put('annulus_angular_peak', periodic.spectralPeak);
  return out;
}

/** The feature vector as a name -> value record (reports, debugging). */
export function padFeatureRecord(values: Float32Array): Record<PadFeatureName, number> {
  if (values.length !== PAD_FEATURE_NAMES.length) {
    throw new IriskError('USAGE', `A PAD feature vector has ${PAD_FEATURE_NAMES.length} entries, got ${values.length}`);
  }
  return Object.fromEntries(PAD_FEATURE_NAMES.map((n, i) => [n, values[i]!])) as Record<PadFeatureName, number>;
}

type Put = (name: PadFeatureName, v: number) => void;

/** Segmentation flag and the shape of the eye. */
function putGeometry(put: Put, image: GrayImage, region: PadRegion): void {
  const g = geometryMetrics(region.pupil, region.iris);
  put('seg_missing', region.missing ? 1 : 0);
  put('pupil_iris_ratio', g.pupilIrisRatio);
  put('pupil_offset', g.offgaze);
  put('iris_radius_rel', region.iris.r / Math.min(image.width, image.height));
}

/** Highlight statistics, and the share of the iris disc the pipeline's reflection mask covers. */
function putHighlights(put: Put, hl: HighlightStats, region: PadRegion, specularMask: Uint8Array | undefined, image: GrayImage): void {
  put('highlight_count', hl.count);
  put('highlight_area', hl.areaShare);
  put('highlight_largest_area', hl.largestShare);
  put('highlight_compactness', hl.compactness);
  put('highlight_mean', hl.meanLevel);
  put('highlight_max', hl.maxLevel);
  if (specularMask === undefined) return;
  let inDisc = 0;
  let masked = 0;
  forEachDiscSpan(image.width, image.height, region.iris, (y, xa, xb) => {
    inDisc += xb - xa + 1;
    for (let i = y * image.width + xa; i <= y * image.width + xb; i++) masked += specularMask[i]! ? 1 : 0;
  });
  put('highlight_mask_share', inDisc > 0 ? masked / inDisc : 0);
}

/** Pixel index lists of the iris view, on the lattice of every step-th pixel in x and y, without highlights. */
interface IrisPixels {
  readonly disc: Int32Array;
  /** The annulus with its upper sector (eyelashes and lid) left out. */
  readonly annulus: Int32Array;
  /** The pupil core. */
  readonly pupil: Int32Array;
}

/** The iris view's disc, annulus and pupil core on the lattice of every step-th pixel, away from highlights. */
function irisPixels(v: EyeView, exclude: Uint8Array, step: number): IrisPixels {
  const w = v.img.width;
  const disc: number[] = [];
  const annulus: number[] = [];
  const pupil: number[] = [];
  const p = v.pupil;
  const q = v.iris;
  const innerR2 = (p.r * 1.15) ** 2;
  const coreR2 = (p.r * 0.8) ** 2;
  const outerR2 = (q.r * 0.92) ** 2;
  const discR2 = q.r * q.r;
  const b = v.inside;
  for (let y = b.y0 + ((step - (b.y0 % step)) % step); y < b.y0 + b.height; y += step) {
    for (let x = b.x0 + ((step - (b.x0 % step)) % step); x < b.x0 + b.width; x += step) {
      const i = y * w + x;
      const dx = x - q.x;
      const dy = y - q.y;
      if (dx * dx + dy * dy > discR2 || exclude[i]) continue;
      disc.push(i);
      const dp2 = (x - p.x) ** 2 + (y - p.y) ** 2;
      if (dp2 < coreR2) pupil.push(i);
      if (dp2 > innerR2 && dx * dx + dy * dy < outerR2 && !(dy < 0 && Math.abs(dx) < -dy)) annulus.push(i);
    }
  }
  return { disc: Int32Array.from(disc), annulus: Int32Array.from(annulus), pupil: Int32Array.from(pupil) };
}

/** Intensity, contrast, sharpness, noise and annulus LBP over the full-resolution iris view. */
function putIrisTexture(put: Put, v: EyeView, hl: HighlightStats, step: number): void {
  const px = irisPixels(v, hl.exclude, step);
  const d = v.img.data;
  const annulusValues = gather(d, px.annulus);
  const annulusMean = meanVariance(annulusValues).mean;
  const pupilMean = meanVariance(gather(d, px.pupil)).mean;
  put('pupil_mean', pupilMean);
  put('annulus_mean', annulusMean);
  put('pupil_annulus_contrast', annulusMean - pupilMean);
  const [a5, a95] = histogramQuantiles(annulusValues, [0.05, 0.95]);
  put('contrast_p95_p5_annulus', a95! - a5!);
  const discValues = gather(d, px.disc);
  put('gray_level_gaps', grayLevelGaps(discValues));
  const lapVar = meanVariance(laplacianValues(v.img, px.disc)).variance;
  const discVar = meanVariance(discValues).variance;
  put('laplacian_var', lapVar);
  put('laplacian_var_norm', discVar > 0 ? lapVar / discVar : 0);
  put('noise_sigma_pupil', robustSigma(boxResiduals(v.img, px.pupil)));
  put('noise_sigma_annulus', robustSigma(boxResiduals(v.img, px.annulus)));
  putLbp(put, 'annulus', v.img, px.annulus);
}

/** The values of `data` at the listed pixels. */
function gather(data: Float32Array, pixels: Int32Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let k = 0; k < pixels.length; k++) out[k] = data[pixels[k]!]!;
  return out;
}

/** Applies a 3x3 stencil at the listed pixels that are not on the border. */
function stencil(img: FloatImage, pixels: Int32Array, at: (d: Float32Array, i: number, w: number) => number): Float32Array {
  const { width: w, height: h, data: d } = img;
  const out = new Float32Array(pixels.length);
  let n = 0;
  for (let k = 0; k < pixels.length; k++) {
    const i = pixels[k]!;
    const x = i % w;
    const y = (i - x) / w;
    if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) continue;
    out[n++] = at(d, i, w);
  }
  return out.subarray(0, n);
}

/**
 * Residual of each pixel from the mean of its 3x3 neighbourhood: texture-free noise where the
 * surface is smooth (the pupil), noise plus fine texture elsewhere.
 */
function boxResiduals(img: FloatImage, pixels: Int32Array): Float32Array {
  return stencil(img, pixels, (d, i, w) => {
    const sum = d[i - w - 1]! + d[i - w]! + d[i - w + 1]! + d[i - 1]! + d[i]! + d[i + 1]! + d[i + w - 1]! + d[i + w]! + d[i + w + 1]!;
    return d[i]! - sum / 9;
  });
}

/** 4-neighbour Laplacian at the listed pixels. */
function laplacianValues(img: FloatImage, pixels: Int32Array): Float32Array {
  return stencil(img, pixels, (d, i, w) => d[i - 1]! + d[i + 1]! + d[i - w]! + d[i + w]! - 4 * d[i]!);
}

/**
 * Share of the integer grey levels between the 1st and 99th percentile that no value takes: a
 * comb-like histogram from gamma tables, banding or requantisation.
 */
function grayLevelGaps(values: Float32Array): number {
  const n = values.length;
  if (n === 0) return 0;
  const counts = new Float64Array(256);
  for (let k = 0; k < n; k++) counts[Math.round(values[k]!) & 255]++;
  const level = (q: number): number => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += counts[v]!) >= q * n) return v;
    return 255;
  };
  const lo = level(0.01);
  const hi = level(0.99);
  let empty = 0;
  for (let v = lo; v <= hi; v++) if (counts[v] === 0) empty++;
  return empty / (hi - lo + 1);
}

/** The four riu2 histograms of one scope. */
function putLbp(put: Put, scope: LbpScope, img: FloatImage, pixels: Int32Array): void {
  const hist = new Float64Array(LBP_BINS);
  for (const r of [1, 2] as const) {
    lbpHistogram(img, pixels, r, hist);
    for (let k = 0; k < LBP_BINS; k++) put(`lbp_${scope}_r${r}_${k < 9 ? (`u${k}` as LbpBin) : 'nu'}`, hist[k]!);
  }
}

/** Percentiles and LBP of the (downsampled) eye region. */
function putEyeRegion(put: Put, eye: EyeView): void {
  const step = Math.max(1, Math.round(eye.iris.r / EYE_LBP_SAMPLING_RADIUS));
  const [p1, p99] = histogramQuantiles(eye.img.data, [0.01, 0.99]);
  put('eye_p1', p1!);
  put('eye_p99', p99!);
  put('contrast_p99_p1', p99! - p1!);
  putLbp(put, 'eye', eye.img, latticePixels(eye.img.width, eye.img.height, step));
}

/** Indices of every step-th pixel in x and y. */
function latticePixels(w: number, h: number, step: number): Int32Array {
  const out = new Int32Array(Math.ceil(w / step) * Math.ceil(h / step));
  let k = 0;
  for (let y = 0; y < h; y += step) for (let x = 0; x < w; x += step) out[k++] = y * w + x;
  return out;
}

/**
 * Spectra of two 64x64 blocks centred mid-annulus left and right of the pupil (where eyelids
 * rarely reach), averaged: at full resolution (sensor scale: halftone, pixel grid, moire) and in
 * the downsampled eye region (iris scale, where the iris radius is 31-61 pixels: a printed lens
 * lattice, whatever the capture resolution).
 */
function putSpectra(put: Put, image: GrayImage, region: PadRegion, eye: EyeView): void {
  const n = SPECTRUM_BLOCK;
  const sensor = lateralCentres(region).map(([x, y]) => cropFloat(image, squareAround(x, y, n / 2)).data);
  const s = spectrumFeatures(sensor, n, hannWindow(n));
  putSpectrum(put, s, 'spec_peak_ratio_', 'spec_peak_count');
  put('spec_flatness', s.flatness);
  put('spec_hf_share', s.hfShare);
  put('spec_slope', s.slope);
  const coarse = lateralCentres(eye).map(([x, y]) => blockAt(eye.img, x, y, n));
  putSpectrum(put, spectrumFeatures(coarse, n, hannWindow(n)), 'spec_iris_peak_ratio_', 'spec_iris_peak_count');
}

/** Mid-annulus points level with the pupil, left and right. */
function lateralCentres(c: PadSegmentation): [number, number][] {
  const r = (c.pupil.r + c.iris.r) / 2;
  const x = (c.pupil.x + c.iris.x) / 2;
  const y = (c.pupil.y + c.iris.y) / 2;
  return [[x + r, y], [x - r, y]];
}

/** The n x n block of a float image centred at (cx, cy), edges repeated where it reaches past the image. */
function blockAt(img: FloatImage, cx: number, cy: number, n: number): Float32Array {
  const out = new Float32Array(n * n);
  const x0 = Math.round(cx - n / 2);
  const y0 = Math.round(cy - n / 2);
  for (let j = 0; j < n; j++) {
    const row = Math.max(0, Math.min(img.height - 1, y0 + j)) * img.width;
    for (let i = 0; i < n; i++) out[j * n + i] = img.data[row + Math.max(0, Math.min(img.width - 1, x0 + i))]!;
  }
  return out;
}

/** Band peak ratios and the peak count of one spectrum. */
function putSpectrum(put: Put, s: SpectrumFeatures, ratioPrefix: 'spec_peak_ratio_' | 'spec_iris_peak_ratio_', countName: PadFeatureName): void {
  put(`${ratioPrefix}low`, s.peakRatio.low);
  put(`${ratioPrefix}mid`, s.peakRatio.mid);
  put(`${ratioPrefix}high`, s.peakRatio.high);
  put(countName, s.peaks);
}
