import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { discIoU, eyelidY, fitCircleRobust, fitQuadraticRobust } from './geometry.js';

describe('geometry fits', () => {
  it('recovers a circle from noisy edge points with 30% outliers', () => {
    const rng = new Rng(3);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < 90; k++) {
      const t = (2 * Math.PI * k) / 90;
      const r = k % 10 < 3 ? 40 + rng.uniform(5, 25) : 40 + rng.normal(0, 0.5);
      xs.push(100 + r * Math.cos(t));
      ys.push(80 + r * Math.sin(t));
    }
    const fit = fitCircleRobust(xs, ys)!;
    expect(fit.circle.x).toBeCloseTo(100, 0);
    expect(fit.circle.y).toBeCloseTo(80, 0);
    expect(fit.circle.r).toBeCloseTo(40, 0);
  });

  it('recovers an eyelid parabola from noisy points with outliers (eyelashes)', () => {
    const rng = new Rng(4);
    const truth = (x: number) => 0.004 * (x - 300) ** 2 + 150;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let x = 200; x <= 420; x += 4) {
      xs.push(x);
      ys.push(truth(x) + (x % 20 === 0 ? rng.uniform(10, 30) : rng.normal(0, 0.7)));
    }
    const fit = fitQuadraticRobust(xs, ys)!;
    for (const x of [220, 300, 400]) expect(Math.abs(eyelidY(fit.curve, x) - truth(x))).toBeLessThan(1.5);
  });

  it('disc IoU is 1 for equal discs, 0 for disjoint, and about 0.25 for a disc in one twice its radius', () => {
    expect(discIoU({ x: 0, y: 0, r: 10 }, { x: 0, y: 0, r: 10 })).toBeCloseTo(1, 2);
    expect(discIoU({ x: 0, y: 0, r: 10 }, { x: 50, y: 0, r: 10 })).toBe(0);
    expect(discIoU({ x: 0, y: 0, r: 10 }, { x: 0, y: 0, r: 20 })).toBeCloseTo(0.25, 1);
  });
});
