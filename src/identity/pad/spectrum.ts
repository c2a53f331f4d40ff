/**
 * Fourier-spectrum cues of recapture: a halftone screen, a display's pixel grid, moire and a
 * printed lens lattice put isolated peaks into an otherwise smooth, radially decaying spectrum;
 * printing and re-imaging also change how energy falls off with frequency.
 */
import { powerSpectrum2d } from './fft.js';

/**
 * Frequency bands in units of the Nyquist frequency along an axis (radius in bins / (n / 2)):
 * low = periods of about 25 down to 8 pixels, mid = 8 down to 3.3, high = finer (up to the corners).
 */
export const SPECTRUM_BANDS = { low: [0.08, 0.25], mid: [0.25, 0.6], high: [0.6, Math.SQRT2 + 0.01] } as const;
export type SpectrumBand = keyof typeof SPECTRUM_BANDS;

/** A bin counts as a peak when its power is at least this many times its ring's geometric mean. */
export const PEAK_FACTOR = 10 ** 1.5;

/** Total power (grey levels squared) below which a block counts as featureless: far below one grey level of noise. */
const MIN_POWER = 1e-6;

/** What one block's spectrum says. */
export interface SpectrumFeatures {
  /** Per band: log10 of the strongest bin's power over the geometric mean power of its ring. */
  readonly peakRatio: Record<SpectrumBand, number>;
  /** Peak bins (a bin and its mirror count once) over all bands, at >= PEAK_FACTOR. */
  readonly peaks: number;
  /** Spectral flatness (geometric over arithmetic mean power) from the low band up. */
  readonly flatness: number;
  /** Share of the non-DC power at or above half the Nyquist frequency. */
  readonly hfShare: number;
  /** Slope of log ring power against log frequency (natural images: about -2 to -3). */
  readonly slope: number;
}

/** Per-bin geometry of a centred n x n spectrum: ring index (rounded radius) and band of each ring. */
interface SpectrumLayout {
  readonly rings: Int32Array;
  /** Bins per ring in the half-plane `describeSpectrum` reads. */
  readonly halfRingCount: Float64Array;
  /** Index into BAND_NAMES of each ring, or -1 outside every band. */
  readonly ringBand: Int8Array;
}

const BAND_NAMES: readonly SpectrumBand[] = ['low', 'mid', 'high'];
const layoutCache = new Map<number, SpectrumLayout>();

/** The layout for side n (cached). */
function layoutFor(n: number): SpectrumLayout {
  let layout = layoutCache.get(n);
  if (!layout) {
    const h = n >> 1;
    const rings = new Int32Array(n * n);
    for (let v = 0; v < n; v++) for (let u = 0; u < n; u++) rings[v * n + u] = Math.round(Math.sqrt((u - h) ** 2 + (v - h) ** 2));
    const maxRing = rings[0]! + 1;
    const halfRingCount = new Float64Array(maxRing);
    for (let i = 0; i < h * n + n; i++) if (i < h * n || i >= h * n + h) halfRingCount[rings[i]!]++;
    const ringBand = new Int8Array(maxRing).fill(-1);
    for (let r = 0; r < maxRing; r++) {
      const nu = r / h;
      ringBand[r] = BAND_NAMES.findIndex((b) => nu >= SPECTRUM_BANDS[b][0] && nu < SPECTRUM_BANDS[b][1]);
    }
    layout = { rings, halfRingCount, ringBand };
    layoutCache.set(n, layout);
  }
  return layout;
}

const hannCache = new Map<number, Float64Array>();

/** Separable 2-D Hann window of side n (cached): tapers a crop to zero at its border. */
export function hannWindow(n: number): Float64Array {
  let win = hannCache.get(n);
  if (!win) {
    const line = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n));
    win = new Float64Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) win[y * n + x] = line[y]! * line[x]!;
    hannCache.set(n, win);
  }
  return win;
}

/**
 * Spectral features of one or more n x n blocks (n a power of two, row-major) under a window,
 * from their averaged power spectra (Welch): each block's window-weighted mean is removed first,
 * so the zero frequency carries no energy.
 */
