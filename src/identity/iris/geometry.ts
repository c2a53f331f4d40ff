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

/** An eyelid boundary as a quadratic y = a2 x^2 + a1 x + a0 in image coordinates (y grows downward). */
export interface EyelidCurve {
  readonly a2: number;
  readonly a1: number;
  readonly a0: number;
}

/** The y of an eyelid curve at column x. */
export function eyelidY(lid: EyelidCurve, x: number): number {
  return (lid.a2 * x + lid.a1) * x + lid.a0;
}

/**
 * Robust least-squares quadratic y(x) through points: repeated fits dropping points whose
 * residual exceeds `k` robust standard deviations (at least `minResidual` pixels). Null when
 * fewer than 6 points remain or the system is degenerate.
 */
export function fitQuadraticRobust(xs: number[], ys: number[], k = 2.5, minResidual = 2, iterations = 4): { curve: EyelidCurve; inliers: number } | null {
  let idx = xs.map((_, i) => i);
  let curve: EyelidCurve | null = null;
  for (let it = 0; it <= iterations; it++) {
    if (idx.length < 6) return null;
    curve = solveQuadratic(idx.map((i) => xs[i]!), idx.map((i) => ys[i]!));
    if (!curve) return null;
    const c: EyelidCurve = curve;
    const residuals = idx.map((i) => Math.abs(ys[i]! - eyelidY(c, xs[i]!)));
    const sorted = [...residuals].sort((a, b) => a - b);
    const limit = Math.max(minResidual, k * 1.4826 * sorted[Math.floor(sorted.length / 2)]!);
    const keep = idx.filter((_, j) => residuals[j]! <= limit);
    if (keep.length === idx.length) break;
    idx = keep;
  }
  return curve && idx.length >= 6 ? { curve, inliers: idx.length } : null;
}

function solveQuadratic(xs: number[], ys: number[]): EyelidCurve | null {
  // Centre x for conditioning, solve the 3x3 normal equations, then expand back.
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = new Float64Array(5);
  const t = new Float64Array(3);
  for (let i = 0; i < xs.length; i++) {
    const u = xs[i]! - mx;
    let p = 1;
    for (let d = 0; d < 5; d++) {
      s[d] += p;
      if (d < 3) t[d] += p * ys[i]!;
      p *= u;
    }
  }
  const m = [
    [s[4]!, s[3]!, s[2]!, t[2]!],
    [s[3]!, s[2]!, s[1]!, t[1]!],
    [s[2]!, s[1]!, s[0]!, t[0]!],
  ];
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (Math.abs(m[piv]![c]!) < 1e-12) return null;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const q2 = m[0]![3]! / m[0]![0]!;
  const q1 = m[1]![3]! / m[1]![1]!;
  const q0 = m[2]![3]! / m[2]![2]!;
  // y = q2 (x - mx)^2 + q1 (x - mx) + q0
  return { a2: q2, a1: q1 - 2 * q2 * mx, a0: q2 * mx * mx - q1 * mx + q0 };
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
 * Circle fit that rejects outliers (edge points on eyelids, lashes or reflections): a trimmed
 * start (refit on the 60% of points closest to the current circle, three times), then repeated
 * least squares dropping points whose radial residual exceeds `k` robust standard deviations.
 * The trimmed start matters when outliers are many and on one side: a plain first fit is pulled
 * towards them and the residual scale grows with it, so nothing would ever be dropped.
 */
export function fitCircleRobust(xs: number[], ys: number[], k = 2.5, iterations = 4, minResidual = 1): { circle: Circle; inliers: number } | null {
  const all = xs.map((_, i) => i);
  const fitOn = (idx: number[]): Circle | null =>
    fitCircleLeastSquares(
      idx.map((i) => xs[i]!),
      idx.map((i) => ys[i]!),
    );
  const residual = (c: Circle, i: number): number => Math.abs(Math.hypot(xs[i]! - c.x, ys[i]! - c.y) - c.r);
  let circle = fitOn(all);
  if (!circle) return null;
  for (let t = 0; t < 3 && all.length >= 10; t++) {
    const c: Circle = circle;
    const best = [...all].sort((a, b) => residual(c, a) - residual(c, b)).slice(0, Math.ceil(all.length * 0.6));
    const next = fitOn(best);
    if (!next) break;
    circle = next;
  }
  let idx = all;
  for (let it = 0; it < iterations; it++) {
    const c: Circle = circle;
    const residuals = all.map((i) => residual(c, i));
    const sorted = [...residuals].sort((a, b) => a - b);
    const scale = sorted[Math.floor(sorted.length / 2)]! * 1.4826;
    const limit = Math.max(minResidual, k * scale);
    const keep = all.filter((_, j) => residuals[j]! <= limit);
    if (keep.length < 5) break;
    const same = keep.length === idx.length && keep.every((v, j) => v === idx[j]);
    idx = keep;
    const next = fitOn(idx);
    if (!next) break;
    circle = next;
    if (same) break;
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
