/**
 * Small, allocation-conscious image operations on single-channel float or byte images,
 * shared by the iris pipeline stages.
 */
import type { GrayImage } from './image.js';

/** A single-channel float image, row-major. */
export interface FloatImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Converts an 8-bit image to float. */
export function toFloat(img: GrayImage): FloatImage {
  return { width: img.width, height: img.height, data: Float32Array.from(img.data) };
}

/** Converts a float image to 8-bit, clamping to [0, 255]. */
export function toGray(img: FloatImage): GrayImage {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(img.data[i]!)));
  return { width: img.width, height: img.height, data: out };
}

/** Box blur with radius r (window 2r+1), separable, edges clamped; sequential memory access only. */
export function boxBlur(img: FloatImage, r: number): FloatImage {
  if (r <= 0) return img;
  const { width: w, height: h } = img;
  if (r === 1 && w >= 3 && h >= 3) return boxBlur3(img);
  const tmp = new Float32Array(w * h);
  boxRows(img.data, tmp, w, h, r);
  const out = new Float32Array(w * h);
  boxColumns(tmp, out, w, h, r);
  return { width: w, height: h, data: out };
}

/** 3x3 box blur with clamped edges: the common case, written out for speed. */
function boxBlur3(img: FloatImage): FloatImage {
  const { width: w, height: h, data: src } = img;
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    tmp[row] = (2 * src[row]! + src[row + 1]!) / 3;
    for (let x = 1; x < w - 1; x++) tmp[row + x] = (src[row + x - 1]! + src[row + x]! + src[row + x + 1]!) / 3;
    tmp[row + w - 1] = (src[row + w - 2]! + 2 * src[row + w - 1]!) / 3;
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : 0) * w;
    const row = y * w;
    const down = (y < h - 1 ? y + 1 : h - 1) * w;
    for (let x = 0; x < w; x++) out[row + x] = (tmp[up + x]! + tmp[row + x]! + tmp[down + x]!) / 3;
  }
  return { width: w, height: h, data: out };
}

/** Horizontal running-sum box filter (mean over 2r+1, edges clamped). */
function boxRows(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + (k < 0 ? 0 : k >= w ? w - 1 : k)]!;
    for (let x = 0; x < w; x++) {
      dst[row + x] = acc * norm;
      const add = x + r + 1;
      const sub = x - r;
      acc += src[row + (add >= w ? w - 1 : add)]! - src[row + (sub < 0 ? 0 : sub)]!;
    }
  }
}

/** Vertical running-sum box filter, accumulating whole rows so memory is read in order. */
function boxColumns(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const norm = 1 / (2 * r + 1);
  const acc = new Float64Array(w);
  for (let k = -r; k <= r; k++) {
    const row = (k < 0 ? 0 : k >= h ? h - 1 : k) * w;
    for (let x = 0; x < w; x++) acc[x] += src[row + x]!;
  }
  for (let y = 0; y < h; y++) {
    const out = y * w;
    const add = (y + r + 1 >= h ? h - 1 : y + r + 1) * w;
    const sub = (y - r < 0 ? 0 : y - r) * w;
    for (let x = 0; x < w; x++) {
      dst[out + x] = acc[x]! * norm;
      acc[x] += src[add + x]! - src[sub + x]!;
    }
  }
}

/**
 * Grayscale erosion (min, op = -1) or dilation (max, op = 1) with a (2r+1)^2 square: separable,
 * each pass by the van Herk / Gil-Werman method (block prefix and suffix maxima), so the cost
 * does not grow with r.
 */
export function morph(img: FloatImage, r: number, op: 1 | -1): FloatImage {
  const { width: w, height: h } = img;
  const sign = op > 0 ? 1 : -1;
  const a = new Float32Array(w * h);
  for (let i = 0; i < a.length; i++) a[i] = sign * img.data[i]!;
  const rows = new Float32Array(w * h);
  const lineIn = new Float32Array(Math.max(w, h));
  const lineOut = new Float32Array(Math.max(w, h));
  const scratch = { pre: new Float32Array(Math.max(w, h) + 2 * r + 1), suf: new Float32Array(Math.max(w, h) + 2 * r + 1) };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) lineIn[x] = a[y * w + x]!;
    runningMax(lineIn, lineOut, w, r, scratch);
    for (let x = 0; x < w; x++) rows[y * w + x] = lineOut[x]!;
  }
  const out = new Float32Array(w * h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) lineIn[y] = rows[y * w + x]!;
    runningMax(lineIn, lineOut, h, r, scratch);
    for (let y = 0; y < h; y++) out[y * w + x] = sign * lineOut[y]!;
  }
  return { width: w, height: h, data: out };
}