export function spectrumFeatures(blocks: readonly ArrayLike<number>[], n: number, window: Float64Array): SpectrumFeatures {
  let sw = 0;
  for (let i = 0; i < n * n; i++) sw += window[i]!;
  const x = new Float64Array(n * n);
  let power: Float64Array | null = null;
  for (const block of blocks) {
    let swx = 0;
    for (let i = 0; i < x.length; i++) swx += window[i]! * block[i]!;
    const mean = sw > 0 ? swx / sw : 0;
    for (let i = 0; i < x.length; i++) x[i] = (block[i]! - mean) * window[i]!;
    const p = powerSpectrum2d(x, n);
    if (power === null) power = p;
    else for (let i = 0; i < p.length; i++) power[i] += p[i]!;
  }
  return describeSpectrum(power ?? new Float64Array(n * n), n);
}

/**
 * Ring statistics, band peaks, flatness, high-frequency share and slope of a centred power
 * spectrum. The spectrum of a real block is point-symmetric, so only the half-plane of rows
 * above the centre (and the right half of the centre row) is read: each mirror pair once.
 */
function describeSpectrum(power: Float64Array, n: number): SpectrumFeatures {
  const { rings, halfRingCount, ringBand } = layoutFor(n);
  const h = n >> 1;
  const end = h * n + n; // rows 0..h-1, then the centre row
  const startCentre = h * n + h;
  let total = 0;
  for (let i = 0; i < end; i++) if (i < h * n || i >= startCentre) total += power[i]!;
  // A block without texture (all power rounding noise) has nothing to describe.
  if (total < MIN_POWER) return { peakRatio: { low: 0, mid: 0, high: 0 }, peaks: 0, flatness: 1, hfShare: 0, slope: 0 };
  const floor = (total / (end - h)) * 1e-12;
  const logP = new Float64Array(end);
  const ringLog = new Float64Array(halfRingCount.length);
  for (let i = 0; i < end; i++) {
    if (i >= h * n && i < startCentre) continue;
    const l = Math.log(power[i]! + floor);
    logP[i] = l;
    ringLog[rings[i]!] += l;
  }
  for (let r = 0; r < ringLog.length; r++) ringLog[r] = ringLog[r]! / Math.max(1, halfRingCount[r]!);
  const best = [0, 0, 0];
  const logPeak = Math.log(PEAK_FACTOR);
  let peaks = 0;
  let sumLog = 0;
  let sumP = 0;
  let count = 0;
  let nonDc = 0;
  let high = 0;
  for (let i = 0; i < end; i++) {
    if (i >= h * n && i < startCentre) continue;
    const r = rings[i]!;
    const p = power[i]!;
    if (r >= 2) nonDc += p;
    if (r >= h / 2) high += p;
    const band = ringBand[r]!;
    if (band < 0) continue;
    const excess = logP[i]! - ringLog[r]!;
    if (excess > best[band]!) best[band] = excess;
    if (excess >= logPeak) peaks++;
    sumLog += logP[i]!;
    sumP += p + floor;
    count++;
  }
  return {
    peakRatio: { low: best[0]! / Math.LN10, mid: best[1]! / Math.LN10, high: best[2]! / Math.LN10 },
    peaks,
    flatness: count > 0 && sumP > 0 ? Math.exp(sumLog / count) / (sumP / count) : 1,
    hfShare: nonDc > 0 ? high / nonDc : 0,
    slope: ringSlope(ringLog, 4, h),
  };
}

/** Least-squares slope of ring log-power against log radius over rings lo..hi. */
function ringSlope(ringLog: Float64Array, lo: number, hi: number): number {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let n = 0;
  for (let r = lo; r <= hi && r < ringLog.length; r++) {
    const lx = Math.log(r);
    sx += lx;
    sy += ringLog[r]!;
    sxx += lx * lx;
    sxy += lx * ringLog[r]!;
    n++;
  }
  const den = n * sxx - sx * sx;
  return den > 0 ? (n * sxy - sx * sy) / den : 0;
}
