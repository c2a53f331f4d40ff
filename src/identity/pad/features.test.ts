import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../lib/image.js';
import { boxBlur, toFloat, toGray } from '../../lib/imageops.js';
import { Rng } from '../../lib/rng.js';
import { PAD_FEATURE_GROUPS, PAD_FEATURE_NAMES, PAD_OPTIONAL_FEATURES, padFeatureRecord, padFeatures, type PadFeatureName } from './features.js';
import type { PadSegmentation } from './region.js';

const W = 320;
const H = 240;
const SEG: PadSegmentation = { pupil: { x: 161, y: 119, r: 24 }, iris: { x: 160, y: 120, r: 60 } };

/** Smooth seeded noise in [-1, 1]-ish: white noise box-blurred twice. */
function smoothNoise(seed: number, radius: number): Float32Array {
  const rng = new Rng(seed);
  const white = { width: W, height: H, data: Float32Array.from({ length: W * H }, () => rng.next() * 2 - 1) };
  const smooth = boxBlur(boxBlur(white, radius), radius);
  const scale = 1 / Math.max(...smooth.data.map(Math.abs));
  return smooth.data.map((v) => v * scale);
}

/**
 * A plain synthetic "eye": skin, a sclera band, a textured iris disc, a dark pupil with one small
 * reflection, a little sensor noise. Grey levels stay within 15..215 (no clipping under +20).
 */
function syntheticEye(seed = 1): Float32Array {
  const texture = smoothNoise(seed, 1);
  const coarse = smoothNoise(seed + 1, 4);
  const rng = new Rng(seed + 2);
  const img = new Float32Array(W * H);
  const { pupil, iris } = SEG;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const dI = Math.hypot(x - iris.x, y - iris.y);
      const dP = Math.hypot(x - pupil.x, y - pupil.y);
      let v: number;
      if (dP < pupil.r) v = 25;
      else if (dI < iris.r) v = 110 + 35 * texture[i]! + 15 * coarse[i]!;
      else if (Math.abs(y - iris.y) < 1.1 * iris.r) v = 170 + 8 * coarse[i]!;
      else v = 140 + 10 * coarse[i]!;
      img[i] = v + (rng.next() - 0.5) * 4;
    }
  }
  // Soften the edges a little, then add one small corneal reflection inside the pupil.
  const soft = boxBlur({ width: W, height: H, data: img }, 1).data;
  paintDisc(soft, pupil.x - 8, pupil.y - 8, 2.5, () => 250);
  return soft;
}

function paintDisc(img: Float32Array, cx: number, cy: number, r: number, value: (old: number) => number): void {
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      if (Math.hypot(x - cx, y - cy) <= r) img[y * W + x] = value(img[y * W + x]!);
    }
  }
}

function gray(data: Float32Array): GrayImage {
  return toGray({ width: W, height: H, data });
}

function features(data: Float32Array, seg: PadSegmentation | null = SEG): Record<PadFeatureName, number> {
  return padFeatureRecord(padFeatures(gray(data), seg));
}

/** Applies f(value, x, y) to every pixel. */
function mapPixels(data: Float32Array, f: (v: number, x: number, y: number) => number): Float32Array {
  return data.map((v, i) => f(v, i % W, Math.floor(i / W)));
}

/** Applies f inside the iris annulus only. */
function inAnnulus(x: number, y: number): boolean {
  const dI = Math.hypot(x - SEG.iris.x, y - SEG.iris.y);
  const dP = Math.hypot(x - SEG.pupil.x, y - SEG.pupil.y);
  return dI < SEG.iris.r * 0.95 && dP > SEG.pupil.r * 1.1;
}

const BASE = syntheticEye();
const BASE_F = features(BASE);

