/**
 * Reflections added to a recaptured frame: a soft rectangle (a window or lamp mirrored by a
 * screen's glass), a soft ellipse (the illuminator mirrored by flat glass or a glass eye), or a
 * broad lobe (the sheen of glossy paper or a polished surface).
 */
import { smoothstep } from '../noise.js';

/** One additive reflection, in camera pixels and grey levels. */
export interface Glare {
  shape: 'rect' | 'ellipse' | 'lobe';
  x: number;
  y: number;
  halfW: number;
  halfH: number;
  angleDeg: number;
  /** Added grey levels at full strength (the sensor clips at 255). */
  amp: number;
  /** Width in pixels of the soft edge (rect and ellipse). */
  soft: number;
  /** Fractional fall-off of brightness along the long axis (0 = uniform). */
  falloff: number;
}

/** Strength in [0, 1] of a glare at offsets (lx, ly) in its own frame. */
function strength(g: Glare, lx: number, ly: number): number {
  if (g.shape === 'lobe') {
    const q = (lx / g.halfW) ** 2 + (ly / g.halfH) ** 2;
    return q > 9 ? 0 : Math.exp(-2 * q);
  }
  let sd: number;
  if (g.shape === 'rect') {
    const dx = Math.abs(lx) - g.halfW;
    const dy = Math.abs(ly) - g.halfH;
    sd = Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
  } else {
    sd = (Math.hypot(lx / g.halfW, ly / g.halfH) - 1) * Math.min(g.halfW, g.halfH);
  }
  return 1 - smoothstep(-g.soft, g.soft, sd);
}

/** Adds a glare to a float image in place. */
export function addGlare(img: Float32Array, width: number, height: number, g: Glare): void {
  const a = (g.angleDeg * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const reach = Math.hypot(g.halfW, g.halfH) * (g.shape === 'lobe' ? 3 : 1) + 2 * g.soft + 1;
  const y0 = Math.max(0, Math.floor(g.y - reach));
  const y1 = Math.min(height - 1, Math.ceil(g.y + reach));
  const x0 = Math.max(0, Math.floor(g.x - reach));
  const x1 = Math.min(width - 1, Math.ceil(g.x + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - g.x;
      const dy = y - g.y;
      const lx = dx * c + dy * s;
      const ly = -dx * s + dy * c;
      const k = strength(g, lx, ly);
      if (k <= 0) continue;
      const along = 1 - (g.falloff * (Math.max(-1, Math.min(1, lx / g.halfW)) + 1)) / 2;
      img[y * width + x]! += g.amp * k * along;
    }
  }
}
