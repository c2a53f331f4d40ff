/**
 * Eyelashes: thin, dark, tapering curved strokes rooted on the lid margins. Most upper lashes
 * point away from the eye; a fraction hang down over the iris and are the occluders the
 * segmentation has to mask. Lower lashes are shorter, fainter and point down.
 */
import type { Rng } from '../../lib/rng.js';
import { parabolaY, type Parabola } from './geometry.js';
import { scratch } from './noise.js';

/** One lash as a quadratic Bezier curve from its root (p0) to its tip (p2). */
export interface LashStroke {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Width at the root in pixels; it tapers to a third at the tip. */
  width: number;
  /** Opacity at the root; it fades to 60% at the tip. */
  alpha: number;
}

/** How many lashes and of what kind; lengths in pixels via the iris radius. */
export interface LashPlan {
  irisRadius: number;
  /** Upper lashes per iris radius of lid. */
  density: number;
  /** Fraction of upper lashes hanging down over the eye. */
  downFraction: number;
  lowerDensity: number;
  /** +1 when the temple is towards +x. */
  temporal: 1 | -1;
  /** Lash width scale in pixels. */
  widthScale: number;
}

function rotate(x: number, y: number, a: number): [number, number] {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [x * c - y * s, x * s + y * c];
}

/** Samples one lid's lashes between the eye corners xa < xb. */
function lidLashes(rng: Rng, lid: Parabola, xa: number, xb: number, plan: LashPlan, upper: boolean, out: LashStroke[]): void {
  const ri = plan.irisRadius;
  const span = xb - xa;
  const count = Math.round(((upper ? plan.density * 28 : plan.lowerDensity * 14) * span) / ri);
  const mid = (xa + xb) / 2;
  // Lashes grow in combed, clumped strands: their lean varies smoothly along the lid.
  const comb = [rng.uniform(0, 2 * Math.PI), rng.uniform(0, 2 * Math.PI)];
  const combAmp = rng.uniform(0.1, 0.3);
  const baseLean = plan.temporal * rng.uniform(0.15, 0.5);
  for (let n = 0; n < count; n++) {
    // Denser and longer in the middle of the lid, none in the inner corner.
    const s = Math.tanh(rng.normal(0, 0.75)) * 0.92;
    const x = mid + (s * span) / 2 + plan.temporal * 0.04 * span;
    const along = Math.abs(s);
    const lengthFactor = 1 - 0.55 * along * along;
    const y = parabolaY(lid, x) + (upper ? -1 : 1) * rng.uniform(0, 0.025 * ri);
    const slope = 2 * lid.a * (x - lid.x0);
    // Unit normal pointing away from the eye (up for the upper lid, down for the lower one).
    const nlen = Math.hypot(slope, 1);
    let nx = (upper ? slope : -slope) / nlen;
    let ny = (upper ? -1 : 1) / nlen;
    const down = upper && rng.chance(plan.downFraction);
    if (down) {
      nx = -nx;
      ny = -ny;
    }
    // Lashes lean towards the temple and fan out with distance from the middle; `side` is the
    // sideways tilt wanted (positive towards +x), and the curl keeps bending the same way.
    const outward = Math.sign(x - mid) || plan.temporal;
    const side = baseLean + combAmp * (Math.sin(9 * s + comb[0]!) + 0.5 * Math.sin(23 * s + comb[1]!)) + outward * along * 0.5 + rng.normal(0, 0.1);
    const sense = ny < 0 ? 1 : -1;
    [nx, ny] = rotate(nx, ny, side * sense);
    const length = lengthFactor * ri * (down ? rng.uniform(0.1, 0.34) : upper ? rng.uniform(0.22, 0.55) : rng.uniform(0.08, 0.22));
    const [cx, cy] = rotate(nx, ny, Math.sign(side) * sense * rng.uniform(0.2, 0.9));
    const x1 = x + nx * length * 0.55;
    const y1 = y + ny * length * 0.55;
    out.push({
      x0: x,
      y0: y,
      x1,
      y1,
      x2: x1 + cx * length * 0.5,
      y2: y1 + cy * length * 0.5,
      width: plan.widthScale * rng.uniform(0.8, 1.8) * (upper ? 1 : 0.7),
      alpha: upper ? rng.uniform(0.65, 0.95) : rng.uniform(0.3, 0.6),
    });
  }
}

/** Samples the lashes of both lids, whose corners are at xa < xb. */
export function sampleLashes(rng: Rng, upper: Parabola, lower: Parabola, xa: number, xb: number, plan: LashPlan): LashStroke[] {
  const out: LashStroke[] = [];
  lidLashes(rng.fork('upper'), upper, xa, xb, plan, true, out);
  lidLashes(rng.fork('lower'), lower, xa + 0.1 * (xb - xa), xb - 0.1 * (xb - xa), plan, false, out);
  return out;
}

/**
 * Rasterises lashes into a coverage map (0..1 per pixel, the maximum over strokes), stepping a
 * tapering anti-aliased disc along each curve.
 */
export function rasteriseLashes(strokes: readonly LashStroke[], width: number, height: number): Float32Array {
  const cov = scratch('lashes', width * height, true);
  for (const st of strokes) {
    const len = Math.hypot(st.x1 - st.x0, st.y1 - st.y0) + Math.hypot(st.x2 - st.x1, st.y2 - st.y1);
    const steps = Math.max(2, Math.ceil(len / 0.5));
    for (let k = 0; k <= steps; k++) {
      const t = k / steps;
      const u = 1 - t;
      const px = u * u * st.x0 + 2 * u * t * st.x1 + t * t * st.x2;
      const py = u * u * st.y0 + 2 * u * t * st.y1 + t * t * st.y2;
      const r = 0.5 * st.width * (1 - 0.67 * t);
      const a = st.alpha * (1 - 0.4 * t);
      const xa = Math.max(0, Math.floor(px - r - 1));
      const xb = Math.min(width - 1, Math.ceil(px + r + 1));
      const ya = Math.max(0, Math.floor(py - r - 1));
      const yb = Math.min(height - 1, Math.ceil(py + r + 1));
      for (let y = ya; y <= yb; y++) {
        for (let x = xa; x <= xb; x++) {
          const d = Math.sqrt((x - px) * (x - px) + (y - py) * (y - py));
          let c = r + 0.5 - d;
          if (c <= 0) continue;
          c = (c > 1 ? 1 : c) * a;
          const idx = y * width + x;
          if (c > cov[idx]!) cov[idx] = c;
        }
      }
    }
  }
  return cov;
}
