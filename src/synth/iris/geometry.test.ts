import { describe, it, expect } from 'vitest';
import { irisRayLength, lidCorners, parabolaY, rotateLid } from './geometry.js';

describe('lid geometry', () => {
  it('leaves an unrotated lid in place', () => {
    expect(rotateLid(0.002, -80, 10, 300, 200, 0, 150)).toEqual({ a: 0.002, x0: 310, y0: 120 });
  });

  it('follows the exactly rotated parabola near its vertex', () => {
    const a = 0.0015;
    const v0 = -90;
    const [cx, cy, phi] = [320, 240, (8 * Math.PI) / 180];
    const lid = rotateLid(a, v0, 0, cx, cy, phi, 150);
    // Rotate points of the eye-frame lid and compare with the image-frame parabola.
    for (let u = -150; u <= 150; u += 10) {
      const v = a * u * u + v0;
      const x = cx + u * Math.cos(phi) - v * Math.sin(phi);
      const y = cy + u * Math.sin(phi) + v * Math.cos(phi);
      expect(Math.abs(parabolaY(lid, x) - y)).toBeLessThan(1);
    }
  });

  it('finds the eye corners where the lids meet', () => {
    const upper = { a: 0.002, x0: 320, y0: 150 };
    const lower = { a: -0.001, x0: 320, y0: 330 };
    const [xa, xb] = lidCorners(upper, lower)!;
    expect(parabolaY(upper, xa)).toBeCloseTo(parabolaY(lower, xa), 6);
    expect(xb - 320).toBeCloseTo(320 - xa, 6);
    expect(lidCorners(upper, { a: 0.002, x0: 320, y0: 330 })).toBeNull();
  });
});

describe('rubber-sheet rays', () => {
  it('reaches the iris circle from an off-centre pupil', () => {
    const pupil = { x: 105, y: 98, r: 30 };
    const iris = { x: 100, y: 100, r: 90 };
    for (let t = 0; t < 2 * Math.PI; t += 0.3) {
      const [ux, uy] = [Math.cos(t), Math.sin(t)];
      const d = irisRayLength(pupil, iris, ux, uy);
      expect(Math.hypot(pupil.x + d * ux - iris.x, pupil.y + d * uy - iris.y)).toBeCloseTo(90, 6);
    }
  });
});
