/**
 * Radial edge search: along rays from a centre, find where intensity steps up the most
 * (dark inside, bright outside), and score how strong a circular edge is.
 */
import { sampleBilinear, type FloatImage } from '../../lib/imageops.js';
import type { Circle } from './geometry.js';

/** Edge points found along rays, with the step size at each. */
export interface RayEdges {
  readonly xs: number[];
  readonly ys: number[];
  readonly strengths: number[];
}

/**
 * For each angle in `angles` (radians; y grows downward), scans radii rMin..rMax and keeps the
 * radius of the largest outward intensity increase measured over +/- `span` pixels.
 */
export function radialEdges(
  img: FloatImage,
  cx: number,
  cy: number,
  rMin: number,
  rMax: number,
  angles: ArrayLike<number>,
  span = 2,
  step = 0.5,
  minStep = 4,
): RayEdges {
  const xs: number[] = [];
  const ys: number[] = [];
  const strengths: number[] = [];
  const n = Math.max(2, Math.ceil((rMax - rMin) / step) + 1);
  const profile = new Float32Array(n + 2 * Math.ceil(span / step));
  const pad = Math.ceil(span / step);
  for (let a = 0; a < angles.length; a++) {
    const c = Math.cos(angles[a]!);
    const s = Math.sin(angles[a]!);
    for (let k = 0; k < profile.length; k++) {
      const r = rMin + (k - pad) * step;
      profile[k] = sampleBilinear(img, cx + r * c, cy + r * s);
    }
    let best = -Infinity;
    let bestR = -1;
    for (let k = 0; k < n; k++) {
      const outer = profile[k + 2 * pad]!;
      const inner = profile[k]!;
      const d = outer - inner;
      if (d > best) { best = d; bestR = rMin + k * step; }
    }
    if (Number.isFinite(best) && best >= minStep) {
      xs.push(cx + bestR * c);
      ys.push(cy + bestR * s);
      strengths.push(best);
    }
  }
  return { xs, ys, strengths };
}

/**
 * Median outward intensity step across a circle over the given angles: I(r + span) - I(r - span).
 * The median, not the mean: a true boundary steps up all the way round, whereas a circle fitted
 * to scattered edges (text, lashes) has a few strong steps and many flat ones.
 */
export function circularStep(img: FloatImage, circle: Circle, angles: ArrayLike<number>, span = 2): number {
  const steps: number[] = [];
  for (let a = 0; a < angles.length; a++) {
    const c = Math.cos(angles[a]!);
    const s = Math.sin(angles[a]!);
    const outer = sampleBilinear(img, circle.x + (circle.r + span) * c, circle.y + (circle.r + span) * s);
    const inner = sampleBilinear(img, circle.x + (circle.r - span) * c, circle.y + (circle.r - span) * s);
    if (Number.isNaN(outer) || Number.isNaN(inner)) continue;
    steps.push(outer - inner);
  }
  if (steps.length < angles.length / 2) return 0;
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

/** Evenly spaced angles over [from, to) in radians. */
export function angleRange(from: number, to: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = from + ((to - from) * i) / count;
  return out;
}
