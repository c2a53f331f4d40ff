/**
 * Each attack species leaves its physical signature in the image, measurably: halftone and
 * pixel-grid peaks in the spectrum of the iris, a lens's periodic pigment, a glass eye's large
 * highlight and regular painting. Bona fide captures of the same world serve as the reference.
 */
import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../../lib/image.js';
import type { IrisCaptureTruth } from '../truth.js';
import { unwrapIris } from '../unwrap.js';
import { renderAttack, renderCapture, renderProsthetic, type IrisWorldOptions } from '../world.js';

const world: IrisWorldOptions = { subjects: 16, captures: 2, seed: 5, width: 320, height: 280 };
/** Full-size frames: room for a patch of skin above the eye. */
const large: IrisWorldOptions = { subjects: 12, captures: 2, seed: 5 };

/** In-place radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const step = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const c = Math.cos(step * k);
        const s = Math.sin(step * k);
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b]! * c - im[b]! * s;
        const xi = re[b]! * s + im[b]! * c;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a]! += xr;
        im[a]! += xi;
      }
    }
  }
}

/** Power spectrum of the Hann-windowed, mean-removed N x N patch centred at (cx, cy). */
function patchPower(img: GrayImage, cx: number, cy: number, N: number): Float64Array {
  const x0 = Math.round(cx) - N / 2;
  const y0 = Math.round(cy) - N / 2;
  const re = new Float64Array(N * N);
  const im = new Float64Array(N * N);
  let mean = 0;
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) mean += img.data[(y0 + y) * img.width + x0 + x]!;
  mean /= N * N;
  const hann = (k: number): number => Math.sin((Math.PI * (k + 0.5)) / N) ** 2;
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) re[y * N + x] = hann(x) * hann(y) * (img.data[(y0 + y) * img.width + x0 + x]! - mean);
  for (let y = 0; y < N; y++) fft(re.subarray(y * N, (y + 1) * N), im.subarray(y * N, (y + 1) * N));
  const cr = new Float64Array(N);
  const ci = new Float64Array(N);
  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) [cr[y], ci[y]] = [re[y * N + x]!, im[y * N + x]!];
    fft(cr, ci);
    for (let y = 0; y < N; y++) [re[y * N + x], im[y * N + x]] = [cr[y]!, ci[y]!];
  }
  return re.map((r, k) => r * r + im[k]! * im[k]!);
}

/**
 * The strongest spectral line of an N x N patch: power over the mean power at the same radial
 * frequency (a broadband texture gives single digits, a periodic pattern tens), and its
 * frequency in cycles per pixel. Frequencies 0.1-0.5.
 */
function spectralPeak(img: GrayImage, cx: number, cy: number, N = 32): { ratio: number; freq: number } {
  const p = patchPower(img, cx, cy, N);
  const f = (k: number): number => (k < N / 2 ? k : k - N) / N;
  const sum = new Float64Array(N);
  const count = new Float64Array(N);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const b = Math.round(Math.hypot(f(x), f(y)) * N);
      sum[b]! += p[y * N + x]!;
      count[b]!++;
    }
  }
  let best = { ratio: 0, freq: 0 };
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const fr = Math.hypot(f(x), f(y));
      if (fr < 0.1 || fr > 0.5) continue;
      const b = Math.round(fr * N);
      const ratio = p[y * N + x]! / (sum[b]! / count[b]!);
      if (ratio > best.ratio) best = { ratio, freq: fr };
    }
  }
  return best;
}

/** The stronger spectral peak of the two 32 x 32 patches of iris left and right of the pupil (lids rarely reach there). */
function irisPeak(img: GrayImage, t: IrisCaptureTruth): { ratio: number; freq: number } {
  const [a, b] = [1, -1].map((side) => spectralPeak(img, t.iris.x + side * 0.75 * t.iris.r, t.iris.y));
  return a!.ratio >= b!.ratio ? a! : b!;
}

function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const bonaFide = Array.from({ length: 12 }, (_, k) => renderCapture(world, k + 1, k % 2 ? 'L' : 'R', 1));
const bonaFidePeak = Math.max(...bonaFide.map((c) => irisPeak(c.image, c.truth).ratio));

describe('bona fide reference', () => {
  it('has no strong spectral line in the iris', () => {
    expect(bonaFidePeak).toBeLessThan(12);
  });
});

describe('print attacks', () => {
  it('show a spectral peak at the halftone frequency where the camera resolves the screen', () => {
    let resolved = 0;
    for (let s = 1; s <= 16; s++) {
      const a = renderAttack(world, 'print', s, 'R', 1);
      const p = a.params as Record<string, number | string>;
      const period = (p.pitch as number) * (p['recapture.zoom'] as number); // camera pixels
      if (p.dot === 'stochastic' || period < 2.2 || (p['recapture.blurSigma'] as number) > 0.8) continue;
      resolved++;
      const peak = irisPeak(a.image, a.truth);
      expect(peak.ratio).toBeGreaterThan(Math.max(12, bonaFidePeak));
      // The fundamental of the screen (or, for round dots, its diagonal combination).
      const f0 = 1 / period;
      expect(Math.min(Math.abs(peak.freq - f0), Math.abs(peak.freq - Math.SQRT2 * f0))).toBeLessThan(0.07);
    }
    expect(resolved).toBeGreaterThanOrEqual(4);
  });
});

