/**
 * Geometry shared by the iris renderer, its ground truth and the reference unwrapping: circles,
 * eyelid parabolas, and the rubber-sheet mapping between image pixels and normalised polar
 * coordinates (rho from pupil boundary to iris boundary, theta around the pupil centre).
 *
 * Conventions: image coordinates with x to the right and y down; pixel (i, j) has its centre at
 * (i, j). Angles are measured from +x towards +y (clockwise on screen, since y points down).
 */

/** A circle in image coordinates. */
export interface Circle {
  x: number;
  y: number;
  r: number;
}

/** An eyelid as a parabola in image coordinates: y = a * (x - x0)^2 + y0. */
export interface Parabola {
  a: number;
  x0: number;
  y0: number;
}

/** The height of a lid parabola at column x. */
export function parabolaY(p: Parabola, x: number): number {
  const d = x - p.x0;
  return p.a * d * d + p.y0;
}

/**
 * Places a lid defined in the eye's own frame (v = a * (u - u0)^2 + v0 around the iris centre
 * (cx, cy), u along the eye's horizontal axis) into an image rotated by `phi` radians. A rotated
 * parabola is not a parabola, so this returns the axis-aligned parabola fitted (least squares)
 * to the rotated lid over u0 +/- halfSpan: within a pixel or so for rotations up to 10 degrees.
 */
export function rotateLid(a: number, v0: number, u0: number, cx: number, cy: number, phi: number, halfSpan: number): Parabola {
  const c = Math.cos(phi);
  const s = Math.sin(phi);
  if (s === 0) return { a, x0: cx + u0, y0: cy + v0 };
  const n = 41;
  const ts = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const u = u0 + halfSpan * (2 * k / (n - 1) - 1);
    const v = a * (u - u0) * (u - u0) + v0;
    ts[k] = u * c - v * s;
    ys[k] = u * s + v * c;
  }
  return fitParabola(ts, ys, cx, cy);
}

/**
 * Least-squares parabola y = a (x - x0)^2 + y0 through points given relative to (cx, cy)
 * (x = cx + ts[k], y = cy + ys[k]); centring keeps the normal equations well conditioned.
 */
export function fitParabola(ts: ArrayLike<number>, ys: ArrayLike<number>, cx: number, cy: number): Parabola {
  const m = new Float64Array(9);
  const r = new Float64Array(3);
  for (let k = 0; k < ts.length; k++) {
    const t = ts[k]!;
    const y = ys[k]!;
    const basis = [t * t, t, 1];
    for (let i = 0; i < 3; i++) {
      r[i]! += basis[i]! * y;
      for (let j = 0; j < 3; j++) m[i * 3 + j]! += basis[i]! * basis[j]!;
    }
  }
  const [A, B, C] = solve3(m, r);
  return { a: A, x0: cx - B / (2 * A), y0: cy + C - (B * B) / (4 * A) };
}

/** Solves a 3x3 linear system (row-major matrix) by Cramer's rule. */
function solve3(m: Float64Array, r: Float64Array): [number, number, number] {
  const det = (q: ArrayLike<number>): number =>
    q[0]! * (q[4]! * q[8]! - q[5]! * q[7]!) - q[1]! * (q[3]! * q[8]! - q[5]! * q[6]!) + q[2]! * (q[3]! * q[7]! - q[4]! * q[6]!);
  const d = det(m);
  const out: number[] = [];
  for (let col = 0; col < 3; col++) {
    const q = Array.from(m);
    for (let row = 0; row < 3; row++) q[row * 3 + col] = r[row]!;
    out.push(det(q) / d);
  }
  return [out[0]!, out[1]!, out[2]!];
}

/** The x coordinates where two lids meet (the eye corners), or null when they do not cross. */
export function lidCorners(upper: Parabola, lower: Parabola): [number, number] | null {
  // a1 (x - p)^2 + q = a2 (x - r)^2 + s, solved as A x^2 + B x + C = 0.
  const A = upper.a - lower.a;
  const B = -2 * upper.a * upper.x0 + 2 * lower.a * lower.x0;
  const C = upper.a * upper.x0 * upper.x0 + upper.y0 - lower.a * lower.x0 * lower.x0 - lower.y0;
  if (Math.abs(A) < 1e-12) return null;
  const disc = B * B - 4 * A * C;
  if (disc <= 0) return null;
  const sq = Math.sqrt(disc);
  const x1 = (-B - sq) / (2 * A);
  const x2 = (-B + sq) / (2 * A);
  return x1 < x2 ? [x1, x2] : [x2, x1];
}

/**
 * Distance from the pupil centre to the iris circle along the unit direction (ux, uy). The
 * rubber sheet maps rho linearly along this ray: rho = (d - rp) / (rayLength - rp).
 */
export function irisRayLength(pupil: Circle, iris: Circle, ux: number, uy: number): number {
  const ox = pupil.x - iris.x;
  const oy = pupil.y - iris.y;
  const b = ux * ox + uy * oy;
  const c = ox * ox + oy * oy - iris.r * iris.r;
  return -b + Math.sqrt(Math.max(0, b * b - c));
}
