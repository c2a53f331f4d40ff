/**
 * Where the PAD features look: the pupil and iris circles from segmentation (or a centred default
 * when segmentation failed), and float crops of the 8-bit image around them.
 */
import { IriskError } from '../../lib/errors.js';
import type { GrayImage } from '../../lib/image.js';
import type { FloatImage } from '../../lib/imageops.js';
import type { Circle } from '../iris/geometry.js';

/** The circles the iris pipeline found (image pixels). */
export interface PadSegmentation {
  readonly pupil: Circle;
  readonly iris: Circle;
}

/** The circles the features use, and whether they are the default guess. */
export interface PadRegion extends PadSegmentation {
  /** True when no segmentation was given and the default centred circles stand in. */
  readonly missing: boolean;
}

/** Default iris radius as a share of the shorter image side, used when segmentation is missing. */
export const DEFAULT_IRIS_RADIUS_SHARE = 0.25;
/** Default pupil radius as a share of the default iris radius. */
export const DEFAULT_PUPIL_IRIS_RATIO = 0.4;

/** An axis-aligned rectangle of pixels: columns x0..x0+width-1, rows y0..y0+height-1. */
export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The circles to analyse: the given segmentation, or (null) circles centred in the image with
 * the default radii. A segmentation with non-finite or non-positive values is a caller bug.
 */
export function resolveRegion(image: GrayImage, seg: PadSegmentation | null): PadRegion {
  if (seg === null) {
    const r = DEFAULT_IRIS_RADIUS_SHARE * Math.min(image.width, image.height);
    const x = (image.width - 1) / 2;
    const y = (image.height - 1) / 2;
    return { pupil: { x, y, r: DEFAULT_PUPIL_IRIS_RATIO * r }, iris: { x, y, r }, missing: true };
  }
  for (const [name, c] of [['pupil', seg.pupil], ['iris', seg.iris]] as const) {
    if (!Number.isFinite(c.x) || !Number.isFinite(c.y) || !(c.r > 0 && Number.isFinite(c.r))) {
      throw new IriskError('USAGE', `PAD features need a finite ${name} circle with a positive radius`, { circle: name, x: c.x, y: c.y, r: c.r });
    }
  }
  return { pupil: seg.pupil, iris: seg.iris, missing: false };
}

/** The square of half-side `half` around (cx, cy), with integer corners. */
export function squareAround(cx: number, cy: number, half: number): Rect {
  return rectAround(cx, cy, half, half);
}

/** The rectangle of half-sides halfW x halfH around (cx, cy), with integer corners. */
export function rectAround(cx: number, cy: number, halfW: number, halfH: number): Rect {
  return {
    x0: Math.round(cx - halfW),
    y0: Math.round(cy - halfH),
    width: Math.max(1, Math.round(2 * halfW)),
    height: Math.max(1, Math.round(2 * halfH)),
  };
}

/** The part of a rectangle inside the image (width or height 0 when they do not overlap). */
export function clipToImage(rect: Rect, image: { width: number; height: number }): Rect {
  const x0 = Math.max(0, rect.x0);
  const y0 = Math.max(0, rect.y0);
  const x1 = Math.min(image.width, rect.x0 + rect.width);
  const y1 = Math.min(image.height, rect.y0 + rect.height);
  return { x0, y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * A rectangle of the 8-bit image as a float image, downsampled by the integer factor f (means of
 * f x f blocks, as `downsample` in lib/imageops, fused with the crop so the bytes are read once;
 * f = 1 is a plain crop). Pixels outside the image repeat the nearest edge pixel, so the result
 * is always floor(width / f) x floor(height / f) and its pixel (i, j) covers image pixels
 * x0 + i f .. x0 + i f + f - 1 (likewise in y).
 */
export function cropFloat(image: GrayImage, rect: Rect, f = 1): FloatImage {
  const w = Math.floor(rect.width / f);
  const h = Math.floor(rect.height / f);
  const out = new Float32Array(w * h);
  const src = image.data;
  const iw = image.width;
  const inside = rect.x0 >= 0 && rect.y0 >= 0 && rect.x0 + w * f <= iw && rect.y0 + h * f <= image.height;
  // Source offset of column c and row r of the rectangle, clamped to the image.
  const col = (c: number): number => (inside ? rect.x0 + c : Math.max(0, Math.min(iw - 1, rect.x0 + c)));
  const row = (r: number): number => (inside ? rect.y0 + r : Math.max(0, Math.min(image.height - 1, rect.y0 + r))) * iw;
  if (f === 1) {
    for (let j = 0; j < h; j++) {
      const r = row(j);
      if (inside) out.set(src.subarray(r + rect.x0, r + rect.x0 + w), j * w);
      else for (let i = 0; i < w; i++) out[j * w + i] = src[r + col(i)]!;
    }
    return { width: w, height: h, data: out };
  }
  const cols = Int32Array.from({ length: w * f }, (_, c) => col(c));
  const x0 = rect.x0;
  const norm = 1 / (f * f);
  for (let j = 0; j < h; j++) {
    const o = j * w;
    for (let dy = 0; dy < f; dy++) {
      const r = row(j * f + dy);
      if (inside && f === 2) {
        // The common factor, unrolled.
        for (let i = 0, a = r + x0; i < w; i++, a += 2) out[o + i] += src[a]! + src[a + 1]!;
        continue;
      }
      for (let i = 0, c = 0; i < w; i++) {
        let acc = 0;
        for (let dx = 0; dx < f; dx++) acc += src[r + cols[c++]!]!;
        out[o + i] += acc;
      }
    }
    for (let i = 0; i < w; i++) out[o + i] *= norm;
  }
  return { width: w, height: h, data: out };
}

/** An image of (part of) the eye with the pupil and iris circles in its own pixel coordinates. */
export interface EyeView {
  readonly img: FloatImage;
  readonly pupil: Circle;
  readonly iris: Circle;
  /** The view's pixels that lie wholly inside the source image (crops may reach past its edge). */
  readonly inside: Rect;
  /** The source rectangle and the downsampling factor. */
  readonly rect: Rect;
  readonly factor: number;
}

/**
 * The rectangle of the image downsampled by f (block means; f = 1 is a plain crop), with the
 * region's circles mapped into it: source x becomes (x - x0 - (f - 1) / 2) / f.
 */
export function eyeView(image: GrayImage, region: PadSegmentation, rect: Rect, f: number): EyeView {
  const img = cropFloat(image, rect, f);
  const map = (c: Circle): Circle => ({ x: (c.x - rect.x0 - (f - 1) / 2) / f, y: (c.y - rect.y0 - (f - 1) / 2) / f, r: c.r / f });
  const bounds = clipToImage(rect, image);
  // Block i covers source columns x0 + i f .. x0 + i f + f - 1: inside when both ends are.
  const ia = Math.max(0, Math.ceil((bounds.x0 - rect.x0) / f));
  const ib = Math.min(img.width, Math.floor((bounds.x0 + bounds.width - rect.x0) / f));
  const ja = Math.max(0, Math.ceil((bounds.y0 - rect.y0) / f));
  const jb = Math.min(img.height, Math.floor((bounds.y0 + bounds.height - rect.y0) / f));
  const inside: Rect = { x0: ia, y0: ja, width: Math.max(0, ib - ia), height: Math.max(0, jb - ja) };
  return { img, pupil: map(region.pupil), iris: map(region.iris), inside, rect, factor: f };
}
