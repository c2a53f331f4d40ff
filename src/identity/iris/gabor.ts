/**
 * Feature encoding: a bank of complex Gabor filters applied to the normalised iris; the signs of
 * the real and imaginary responses at a grid of points are the template's phase bits. Filters are
 * separable (Gaussian across radius, Gabor along angle, wrapping around the circle), so only the
 * responses at the grid points are computed.
 */
import { quantile } from '../../lib/imageops.js';
import type { NormalizedIris } from './normalize.js';
import { bitIndex, TEMPLATE_VERSION, type IrisTemplate, type TemplateShape } from './template.js';

/** One Gabor filter, in normalised-image pixels. */
export interface GaborFilter {
  /** Wavelength along the angular axis. */
  readonly wavelength: number;
  /** Gaussian sd along the angular axis. */
  readonly sigmaTheta: number;
  /** Gaussian sd along the radial axis. */
  readonly sigmaRho: number;
}

/** Parameters of the encoder. */
export interface EncodeParams {
  readonly codeRows: number;
  readonly codeCols: number;
  readonly filters: readonly GaborFilter[];
  /** A bit is masked when less than this envelope-weighted fraction of its support is valid. */
  readonly minSupport: number;
  /** Fraction of the weakest responses (per filter and part) masked as fragile. */
  readonly fragileFraction: number;
}

export const DEFAULT_ENCODE_PARAMS: EncodeParams = {
  codeRows: 16,
  codeCols: 256,
  filters: [
    { wavelength: 36, sigmaTheta: 12, sigmaRho: 4 },
    { wavelength: 18, sigmaTheta: 6, sigmaRho: 3 },
  ],
  minSupport: 0.85,
  fragileFraction: 0.1,
};

interface Kernel {
  radius: number;
  re: Float64Array;
  im: Float64Array;
  env: Float64Array;
}

function thetaKernel(f: GaborFilter): Kernel {
  const radius = Math.ceil(2.5 * f.sigmaTheta);
  const n = 2 * radius + 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const env = new Float64Array(n);
  let sumEnv = 0;
  let sumRe = 0;
  for (let k = 0; k < n; k++) {
    const x = k - radius;
    const g = Math.exp((-x * x) / (2 * f.sigmaTheta * f.sigmaTheta));
    env[k] = g;
    re[k] = g * Math.cos((2 * Math.PI * x) / f.wavelength);
    im[k] = g * Math.sin((2 * Math.PI * x) / f.wavelength);
    sumEnv += g;
    sumRe += re[k]!;
  }
  // Remove the DC response of the real part so that uniform brightness gives no signal.
  for (let k = 0; k < n; k++) re[k] = re[k]! - (sumRe / sumEnv) * env[k]!;
  return { radius, re, im, env };
}

function gaussian(sigma: number): { radius: number; w: Float64Array } {
  const radius = Math.ceil(2.5 * sigma);
  const w = new Float64Array(2 * radius + 1);
  for (let k = 0; k < w.length; k++) w[k] = Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma));
  return { radius, w };
}

