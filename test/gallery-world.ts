/**
 * A small synthetic world for gallery tests: 8x32x2 templates of independent random bits (1,024
 * code bits, a tenth masked: impostor distances 0.5 +/- 0.02, never near 0.345, which smooth
 * codes this small would approach) and 9 rotations, so thousands of enrolments take seconds.
 */
import { DEFAULT_MATCH_PARAMS } from '../src/identity/iris/matcher.js';
import type { IrisTemplate, TemplateShape } from '../src/identity/iris/template.js';
import type { GalleryOptions } from '../src/identity/gallery/gallery.js';
import { Rng } from '../src/lib/rng.js';
import { TEMPLATE_VERSION, templateBits } from '../src/identity/iris/template.js';

export const SMALL: TemplateShape = { rows: 8, cols: 32, filters: 2 };
export const SMALL_OPTIONS: GalleryOptions = { shape: SMALL, policy: { params: { ...DEFAULT_MATCH_PARAMS, rotations: 4 } } };

/** Person i's eyes (left = template 2i, right = 2i + 1 of the world `seed`). */
export function eyes(i: number, seed = 5): { left: IrisTemplate; right: IrisTemplate } {
  return { left: randomTemplate(`${seed}:${2 * i}`), right: randomTemplate(`${seed}:${2 * i + 1}`) };
}

function randomTemplate(key: string): IrisTemplate {
  const rng = new Rng(`gallery-world:${key}`);
  const n = templateBits(SMALL);
  const code = new Uint8Array(n);
  const mask = new Uint8Array(n);
  for (let b = 0; b < n; b++) {
    code[b] = rng.next() < 0.5 ? 1 : 0;
    mask[b] = rng.next() < 0.9 ? 1 : 0;
  }
  return { ...SMALL, code, mask, version: TEMPLATE_VERSION };
}
