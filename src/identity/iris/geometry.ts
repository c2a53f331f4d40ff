/**
 * Geometry shared by the segmentation stages: circles, eyelid parabolas, and robust circle fits
 * to edge points.
 */

/** A circle in image coordinates (pixels). */
export interface Circle {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

/**
 * An eyelid boundary as a parabola y = y0 + a (x - x0)^2 in image coordinates (y grows downward).
 * `present` is false when the lid does not reach the iris.
 */
export interface EyelidCurve {
  readonly a: number;
  readonly x0: number;
  readonly y0: number;
  readonly present: boolean;
}

/** The y of an eyelid curve at column x. */
export function eyelidY(lid: EyelidCurve, x: number): number {
  return lid.y0 + lid.a * (x - lid.x0) * (x - lid.x0);
}

/** Algebraic (Kasa) least-squares circle through points; null when degenerate. */
export function fitCircleLeastSquares(xs: ArrayLike<number>, ys: ArrayLike<number>, weights?: ArrayLike<number>): Circle | null {
  const n = xs.length;
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const wt = weights ? weights[i]! : 1;
    mx += wt * xs[i]!;
    my += wt * ys[i]!;
    sw += wt;
  }
  if (sw <= 0) return null;
  mx /= sw;
  my /= sw;
  let suu = 0, svv = 0, suv = 0, suuu = 0, svvv = 0, suvv = 0, svuu = 0;
  for (let i = 0; i < n; i++) {
    const wt = weights ? weights[i]! : 1;
    const u = xs[i]! - mx;
    const v = ys[i]! - my;
    suu += wt * u * u;
    svv += wt * v * v;
    suv += wt * u * v;
    suuu += wt * u * u * u;
    svvv += wt * v * v * v;
    suvv += wt * u * v * v;
    svuu += wt * v * u * u;
  }
  const det = suu * svv - suv * suv;
  if (Math.abs(det) < 1e-9) return null;
  const b1 = 0.5 * (suuu + suvv);
  const b2 = 0.5 * (svvv + svuu);
  const uc = (b1 * svv - b2 * suv) / det;
  const vc = (suu * b2 - suv * b1) / det;
  const r = Math.sqrt(uc * uc + vc * vc + (suu + svv) / sw);
  if (!Number.isFinite(r)) return null;
  return { x: uc + mx, y: vc + my, r };
}

/**
 * Circle fit that rejects outliers (edge points on eyelids, lashes or reflections): repeated
 * least squares, dropping points whose radial residual exceeds `k` robust standard deviations.
 */
export function fitCircleRobust(xs: number[], ys: number[], k = 2.5, iterations = 4, minResidual = 1): { circle: Circle; inliers: number } | null {
  let idx = xs.map((_, i) => i);
  let circle = fitCircleLeastSquares(xs, ys);
  if (!circle) return null;
  for (let it = 0; it < iterations; it++) {
    const c: Circle = circle;
    const residuals = idx.map((i) => Math.abs(Math.hypot(xs[i]! - c.x, ys[i]! - c.y) - c.r));
    const sorted = [...residuals].sort((a, b) => a - b);
    const mad = sorted[Math.floor(sorted.length / 2)]! * 1.4826;
    const limit = Math.max(minResidual, k * mad);
    const keep = idx.filter((_, j) => residuals[j]! <= limit);
    if (keep.length < 5 || keep.length === idx.length) break;
    idx = keep;
    const next = fitCircleLeastSquares(
      idx.map((i) => xs[i]!),
      idx.map((i) => ys[i]!),
    );
    if (!next) break;
    circle = next;
  }
  return { circle, inliers: idx.length };
}

/** Intersection over union of two discs, computed on a pixel grid at the given resolution. */
export function discIoU(a: Circle, b: Circle, step = 0.5): number {
  const x0 = Math.min(a.x - a.r, b.x - b.r);
  const x1 = Math.max(a.x + a.r, b.x + b.r);
  const y0 = Math.min(a.y - a.r, b.y - b.r);
  const y1 = Math.max(a.y + a.r, b.y + b.r);
  let inter = 0;
  let union = 0;
  const ar2 = a.r * a.r;
  const br2 = b.r * b.r;
  for (let y = y0 + step / 2; y < y1; y += step) {
    for (let x = x0 + step / 2; x < x1; x += step) {
      const ina = (x - a.x) ** 2 + (y - a.y) ** 2 <= ar2;
      const inb = (x - b.x) ** 2 + (y - b.y) ** 2 <= br2;
      if (ina && inb) inter++;
      if (ina || inb) union++;
    }
  }
  return union === 0 ? 0 : inter / union;
}
