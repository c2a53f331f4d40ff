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
 * Places a lid defined in the eye's own frame (v = a*u^2 + v0 around the iris centre (cx, cy),
 * u along the eye's horizontal axis) into an image rotated by `phi` radians. A rotated parabola is
 * not a parabola, so this returns the axis-aligned parabola through the rotated point where the lid
 * is horizontal, with the same curvature: exact at the vertex and close over the visible lid.
 */
export function rotateLid(a: number, v0: number, u0: number, cx: number, cy: number, phi: number): Parabola {
  // The point of the unrotated lid whose tangent becomes horizontal after rotating by phi.
  const u = u0 - Math.tan(phi) / (2 * a);
  const v = a * (u - u0) * (u - u0) + v0;
  const c = Math.cos(phi);
  const s = Math.sin(phi);
  return { a, x0: cx + u * c - v * s, y0: cy + u * s + v * c };
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
