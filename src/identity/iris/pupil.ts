/**
 * Pupil localisation: dark-blob candidates from a distance transform of thresholded dark pixels
 * (thin eyelashes have no depth in it), each refined by a robust circle fit to radial edge points,
 * and the candidate with the strongest circular edge wins.
 */
import { IriskError } from '../../lib/errors.js';
import { boxBlur, distanceTransform, histogramQuantiles, opening, sampleBilinear, type FloatImage } from '../../lib/imageops.js';
import type { WorkingImage } from './working-image.js';
import { angleRange, circularStep, radialEdges } from './edges.js';
import { fitCircleRobust, type Circle } from './geometry.js';

/** Parameters of pupil localisation. */
export interface PupilParams {
  /** Working scale: the image is downsampled so its shorter side is about this many pixels. */
  readonly workingSide: number;
  /** Dark thresholds, as fractions of the way from the darkest percentile to the median. */
  readonly darkLevels: readonly number[];
  /** Smallest and largest pupil radius as fractions of the shorter image side. */
  readonly minRadiusFraction: number;
  readonly maxRadiusFraction: number;
  /** Number of rays for the edge refinement. */
  readonly rays: number;
  /** Minimum mean intensity step across the pupil boundary (0-255). */
  readonly minContrast: number;
  /** Radius (working-scale pixels) of the grayscale opening that erases bright spots. */
  readonly openingRadius: number;
  /** At most this many dark-blob candidates are refined (the deepest of each level first). */
  readonly maxCandidates: number;
}

export const DEFAULT_PUPIL_PARAMS: PupilParams = {
  workingSide: 140,
  darkLevels: [0.12, 0.22, 0.32, 0.45],
  minRadiusFraction: 0.025,
  maxRadiusFraction: 0.3,
  rays: 90,
  minContrast: 12,
  openingRadius: 3,
  maxCandidates: 8,
};

/** A located pupil and how sure we are of it. */
export interface PupilResult {
  readonly circle: Circle;
  readonly contrast: number;
  readonly inlierFraction: number;
  /** Fraction of the disc darker than the middle of its boundary step (a pupil is filled dark). */
  readonly darkFraction: number;
  /** Median intensity inside the disc. */
  readonly interior: number;
  readonly candidates: number;
}

interface Candidate {
  x: number;
  y: number;
  r: number;
}

/** Locates the pupil as a circle in full-resolution coordinates, or throws IRIS_PUPIL_NOT_FOUND. */
export function locatePupil(img: WorkingImage, params: PupilParams = DEFAULT_PUPIL_PARAMS): PupilResult {
  const side = Math.min(img.width, img.height);
  const f = img.factorFor(params.workingSide);
  // Opening removes what is left of reflections inside the pupil (a ring of bright spots would
  // otherwise split the dark blob); then a light blur.
  const small = boxBlur(opening(img.downsampled(f), params.openingRadius), 1);
  const [lo, mid] = histogramQuantiles(small.data, [0.005, 0.5]) as [number, number];
  const minR = (params.minRadiusFraction * side) / f;
  const maxR = (params.maxRadiusFraction * side) / f;
  const perLevel: Candidate[][] = [];
  for (const level of params.darkLevels) {
    const t = lo + level * (mid - lo);
    const dark = new Uint8Array(small.data.length);
    for (let i = 0; i < dark.length; i++) dark[i] = small.data[i]! <= t ? 1 : 0;
    const dt = distanceTransform(dark, small.width, small.height);
    perLevel.push(topMaxima(dt, small.width, small.height, 3, minR, maxR).map((c) => ({ x: c.x * f + (f - 1) / 2, y: c.y * f + (f - 1) / 2, r: c.r * f })));
  }
  // Round-robin over levels, so that the darkest level's blob (the pupil of a dark iris) is
  // always among the candidates refined.
  const candidates: Candidate[] = [];
  for (let k = 0; k < 3; k++) for (const level of perLevel) if (level[k]) candidates.push(level[k]!);
  const angles = angleRange(0, 2 * Math.PI, params.rays);
  const refined: (Omit<PupilResult, 'candidates'> & { score: number })[] = [];
  for (const cand of dedupe(candidates).slice(0, params.maxCandidates)) {
    const r = refineCircle(img.full, cand, angles, params);
    if (r) refined.push({ ...r, score: r.contrast * Math.sqrt(r.inlierFraction) * r.darkFraction * r.darkFraction });
  }
  const best = innermost(refined, params);
  if (!best || best.contrast < params.minContrast) {
    throw new IriskError('IRIS_PUPIL_NOT_FOUND', 'No pupil found: the image shows no dark, round pupil (closed eye, no eye, or far off-focus)', {
      contrast: best?.contrast ?? 0,
    });
  }
  const { score: _score, ...result } = best;
  return { ...result, candidates: candidates.length };
}

/**
 * The best-scoring circle, then, while a good circle lies inside it (a boundary step at least
 * half as strong, and an interior darker by at least half that step), that one instead: a dark
 * iris against a bright sclera can outscore the pupil, but the pupil is the darker disc within.
 */
