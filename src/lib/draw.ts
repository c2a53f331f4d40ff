/**
 * Drawing on RGB images for debug output: grayscale to RGB, circles, polylines and mask tints.
 */
import type { GrayImage, RgbImage } from './image.js';

export type Colour = readonly [number, number, number];

/** Copies a grayscale image into a new RGB image. */
export function grayToRgb(img: GrayImage): RgbImage {
  const data = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.data.length; i++) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = img.data[i]!;
  return { width: img.width, height: img.height, data };
}

/** Sets one pixel (ignored outside the image). */
export function plot(img: RgbImage, x: number, y: number, c: Colour): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) return;
  const i = (yi * img.width + xi) * 3;
  img.data[i] = c[0];
  img.data[i + 1] = c[1];
  img.data[i + 2] = c[2];
}

/** Draws a circle outline. */
export function drawCircle(img: RgbImage, cx: number, cy: number, r: number, c: Colour): void {
  const steps = Math.max(32, Math.ceil(2 * Math.PI * r * 2));
  for (let k = 0; k < steps; k++) {
    const t = (2 * Math.PI * k) / steps;
    plot(img, cx + r * Math.cos(t), cy + r * Math.sin(t), c);
  }
}

/** Draws a curve y = f(x) over [x0, x1]. */
export function drawCurve(img: RgbImage, f: (x: number) => number, x0: number, x1: number, c: Colour): void {
  for (let x = x0; x <= x1; x += 0.5) plot(img, x, f(x), c);
}

/** Blends a colour into the pixels where mask is non-zero. */
export function tintMask(img: RgbImage, mask: Uint8Array, c: Colour, alpha = 0.35): void {
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let k = 0; k < 3; k++) img.data[i * 3 + k] = Math.round(img.data[i * 3 + k]! * (1 - alpha) + c[k]! * alpha);
  }
}
