/**
 * The plain TypeScript scan: one probe against every template of a gallery layout, every rotation,
 * in one call. It is the reference the faster kernels must match exactly, and the baseline their
 * speed is measured against.
 */
import { bestOfCounts, DEFAULT_MATCH_PARAMS, POP16, type MatchParams, type MatchResult } from '../iris/matcher.js';
import { templateCells, type GalleryLayout } from './layout.js';
import type { IrisTemplate } from '../iris/template.js';

/**
 * The match of `probe` (rotated, as `matchReference` rotates its first template) against every
 * gallery template, in slot order: exactly `matchReference(probe, gallery[i], params)`.
 */
export function scanReference(gallery: GalleryLayout, probe: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS): MatchResult[] {
  const p = templateCells(probe);
  const words = gallery.words;
  const cols = gallery.shape.cols;
  const { bands, stride, cells } = gallery;
  const counts = new Float64Array(2 * (2 * params.rotations + 1));
  const out: MatchResult[] = [];
  for (let t = 0; t < gallery.size; t++) {
    const g = t * stride;
    for (let shift = -params.rotations; shift <= params.rotations; shift++) {
      const s = ((shift % cols) + cols) % cols;
      let xor = 0;
      let common = 0;
      for (let band = 0; band < bands; band++) {
        const base = band * cols;
        for (let c = 0; c < cols; c++) {
          const ip = base + (c >= s ? c - s : c - s + cols);
          const ig = g + base + c;
          const m = p[ip + cells]! & words[ig + cells]!;
          common += POP16[m]!;
          xor += POP16[(p[ip]! ^ words[ig]!) & m]!;
        }
      }
      counts[2 * (shift + params.rotations)] = xor;
      counts[2 * (shift + params.rotations) + 1] = common;
    }
    out.push(bestOfCounts(counts, 0, params));
  }
  return out;
}