/** out[i] = max(in[i - r .. i + r]) (clamped to the line), in O(n) whatever r. */
function runningMax(input: Float32Array, output: Float32Array, n: number, r: number, s: { pre: Float32Array; suf: Float32Array }): void {
  const k = 2 * r + 1;
  const len = n + 2 * r;
  const { pre, suf } = s;
  // Padded line p[j] = input[j - r], -Infinity outside; blocks of k start at multiples of k.
  let phase = 0;
  let acc = -Infinity;
  for (let j = 0; j < len; j++) {
    const q = j - r;
    const v = q >= 0 && q < n ? input[q]! : -Infinity;
    acc = phase === 0 ? v : acc > v ? acc : v;
    pre[j] = acc;
    if (++phase === k) phase = 0;
  }
  acc = -Infinity;
  // m tracks (j + 1) mod k: a block ends at j when it is 0 (or at the end of the line).
  let m = len % k;
  for (let j = len - 1; j >= 0; j--) {
    const q = j - r;
    const v = q >= 0 && q < n ? input[q]! : -Infinity;
    acc = j === len - 1 || m === 0 ? v : acc > v ? acc : v;
    suf[j] = acc;
    m = m === 0 ? k - 1 : m - 1;
  }
  // Window [i, i + k - 1] of the padded line = max(suffix at i, prefix at i + k - 1).
  for (let i = 0; i < n; i++) {
    const a = suf[i]!;
    const b = pre[i + k - 1]!;
    output[i] = a > b ? a : b;
  }
}

/** Grayscale opening (erosion then dilation): removes bright features narrower than 2r+1 pixels. */
export function opening(img: FloatImage, r: number): FloatImage {
  return morph(morph(img, r, -1), r, 1);
}

/** Downsamples by an integer factor, averaging each f x f block. */
export function downsample(img: FloatImage, f: number): FloatImage {
  if (f <= 1) return img;
  const w = Math.floor(img.width / f);
  const h = Math.floor(img.height / f);
  const out = new Float32Array(w * h);
  const norm = 1 / (f * f);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let dy = 0; dy < f; dy++) {
        const row = (y * f + dy) * img.width + x * f;
        for (let dx = 0; dx < f; dx++) acc += img.data[row + dx]!;
      }
      out[y * w + x] = acc * norm;
    }
  }
  return { width: w, height: h, data: out };
}

/** Bilinear sample at (x, y); returns NaN outside the image. */
export function sampleBilinear(img: FloatImage, x: number, y: number): number {
  const w = img.width;
  const h = img.height;
  if (!(x >= 0 && y >= 0 && x <= w - 1 && y <= h - 1)) return NaN;
  const x0 = Math.min(Math.floor(x), w - 2);
  const y0 = Math.min(Math.floor(y), h - 2);
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * w + x0;
  const d = img.data;
  const top = d[i]! + (d[i + 1]! - d[i]!) * fx;
  const bottom = d[i + w]! + (d[i + w + 1]! - d[i + w]!) * fx;
  return top + (bottom - top) * fy;
}

/** Bilinear lookup with coordinates clamped into the image (any numeric pixel array). */
export function sampleBilinearClamped(img: { readonly width: number; readonly height: number; readonly data: ArrayLike<number> }, x: number, y: number): number {
  const { width: w, height: h, data: d } = img;
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.min(w - 2, Math.floor(cx));
  const y0 = Math.min(h - 2, Math.floor(cy));
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * w + x0;
  const top = d[i]! + (d[i + 1]! - d[i]!) * fx;
  const bottom = d[i + w]! + (d[i + w + 1]! - d[i + w]!) * fx;
  return top + (bottom - top) * fy;
}

/** Value at quantile q (0..1) of a float array (copies and sorts). */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantiles(values, [q])[0]!;
}

/** Values at several quantiles (0..1), linearly interpolated, with one sort. */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const sorted = Float32Array.from(values).sort();
  if (sorted.length === 0) return qs.map(() => NaN);
  return qs.map((q) => {
    const pos = Math.min(sorted.length - 1, Math.max(0, q * (sorted.length - 1)));
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  });
}

/** Approximate quantiles of values in [0, 256) from one 1024-bin histogram: fast for whole images. */
export function histogramQuantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const bins = new Float64Array(1024);
  for (let i = 0; i < values.length; i++) bins[Math.max(0, Math.min(1023, Math.floor(values[i]! * 4)))]++;
  return qs.map((q) => {
    const target = q * values.length;
    let acc = 0;
    for (let b = 0; b < 1024; b++) {
      acc += bins[b]!;
      if (acc >= target) return (b + 0.5) / 4;
    }
    return 255.875;
  });
}

/** Clamps v to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Two-pass chamfer (3-4) distance transform of a binary mask: distance to the nearest 0 pixel, in pixels. */
export function distanceTransform(mask: Uint8Array, w: number, h: number): Float32Array {
  const big = 1e9;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? big : 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      let v = d[i]!;
      if (x > 0) v = Math.min(v, d[i - 1]! + 3);
      else v = Math.min(v, 3);
      if (y > 0) {
        v = Math.min(v, d[i - w]! + 3);
        if (x > 0) v = Math.min(v, d[i - w - 1]! + 4);
        if (x < w - 1) v = Math.min(v, d[i - w + 1]! + 4);
      } else v = Math.min(v, 3);
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      let v = d[i]!;
      if (x < w - 1) v = Math.min(v, d[i + 1]! + 3);
      else v = Math.min(v, 3);
      if (y < h - 1) {
        v = Math.min(v, d[i + w]! + 3);
        if (x < w - 1) v = Math.min(v, d[i + w + 1]! + 4);
        if (x > 0) v = Math.min(v, d[i + w - 1]! + 4);
      } else v = Math.min(v, 3);
      d[i] = v;
    }
  }
  for (let i = 0; i < d.length; i++) d[i] = d[i]! / 3;
  return d;
}
