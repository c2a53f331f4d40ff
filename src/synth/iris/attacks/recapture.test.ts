import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/rng.js';
import { PeriodicBoxMean } from './box-mean.js';
import { jpegLike } from './jpeg.js';
import { pixelKernel, recapture, sampleRecapture } from './recapture.js';
import { RecaptureGeometry } from './recapture-geometry.js';
import { PRINT_RECAPTURE } from './print.js';

const pose = { zoom: 1.07, rotationDeg: 8, shiftX: 12, shiftY: -7, keystoneX: 0.05, keystoneY: -0.04 };

describe('recapture geometry', () => {
  it('maps camera pixels to the medium and back', () => {
    const g = new RecaptureGeometry(320, 240, pose);
    const m = new Float64Array(2);
    const c = new Float64Array(2);
    for (const [x, y] of [[0, 0], [319, 239], [160.5, 80.25], [17, 200]] as const) {
      g.toMedium(x, y, m);
      g.toCamera(m[0]!, m[1]!, c);
      expect(c[0]).toBeCloseTo(x, 9);
      expect(c[1]).toBeCloseTo(y, 9);
    }
    const us = new Float64Array(5);
    const vs = new Float64Array(5);
    g.mapRow(33, 10, 0.25, us, vs);
    g.toMedium(10.75, 33, m);
    expect(us[3]).toBeCloseTo(m[0]!, 9);
    expect(vs[3]).toBeCloseTo(m[1]!, 9);
  });

  it('moves circles and lids with the artefact', () => {
    const g = new RecaptureGeometry(320, 240, { ...pose, keystoneX: 0, keystoneY: 0 });
    const circle = g.circle({ x: 150, y: 120, r: 50 });
    expect(circle.r).toBeCloseTo(50 * 1.07, 6); // a similarity scales radii by the zoom
    const flat = g.lid({ a: 0, x0: 150, y0: 90 }, 150, 80, { x: circle.x, y: circle.y });
    // A horizontal line rotated by 8 degrees is a line again: a ~ 0, slope tan(8 deg).
    expect(Math.abs(flat.a)).toBeLessThan(1e-9);
  });
});

describe('sensor integration', () => {
  it('uses normalised kernels that widen with defocus', () => {
    for (const [S, sigma] of [[3, 0], [4, 0.6], [3, 1.1]] as const) {
      const { weights, radius } = pixelKernel(S, sigma);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(weights.length).toBe(2 * radius + S);
    }
    expect(pixelKernel(3, 0).radius).toBe(0);
    expect(pixelKernel(3, 1.1).radius).toBeGreaterThan(pixelKernel(3, 0.5).radius);
  });

  it('photographs a flat field as a flat field, deterministically', () => {
    const p = sampleRecapture(new Rng('flat'), PRINT_RECAPTURE, 96, 80);
    const flat = { ...p, motionLength: 0, sensor: { ...p.sensor, vignette: 0, lightX: 0, lightY: 0, gain: 1, offset: 0, noiseSigma: 0 } };
    const g = new RecaptureGeometry(96, 80, flat);
    const img = recapture(g, flat, () => 120, [], new Rng('sensor'));
    expect(new Set(img)).toEqual(new Set([120]));
    const a = recapture(g, p, (u, v) => (u + v) % 200, [], new Rng('s'));
    const b = recapture(g, p, (u, v) => (u + v) % 200, [], new Rng('s'));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('JPEG-like compression', () => {
  it('keeps flat blocks flat (up to DC quantisation) and loses more detail at low quality', () => {
    const W = 32;
    const flat = new Float32Array(W * W).fill(100);
    jpegLike(flat, W, W, 30);
    expect(Math.max(...flat) - Math.min(...flat)).toBeLessThan(1e-6);
    expect(Math.abs(flat[0]! - 100)).toBeLessThan(14);
    const rng = new Rng('jpeg');
    const noise = Float32Array.from({ length: W * W }, () => rng.uniform(50, 200));
    const err = (q: number): number => {
      const c = Float32Array.from(noise);
      jpegLike(c, W, W, q);
      return c.reduce((s, v, i) => s + (v - noise[i]!) ** 2, 0);
    };
    expect(err(90)).toBeLessThan(err(25));
  });
});

describe('area sampling of periodic apertures', () => {
  const stripe = (x: number, y: number): number => (x < 0.3 && y > 0.2 ? 1 : 0.1);
  const table = new PeriodicBoxMean(stripe);

  it('gives the period mean over whole periods and brute-force means elsewhere', () => {
    expect(table.mean).toBeCloseTo(0.3 * 0.8 + 0.1 * (1 - 0.24), 2); // tabulated on a 64 x 64 grid
    expect(table.boxMean(0.37, -4.2, 1.5)).toBeCloseTo(table.mean, 9);
    for (const [x, y, h] of [[0.1, 0.5, 0.05], [0.28, 0.21, 0.1], [-2.6, 7.3, 0.4], [0.9, 0.1, 0.7]] as const) {
      const n = 400;
      let sum = 0;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const px = x - h + (2 * h * (i + 0.5)) / n;
          const py = y - h + (2 * h * (j + 0.5)) / n;
          sum += stripe(px - Math.floor(px), py - Math.floor(py));
        }
      }
      // Within the 1/64 discretisation of the pattern's edges.
      expect(Math.abs(table.boxMean(x, y, h) - sum / (n * n))).toBeLessThan(0.4 / (64 * h));
      expect(Math.abs(table.filtered(h).at(x, y) - sum / (n * n))).toBeLessThan(0.4 / (64 * h));
    }
  });
});
