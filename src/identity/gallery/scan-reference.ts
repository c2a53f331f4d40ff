/**
 * The plain TypeScript scan: one probe against every template of a gallery layout, every rotation,
 * in one call, through the packed matcher over views of the layout. It is the reference the faster
 * kernels must match exactly, and the baseline their speed is measured against.
 */
import { DEFAULT_MATCH_PARAMS, matchPacked, packTemplate, type MatchParams, type MatchResult } from '../iris/matcher.js';
import type { IrisTemplate } from '../iris/template.js';
import type { GalleryLayout } from './layout.js';

/**
 * The match of `probe` (rotated, as `matchReference` rotates its first template) against every
 * gallery template, in slot order: exactly `matchReference(probe, gallery[i], params)`.
 */
export function scanReference(gallery: GalleryLayout, probe: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS): MatchResult[] {
  const p = packTemplate(probe);
  const out: MatchResult[] = [];
  for (let t = 0; t < gallery.size; t++) out.push(matchPacked(p, gallery.packedAt(t), params));
  return out;
}