function innermost<T extends { circle: Circle; contrast: number; darkFraction: number; interior: number; score: number }>(all: T[], params: PupilParams): T | null {
  let best: T | null = null;
  for (const r of all) if (!best || r.score > best.score) best = r;
  for (let guard = 0; best && guard < all.length; guard++) {
    const outer: T = best;
    const inner = all.filter(
      (r) =>
        r !== outer &&
        r.circle.r < 0.8 * outer.circle.r &&
        Math.hypot(r.circle.x - outer.circle.x, r.circle.y - outer.circle.y) + r.circle.r <= outer.circle.r * 1.05 &&
        r.contrast >= Math.max(params.minContrast, 0.5 * outer.contrast) &&
        r.darkFraction >= 0.7 &&
        r.interior < outer.interior - Math.max(params.minContrast, r.contrast / 2),
    );
    if (inner.length === 0) break;
    best = inner.reduce((a, b) => (b.score > a.score ? b : a));
  }
  return best;
}

function refineCircle(img: FloatImage, start: Candidate, angles: Float64Array, params: PupilParams): Omit<PupilResult, 'candidates'> | null {
  let cx = start.x;
  let cy = start.y;
  let r = Math.max(start.r, 3);
  let inlierFraction = 0;
  for (let pass = 0; pass < 2; pass++) {
    const edges = radialEdges(img, cx, cy, Math.max(2, r * 0.6), r * (pass === 0 ? 1.5 : 1.3) + 4, angles);
    if (edges.xs.length < angles.length * 0.25) return null;
    const fit = fitCircleRobust(edges.xs, edges.ys);
    if (!fit) return null;
    const side = Math.min(img.width, img.height);
    if (fit.circle.r < params.minRadiusFraction * side * 0.7 || fit.circle.r > params.maxRadiusFraction * side * 1.2) return null;
    cx = fit.circle.x;
    cy = fit.circle.y;
    r = fit.circle.r;
    inlierFraction = fit.inliers / angles.length;
  }
  const circle = { x: cx, y: cy, r };
  const contrast = circularStep(img, circle, angles, 2);
  return { circle, contrast, inlierFraction, ...interiorDarkness(img, circle, contrast) };
}

/**
 * Inside 0.85 r: the fraction of samples darker than the middle of the boundary step (near 1 for
 * a pupil, about one half for a circle fitted around dark strokes such as text or lashes), and
 * the median intensity.
 */
function interiorDarkness(img: FloatImage, circle: Circle, contrast: number): { darkFraction: number; interior: number } {
  const outside: number[] = [];
  for (let k = 0; k < 32; k++) {
    const t = (2 * Math.PI * k) / 32;
    const v = sampleBilinear(img, circle.x + (circle.r + 2) * Math.cos(t), circle.y + (circle.r + 2) * Math.sin(t));
    if (!Number.isNaN(v)) outside.push(v);
  }
  if (outside.length === 0) return { darkFraction: 0, interior: 255 };
  outside.sort((a, b) => a - b);
  const threshold = outside[Math.floor(outside.length / 2)]! - contrast / 2;
  const inside: number[] = [];
  for (let ring = 1; ring <= 4; ring++) {
    const rr = (circle.r * 0.85 * ring) / 4;
    for (let k = 0; k < 24; k++) {
      const t = (2 * Math.PI * (k + 0.5 * ring)) / 24;
      const v = sampleBilinear(img, circle.x + rr * Math.cos(t), circle.y + rr * Math.sin(t));
      if (!Number.isNaN(v)) inside.push(v);
    }
  }
  if (inside.length === 0) return { darkFraction: 0, interior: 255 };
  const dark = inside.filter((v) => v < threshold).length;
  inside.sort((a, b) => a - b);
  return { darkFraction: dark / inside.length, interior: inside[Math.floor(inside.length / 2)]! };
}

function topMaxima(dt: Float32Array, w: number, h: number, count: number, minR: number, maxR: number): Candidate[] {
  const out: Candidate[] = [];
  for (let n = 0; n < count; n++) {
    let best = -1;
    let bestV = minR * 0.6;
    for (let y = 2; y < h - 2; y++) {
      for (let x = 2; x < w - 2; x++) {
        const v = dt[y * w + x]!;
        if (v < bestV || v > maxR) continue;
        let taken = false;
        for (let k = 0; k < out.length; k++) {
          const c = out[k]!;
          if ((c.x - x) * (c.x - x) + (c.y - y) * (c.y - y) < 2.25 * c.r * c.r) { taken = true; break; }
        }
        if (taken) continue;
        bestV = v;
        best = y * w + x;
      }
    }
    if (best < 0) break;
    out.push({ x: best % w, y: Math.floor(best / w), r: bestV });
  }
  return out;
}

function dedupe(cands: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of cands) if (!out.some((o) => Math.hypot(o.x - c.x, o.y - c.y) < 3 && Math.abs(o.r - c.r) < 3)) out.push(c);
  return out;
}