describe('PAD feature vector', () => {
  it('has one value per name, names unique and grouped', () => {
    expect(padFeatures(gray(BASE), SEG).length).toBe(PAD_FEATURE_NAMES.length);
    expect(new Set(PAD_FEATURE_NAMES).size).toBe(PAD_FEATURE_NAMES.length);
    expect(Object.values(PAD_FEATURE_GROUPS).flat()).toEqual(PAD_FEATURE_NAMES);
    expect(PAD_FEATURE_NAMES).toContain('lbp_annulus_r1_u3');
    expect(PAD_FEATURE_NAMES).toContain('lbp_eye_r2_nu');
    expect(PAD_FEATURE_GROUPS.lbp.length).toBe(40);
  });

  it('is deterministic and finite (only the optional mask feature is missing without a mask)', () => {
    const a = padFeatures(gray(BASE), SEG);
    const b = padFeatures(gray(BASE), SEG);
    expect(Array.from(a)).toEqual(Array.from(b));
    PAD_FEATURE_NAMES.forEach((name, i) => {
      if (PAD_OPTIONAL_FEATURES.includes(name)) expect(a[i]).toBeNaN();
      else expect(Number.isFinite(a[i]!), name).toBe(true);
    });
    const mask = new Uint8Array(W * H);
    mask[119 * W + 161] = 1;
    const withMask = padFeatureRecord(padFeatures(gray(BASE), SEG, mask));
    expect(withMask.highlight_mask_share).toBeGreaterThan(0);
    expect(withMask.highlight_mask_share).toBeLessThan(0.001);
    expect(() => padFeatures(gray(BASE), SEG, new Uint8Array(3))).toThrow(/mask/);
  });

  it('LBP histograms are distributions', () => {
    for (const prefix of ['lbp_annulus_r1', 'lbp_annulus_r2', 'lbp_eye_r1', 'lbp_eye_r2']) {
      const sum = PAD_FEATURE_NAMES.filter((n) => n.startsWith(prefix + '_')).reduce((s, n) => s + BASE_F[n], 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('flags a missing segmentation and still measures a centred region', () => {
    const f = features(BASE, null);
    expect(f.seg_missing).toBe(1);
    expect(BASE_F.seg_missing).toBe(0);
    for (const name of PAD_FEATURE_NAMES) if (!PAD_OPTIONAL_FEATURES.includes(name)) expect(Number.isFinite(f[name]), name).toBe(true);
  });

  it('stays finite when the eye reaches past the image edge', () => {
    const seg: PadSegmentation = { pupil: { x: 12, y: 230, r: 20 }, iris: { x: 10, y: 232, r: 55 } };
    const f = features(BASE, seg);
    for (const name of PAD_FEATURE_NAMES) if (!PAD_OPTIONAL_FEATURES.includes(name)) expect(Number.isFinite(f[name]), name).toBe(true);
  });

  it('contrast features barely move under a brightness shift', () => {
    const f = features(BASE.map((v) => v + 20));
    for (const name of ['contrast_p99_p1', 'contrast_p95_p5_annulus', 'pupil_annulus_contrast'] as const) {
      expect(Math.abs(f[name] - BASE_F[name]) / BASE_F[name], name).toBeLessThan(0.03);
    }
    expect(f.annulus_mean - BASE_F.annulus_mean).toBeCloseTo(20, 0);
  });
});

describe('each physical cue moves its features', () => {
  it('a halftone dot screen (period 6 pixels, so mid band) raises the spectral peak ratio a lot', () => {
    const halftone = mapPixels(BASE, (v, x, y) => v * (0.7 + 0.3 * Math.cos((2 * Math.PI * x) / 6) * Math.cos((2 * Math.PI * y) / 6)));
    const f = features(halftone);
    expect(f.spec_peak_ratio_mid - BASE_F.spec_peak_ratio_mid).toBeGreaterThan(1);
    expect(f.spec_peak_count).toBeGreaterThan(BASE_F.spec_peak_count);
  });

  it('a display pixel grid raises the high-frequency peak', () => {
    const grid = mapPixels(BASE, (v, x, y) => (x % 3 === 0 || y % 3 === 0 ? v * 0.75 : v));
    const f = features(grid);
    expect(f.spec_peak_ratio_high - BASE_F.spec_peak_ratio_high).toBeGreaterThan(1);
  });

  it('a periodic printed pattern in the annulus raises angular periodicity', () => {
    const spokes = 48;
    const lens = mapPixels(BASE, (v, x, y) => {
      if (!inAnnulus(x, y)) return v;
      const theta = Math.atan2(y - SEG.iris.y, x - SEG.iris.x);
      return Math.cos(spokes * theta) > 0.3 ? v - 45 : v;
    });
    const f = features(lens);
    expect(f.annulus_acf_peak - BASE_F.annulus_acf_peak).toBeGreaterThan(0.3);
    expect(f.annulus_angular_peak - BASE_F.annulus_angular_peak).toBeGreaterThan(0.5);
  });

  it('a printed dot lattice over the iris raises the iris-scale spectral peak', () => {
    const dots = mapPixels(BASE, (v, x, y) => (inAnnulus(x, y) && x % 6 < 3 && y % 6 < 3 ? v - 40 : v));
    const f = features(dots);
    expect(Math.max(f.spec_iris_peak_ratio_mid, f.spec_iris_peak_ratio_high) - Math.max(BASE_F.spec_iris_peak_ratio_mid, BASE_F.spec_iris_peak_ratio_high)).toBeGreaterThan(0.7);
  });

  it('a lens edge ring on the sclera raises the outer ring feature', () => {
    const ring = mapPixels(BASE, (v, x, y) => {
      const d = Math.hypot(x - SEG.iris.x, y - SEG.iris.y);
      return Math.abs(d - 1.3 * SEG.iris.r) < 1.5 ? v - 30 : v;
    });
    const f = features(ring);
    expect(f.ring_outer - BASE_F.ring_outer).toBeGreaterThan(5);
  });

  it('a big bright reflection raises the highlight features', () => {
    const glare = BASE.slice();
    paintDisc(glare, SEG.iris.x + 25, SEG.iris.y - 10, 12, () => 252);
    const f = features(glare);
    expect(BASE_F.highlight_count).toBe(1);
    expect(f.highlight_count).toBe(2);
    expect(f.highlight_area).toBeGreaterThan(0.03);
    expect(f.highlight_largest_area).toBeGreaterThan(0.03);
    expect(f.highlight_max).toBeGreaterThanOrEqual(250);
    expect(f.highlight_mean).toBeGreaterThan(240);
    expect(f.highlight_compactness).toBeGreaterThan(0.4);
  });

  it('blurring lowers the Laplacian variance and the noise', () => {
    const blurred = boxBlur(toFloat(gray(BASE)), 2).data;
    const f = features(blurred);
    expect(f.laplacian_var).toBeLessThan(BASE_F.laplacian_var * 0.3);
    expect(f.noise_sigma_annulus).toBeLessThan(BASE_F.noise_sigma_annulus);
  });

  it('compressing the dynamic range (a print) lowers the contrast features', () => {
    const flat = BASE.map((v) => 90 + (v - 90) * 0.5);
    const f = features(flat);
    expect(f.contrast_p99_p1).toBeLessThan(BASE_F.contrast_p99_p1 * 0.6);
    expect(f.pupil_annulus_contrast).toBeLessThan(BASE_F.pupil_annulus_contrast * 0.6);
  });
});