describe('screen attacks', () => {
  // The skin above the eye: bright and smooth, where a panel's grid shows best.
  const skin = (img: GrayImage): number => spectralPeak(img, img.width / 2, 40, 64).ratio;

  it('show the pixel grid as a spectral line where the camera resolves the panel', () => {
    const live = Math.max(...Array.from({ length: 8 }, (_, k) => skin(renderCapture(large, k + 1, 'L', 1).image)));
    expect(live).toBeLessThan(12);
    let resolved = 0;
    for (let s = 1; s <= 12; s++) {
      const a = renderAttack(large, 'screen', s, 'L', 1);
      const p = a.params as Record<string, number | string>;
      if (p.display !== 'lcd' || (p.pixelPitch as number) * (p['recapture.zoom'] as number) < 1.5) continue;
      resolved++;
      expect(skin(a.image)).toBeGreaterThan(3 * live);
    }
    expect(resolved).toBeGreaterThanOrEqual(3);
  });
});

describe('lens attacks', () => {
  it('add periodic pigment energy over the iris in most presentations', () => {
    const peaks = Array.from({ length: 10 }, (_, k) => {
      const a = renderAttack(world, 'lens', k + 1, 'R', 1);
      return irisPeak(a.image, a.truth).ratio;
    });
    expect(peaks.filter((r) => r > bonaFidePeak).length).toBeGreaterThanOrEqual(6);
  });
});

/** Area of the largest 4-connected region >= 240 inside 0.9 iris radii (off the limbus and sclera), over the disc's area. */
function largestHighlight(img: GrayImage, t: IrisCaptureTruth): number {
  const W = img.width;
  const inside = (k: number): boolean => img.data[k]! >= 240 && Math.hypot((k % W) - t.iris.x, Math.floor(k / W) - t.iris.y) < 0.9 * t.iris.r;
  const seen = new Uint8Array(img.data.length);
  let best = 0;
  for (let i = 0; i < seen.length; i++) {
    if (seen[i] || !inside(i)) continue;
    const stack = [i];
    seen[i] = 1;
    let n = 0;
    while (stack.length) {
      const k = stack.pop()!;
      n++;
      const x = k % W;
      for (const j of [x > 0 ? k - 1 : -1, x < W - 1 ? k + 1 : -1, k - W, k + W]) {
        if (j >= 0 && j < seen.length && !seen[j] && inside(j)) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    best = Math.max(best, n);
  }
  return best / (Math.PI * t.iris.r * t.iris.r);
}

/**
 * How regular the iris texture is: along arcs of the unwrapped iris left and right of the pupil,
 * the share of angular power (beyond the lowest harmonics) in the three strongest harmonics.
 */
function angularRegularity(img: GrayImage, t: IrisCaptureTruth): number {
  const rows = 16;
  const cols = 512;
  const polar = unwrapIris(img, t.pupil, t.iris, rows, cols);
  const n = Math.floor(cols / 3);
  let best = 0;
  for (const start of [Math.floor((5 * cols) / 6), Math.floor(cols / 3)]) {
    const power = new Float64Array(n / 2);
    for (let r = 4; r < 13; r++) {
      const x = Array.from({ length: n }, (_, k) => polar[r * cols + ((start + k) % cols)]!);
      const mean = x.reduce((a, b) => a + b, 0) / n;
      const re = new Float64Array(n);
      for (let k = 0; k < n; k++) re[k] = (x[k]! - mean) * Math.sin((Math.PI * (k + 0.5)) / n) ** 2;
      for (let h = 4; h < n / 2; h++) {
        let c = 0;
        let s = 0;
        for (let k = 0; k < n; k++) {
          c += re[k]! * Math.cos((2 * Math.PI * h * k) / n);
          s += re[k]! * Math.sin((2 * Math.PI * h * k) / n);
        }
        power[h]! += c * c + s * s;
      }
    }
    const sorted = [...power].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    best = Math.max(best, (sorted[0]! + sorted[1]! + sorted[2]!) / total);
  }
  return best;
}

describe('prosthetic attacks', () => {
  const fakes = Array.from({ length: 10 }, (_, k) => renderProsthetic(world, k + 1, 1 + (k % 2)));

  it('show a larger glossy highlight than any live eye', () => {
    const live = bonaFide.map((c) => largestHighlight(c.image, c.truth));
    const fake = fakes.map((c) => largestHighlight(c.image, c.truth));
    expect(Math.min(...fake)).toBeGreaterThan(Math.max(...live));
  });

  it('have a more regular painted texture than live stroma', () => {
    const live = bonaFide.map((c) => angularRegularity(c.image, c.truth));
    const fake = fakes.map((c) => angularRegularity(c.image, c.truth));
    expect(quantile(fake, 0.5)).toBeGreaterThan(Math.max(...live));
  });

  it('keep a fixed, centred pupil across presentations of one fake eye', () => {
    const ratios = [1, 2, 3].map((k) => renderProsthetic(world, 4, k).truth);
    for (const t of ratios) {
      expect(t.pupilRatio).toBeCloseTo(ratios[0]!.pupilRatio, 9);
      expect(Math.hypot(t.pupil.x - t.iris.x, t.pupil.y - t.iris.y)).toBeLessThan(1e-9);
    }
    const live = [1, 2].map((c) => renderCapture(world, 4, 'L', c).truth.pupilRatio);
    expect(live[0]).not.toBeCloseTo(live[1]!, 3);
  });
});
