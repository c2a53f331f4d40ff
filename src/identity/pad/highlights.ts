/**
 * Specular highlights on the cornea: a live eye shows small, sharp, saturated reflections of the
 * illuminators; a print has flat or missing ones (paper white is not a mirror), a screen adds a
 * broad reflection of a window or lamp, a glass or doll eye a large glossy one.
 */
import type { FloatImage } from '../../lib/imageops.js';
import type { Rect } from './region.js';

/** Grey level from which a pixel counts as a highlight. */
export const HIGHLIGHT_LEVEL = 230;
/** Pixels around each highlight's bounding box left out of texture, sharpness and noise measures. */
const EXCLUSION_MARGIN = 3;
/** Smallest highlight counted, in pixels (single hot pixels are noise). */
const MIN_AREA = 2;

/** A disc in the coordinates of the image being analysed. */
export interface Disc {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

/** Highlight statistics over a disc (the iris, which the cornea covers). */
export interface HighlightStats {
  /** Highlights inside the disc that do not touch its rim (bright skin enters from outside). */
  readonly count: number;
  /** Their total area over the disc's area. */
  readonly areaShare: number;
  /** The largest one's area over the disc's area. */
  readonly largestShare: number;
  /** 4 pi area / perimeter^2 of the largest one (perimeter = pixel edges on its boundary); 0 when none. */
  readonly compactness: number;
  /** Mean grey level of highlight pixels; 0 when none. */
  readonly meanLevel: number;
  /** Brightest grey level anywhere in the disc. */
  readonly maxLevel: number;
  /** 1 on the highlights' bounding boxes (plus a margin): pixels later measures leave out. */
  readonly exclude: Uint8Array;
}

/**
 * Finds highlights: 4-connected components of pixels >= HIGHLIGHT_LEVEL inside the disc, keeping
 * those of at least MIN_AREA pixels that stay clear of the disc's rim. `inside` (optional) is the
 * part of the image that holds real pixels (crops may reach past the source image's edge).
 */
export function findHighlights(img: FloatImage, disc: Disc, inside: Rect | null = null, level = HIGHLIGHT_LEVEL): HighlightStats {
  const { width: w, height: h, data } = img;
  const exclude = new Uint8Array(w * h);
  const seen = new Uint8Array(w * h);
  // The disc's columns xa[y]..xb[y] on each row (empty when xa > xb).
  const xa = new Int32Array(h).fill(w);
  const xb = new Int32Array(h).fill(-1);
  const box = inside ?? { x0: 0, y0: 0, width: w, height: h };
  forEachDiscSpan(w, h, disc, (y, a, b) => {
    if (y < box.y0 || y >= box.y0 + box.height) return;
    xa[y] = Math.max(a, box.x0);
    xb[y] = Math.min(b, box.x0 + box.width - 1);
  });
  const rim2 = Math.max(0, disc.r - 1.5) ** 2;
  let stack: Int32Array | null = null;
  let maxLevel = 0;
  let count = 0;
  let area = 0;
  let sum = 0;
  let largest = 0;
  let largestPerimeter = 0;
  for (let y = 0; y < h; y++) {
    for (let x = xa[y]!; x <= xb[y]!; x++) {
      const start = y * w + x;
      const v = data[start]!;
      if (v > maxLevel) maxLevel = v;
      if (v < level || seen[start]) continue;
      // Grow the component (depth-first); every pixel enters the stack once.
      stack ??= new Int32Array(w * h);
      let top = 0;
      stack[top++] = start;
      seen[start] = 1;
      let n = 0;
      let s = 0;
      let perimeter = 0;
      let touches = false;
      let x0 = w;
      let y0 = h;
      let x1 = 0;
      let y1 = 0;
      while (top > 0) {
        const i = stack[--top]!;
        const px = i % w;
        const py = (i - px) / w;
        n++;
        s += data[i]!;
        if ((px - disc.x) ** 2 + (py - disc.y) ** 2 > rim2) touches = true;
        if (px < x0) x0 = px;
        if (px > x1) x1 = px;
        if (py < y0) y0 = py;
        if (py > y1) y1 = py;
        for (let k = 0; k < 4; k++) {
          const nx = k === 0 ? px - 1 : k === 1 ? px + 1 : px;
          const ny = k === 2 ? py - 1 : k === 3 ? py + 1 : py;
          const j = ny * w + nx;
          if (ny < 0 || ny >= h || nx < xa[ny]! || nx > xb[ny]! || data[j]! < level) perimeter++;
          else if (!seen[j]) {
            seen[j] = 1;
            stack[top++] = j;
          }
        }
      }
      if (touches || n < MIN_AREA) continue;
      count++;
      area += n;
      sum += s;
      if (n > largest) {
        largest = n;
        largestPerimeter = perimeter;
      }
      markBox(exclude, w, h, x0 - EXCLUSION_MARGIN, y0 - EXCLUSION_MARGIN, x1 + EXCLUSION_MARGIN, y1 + EXCLUSION_MARGIN);
    }
  }
  const discArea = Math.PI * disc.r * disc.r;
  return {
    count,
    areaShare: area / discArea,
    largestShare: largest / discArea,
    compactness: largest > 0 ? (4 * Math.PI * largest) / (largestPerimeter * largestPerimeter) : 0,
    meanLevel: area > 0 ? sum / area : 0,
    maxLevel,
    exclude,
  };
}

/** Calls `span(y, xa, xb)` for each row of the disc clipped to a w x h image: columns xa..xb inclusive. */
export function forEachDiscSpan(w: number, h: number, disc: Disc, span: (y: number, xa: number, xb: number) => void): void {
  const r2 = disc.r * disc.r;
  const y0 = Math.max(0, Math.ceil(disc.y - disc.r));
  const y1 = Math.min(h - 1, Math.floor(disc.y + disc.r));
  for (let y = y0; y <= y1; y++) {
    const half = Math.sqrt(Math.max(0, r2 - (y - disc.y) ** 2));
    const xa = Math.max(0, Math.ceil(disc.x - half));
    const xb = Math.min(w - 1, Math.floor(disc.x + half));
    if (xb >= xa) span(y, xa, xb);
  }
}

/** Sets a clipped box of a mask to 1. */
function markBox(mask: Uint8Array, w: number, h: number, xa: number, ya: number, xb: number, yb: number): void {
  for (let y = Math.max(0, ya); y <= Math.min(h - 1, yb); y++) mask.fill(1, y * w + Math.max(0, xa), y * w + Math.min(w - 1, xb) + 1);
}

