/**
 * Debug images a person can look at: the segmentation drawn on the eye, the normalised iris with
 * its mask, and the template's code bits.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { drawCircle, drawCurve, grayToRgb, plot, tintMask } from '../../lib/draw.js';
import { eyelidY } from './geometry.js';
import { saveGrayPng, saveRgbPng, type GrayImage, type RgbImage } from '../../lib/image.js';
import { polarToImage } from './normalize.js';
import type { PipelineTrace } from './pipeline.js';
import type { IrisTemplate } from './template.js';

/** The eye with reflections (magenta), pupil (green), limbus (red), occluded iris (orange), per-column lid boundary (yellow) and fitted eyelids (cyan). */
export function segmentationOverlay(trace: PipelineTrace): RgbImage | null {
  if (!trace.image) return null;
  const rgb = grayToRgb(trace.image);
  if (trace.specularMask) tintMask(rgb, trace.specularMask, [255, 0, 255], 0.5);
  const { pupil, iris, normalized, occlusion } = trace;
  if (pupil && iris && normalized && occlusion) {
    const occluded = new Uint8Array(trace.image.width * trace.image.height);
    for (let k = 0; k < occlusion.valid.length; k++) {
      if (occlusion.valid[k]) continue;
      const x = Math.round(normalized.xs[k]!);
      const y = Math.round(normalized.ys[k]!);
      if (x >= 0 && y >= 0 && x < trace.image.width && y < trace.image.height) occluded[y * trace.image.width + x] = 1;
    }
    tintMask(rgb, occluded, [255, 140, 0], 0.45);
    for (let j = 0; j < normalized.cols; j++) {
      const row = occlusion.lidRow[j]!;
      if (row >= normalized.rows) continue;
      const [x, y] = polarToImage(pupil, iris, row / normalized.rows, (2 * Math.PI * j) / normalized.cols);
      plot(rgb, x, y, [255, 255, 0]);
    }
  }
  if (iris && occlusion) {
    for (const lid of [occlusion.upperLid, occlusion.lowerLid]) {
      if (lid) drawCurve(rgb, (x) => eyelidY(lid, x), iris.x - iris.r * 1.2, iris.x + iris.r * 1.2, [0, 200, 255]);
    }
  }
  if (pupil) drawCircle(rgb, pupil.x, pupil.y, pupil.r, [0, 255, 0]);
  if (iris) drawCircle(rgb, iris.x, iris.y, iris.r, [255, 0, 0]);
  return rgb;
}

/** The normalised iris, with masked samples tinted red. */
export function normalizedOverlay(trace: PipelineTrace): RgbImage | null {
  const n = trace.normalized;
  if (!n) return null;
  const gray: GrayImage = { width: n.cols, height: n.rows, data: Uint8Array.from(n.image, (v) => Math.max(0, Math.min(255, v))) };
  const rgb = grayToRgb(gray);
  if (trace.occlusion) tintMask(rgb, Uint8Array.from(trace.occlusion.valid, (v) => 1 - v), [255, 0, 0], 0.5);
  return rgb;
}

/** Code bits as an image: one row per code row and filter part, masked bits mid-gray; scaled up 2x. */
export function codeImage(t: IrisTemplate): GrayImage {
  const cellBits = t.filters * 2;
  const height = t.rows * cellBits * 2;
  const width = t.cols * 2;
  const data = new Uint8Array(width * height);
  for (let r = 0; r < t.rows; r++) {
    for (let k = 0; k < cellBits; k++) {
      for (let c = 0; c < t.cols; c++) {
        const i = (r * t.cols + c) * cellBits + k;
        const v = t.mask[i] ? (t.code[i] ? 255 : 0) : 128;
        const y = (k * t.rows + r) * 2;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) data[(y + dy) * width + c * 2 + dx] = v;
      }
    }
  }
  return { width, height, data };
}

/** Writes segmentation.png, normalized.png and code.png (whichever the trace allows) into dir. */
export async function writeDebugImages(dir: string, trace: PipelineTrace, prefix = ''): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const seg = segmentationOverlay(trace);
  if (seg) {
    const p = join(dir, `${prefix}segmentation.png`);
    await saveRgbPng(p, seg);
    written.push(p);
  }
  const norm = normalizedOverlay(trace);
  if (norm) {
    const p = join(dir, `${prefix}normalized.png`);
    await saveRgbPng(p, norm);
    written.push(p);
  }
  if (trace.template) {
    const p = join(dir, `${prefix}code.png`);
    await saveGrayPng(p, codeImage(trace.template));
    written.push(p);
  }
  return written;
}