/** Encodes a normalised iris and its valid mask into a template. */
export function encodeIris(norm: NormalizedIris, valid: Uint8Array, params: EncodeParams = DEFAULT_ENCODE_PARAMS): IrisTemplate {
  const shape: TemplateShape = { rows: params.codeRows, cols: params.codeCols, filters: params.filters.length };
  const { rows, cols } = norm;
  const filled = fillInvalid(norm.image, valid, rows, cols);
  const nbits = shape.rows * shape.cols * shape.filters * 2;
  const code = new Uint8Array(nbits);
  const mask = new Uint8Array(nbits);
  const colStep = cols / shape.cols;
  const rowStep = rows / shape.rows;
  const validF = Float32Array.from(valid);
  // Invalid samples above each row, per column: windows without any invalid sample have full
  // support, so their weighted support need not be computed (most of the iris, most of the time).
  const invalidAbove = new Int32Array((rows + 1) * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) invalidAbove[(i + 1) * cols + j] = invalidAbove[i * cols + j]! + (valid[i * cols + j] ? 0 : 1);
  }
  for (let f = 0; f < params.filters.length; f++) {
    const filter = params.filters[f]!;
    const kt = thetaKernel(filter);
    const kr = gaussian(filter.sigmaRho);
    const pad = kt.radius;
    const taps = kt.re.length;
    let envSum = 0;
    for (let k = 0; k < taps; k++) envSum += kt.env[k]!;
    const magRe = new Float64Array(shape.rows * shape.cols);
    const magIm = new Float64Array(shape.rows * shape.cols);
    const support = new Float64Array(shape.rows * shape.cols);
    const rowSignal = new Float64Array(cols);
    const rowValid = new Float64Array(cols);
    const paddedSignal = new Float64Array(cols + 2 * pad);
    const paddedValid = new Float64Array(cols + 2 * pad);
    const invalidPrefix = new Int32Array(cols + 2 * pad + 1);
    for (let r = 0; r < shape.rows; r++) {
      const centre = Math.floor((r + 0.5) * rowStep);
      const lo = Math.max(0, centre - kr.radius);
      const hi = Math.min(rows - 1, centre + kr.radius);
      // Circular prefix of invalid counts in this row band, over the padded columns.
      for (let j = 0; j < cols + 2 * pad; j++) {
        const col = (j - pad + cols) % cols;
        invalidPrefix[j + 1] = invalidPrefix[j]! + invalidAbove[(hi + 1) * cols + col]! - invalidAbove[lo * cols + col]!;
      }
      const anyInvalid = invalidPrefix[cols + 2 * pad]! > 0;
      rowSignal.fill(0);
      rowValid.fill(0);
      let wsum = 0;
      for (let i = lo; i <= hi; i++) {
        const w = kr.w[i - centre + kr.radius]!;
        wsum += w;
        const row = i * cols;
        for (let j = 0; j < cols; j++) rowSignal[j] += w * filled[row + j]!;
        if (anyInvalid) for (let j = 0; j < cols; j++) rowValid[j] += w * validF[row + j]!;
      }
      // Circular padding so the angular convolution needs no modulo.
      for (let j = 0; j < cols + 2 * pad; j++) {
        const src = (j - pad + cols) % cols;
        paddedSignal[j] = rowSignal[src]!;
        paddedValid[j] = rowValid[src]!;
      }
      for (let c = 0; c < shape.cols; c++) {
        const start = Math.floor(c * colStep);
        let re = 0;
        let im = 0;
        for (let k = 0; k < taps; k++) {
          const v = paddedSignal[start + k]!;
          re += kt.re[k]! * v;
          im += kt.im[k]! * v;
        }
        const cell = r * shape.cols + c;
        magRe[cell] = re;
        magIm[cell] = im;
        if (invalidPrefix[start + taps]! === invalidPrefix[start]!) {
          support[cell] = 1;
        } else {
          let sup = 0;
          for (let k = 0; k < taps; k++) sup += kt.env[k]! * paddedValid[start + k]!;
          support[cell] = sup / (envSum * wsum);
        }
      }
    }
    const reCut = fragileCut(magRe, support, params);
    const imCut = fragileCut(magIm, support, params);
    for (let cell = 0; cell < magRe.length; cell++) {
      const r = Math.floor(cell / shape.cols);
      const c = cell % shape.cols;
      const ok = support[cell]! >= params.minSupport;
      const bRe = bitIndex(shape, r, c, f, 0);
      const bIm = bitIndex(shape, r, c, f, 1);
      code[bRe] = magRe[cell]! >= 0 ? 1 : 0;
      code[bIm] = magIm[cell]! >= 0 ? 1 : 0;
      mask[bRe] = ok && Math.abs(magRe[cell]!) >= reCut ? 1 : 0;
      mask[bIm] = ok && Math.abs(magIm[cell]!) >= imCut ? 1 : 0;
    }
  }
  return { ...shape, code, mask, version: TEMPLATE_VERSION };
}

function fragileCut(values: Float64Array, support: Float64Array, params: EncodeParams): number {
  if (params.fragileFraction <= 0) return 0;
  const mags: number[] = [];
  for (let i = 0; i < values.length; i++) if (support[i]! >= params.minSupport) mags.push(Math.abs(values[i]!));
  return mags.length === 0 ? 0 : quantile(mags, params.fragileFraction);
}

/** Replaces invalid samples by the mean of the valid ones in the same row, so occluders add no edges. */
function fillInvalid(image: Float32Array, valid: Uint8Array, rows: number, cols: number): Float32Array {
  const out = Float32Array.from(image);
  let globalSum = 0;
  let globalN = 0;
  for (let k = 0; k < image.length; k++) if (valid[k]) { globalSum += image[k]!; globalN++; }
  const globalMean = globalN > 0 ? globalSum / globalN : 0;
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    let n = 0;
    for (let j = 0; j < cols; j++) if (valid[i * cols + j]) { sum += image[i * cols + j]!; n++; }
    const mean = n > cols / 8 ? sum / n : globalMean;
    for (let j = 0; j < cols; j++) if (!valid[i * cols + j]) out[i * cols + j] = mean;
  }
  return out;
}
