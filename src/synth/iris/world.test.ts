import { describe, it, expect } from 'vitest';
import { isIriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { baseIrisRadius, sampleCapture, type CaptureConfig } from './capture.js';
import { eyeLabel, eyeTraits } from './eye.js';
import { parabolaY } from './geometry.js';
import { renderCapture, resolveIrisWorld, type IrisWorldOptions } from './world.js';

const small: IrisWorldOptions = { subjects: 5, captures: 5, seed: 42, width: 320, height: 280, hardFraction: 0 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('renderCapture determinism', () => {
  it('gives byte-identical images and masks for the same seed, whatever was rendered before', () => {
    const a = renderCapture(small, 2, 'R', 3);
    renderCapture(small, 1, 'L', 1);
    renderCapture({ ...small, seed: 7 }, 2, 'R', 3);
    const b = renderCapture(small, 2, 'R', 3);
    expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
    expect(Buffer.from(b.mask.data).equals(Buffer.from(a.mask.data))).toBe(true);
    expect(b.truth).toEqual(a.truth);
  });

  it('differs between seeds, eyes and captures', () => {
    const base = renderCapture(small, 1, 'L', 1);
    for (const other of [renderCapture({ ...small, seed: 43 }, 1, 'L', 1), renderCapture(small, 1, 'R', 1), renderCapture(small, 1, 'L', 2)]) {
      expect(Buffer.from(other.image.data).equals(Buffer.from(base.image.data))).toBe(false);
    }
  });
});

describe('option validation', () => {
  const bad: [string, Partial<IrisWorldOptions>][] = [
    ['no subjects', { subjects: 0 }],
    ['no captures', { captures: 0 }],
    ['fractional subjects', { subjects: 1.5 }],
    ['too narrow', { width: 63 }],
    ['too tall', { height: 4097 }],
    ['no eyes', { eyes: [] }],
    ['unknown eye', { eyes: ['X' as 'L'] }],
    ['inverted pupil range', { pupilRatio: [0.5, 0.3] }],
    ['bad hard fraction', { hardFraction: 2 }],
    ['bad seed', { seed: Number.NaN }],
  ];
  for (const [name, patch] of bad) {
    it(`rejects ${name} with USAGE`, () => {
      let caught: unknown;
      try {
        resolveIrisWorld({ ...small, ...patch });
      } catch (e) {
        caught = e;
      }
      expect(isIriskError(caught, 'USAGE')).toBe(true);
    });
  }

  it('rejects subjects and captures outside the world', () => {
    expect(() => renderCapture(small, 6, 'L', 1)).toThrow(/subject/);
    expect(() => renderCapture(small, 1, 'L', 0)).toThrow(/capture/);
    expect(() => renderCapture({ ...small, eyes: ['L'] }, 1, 'R', 1)).toThrow(/eye/);
  });
});

describe('ground truth agrees with the image', () => {
  for (const [subject, eye, capture] of [
    [1, 'L', 1],
    [3, 'R', 2],
    [4, 'L', 5],
  ] as const) {
    it(`S${subject}${eye}${capture}: dark pupil, mid-grey iris, bright sclera, mask inside the geometry`, () => {
      const { image, truth, mask } = renderCapture(small, subject, eye, capture);
      const { width: W, height: H, data } = image;
      const pupil: number[] = [];
      const irisValid: number[] = [];
      const sclera: number[] = [];
      let maskCount = 0;
      let maskOutside = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = y * W + x;
          const dp = Math.hypot(x - truth.pupil.x, y - truth.pupil.y);
          const di = Math.hypot(x - truth.iris.x, y - truth.iris.y);
          const between = y > parabolaY(truth.upperLid, x) + 3 && y < parabolaY(truth.lowerLid, x) - 3;
          if (dp < 0.9 * truth.pupil.r) pupil.push(data[i]!);
          if (mask.data[i] === 255) {
            maskCount++;
            irisValid.push(data[i]!);
            const inside = di < truth.iris.r && dp > truth.pupil.r && y > parabolaY(truth.upperLid, x) && y < parabolaY(truth.lowerLid, x);
            if (!inside) maskOutside++;
          }
          if (between && di > 1.15 * truth.iris.r && di < 1.5 * truth.iris.r && Math.abs(y - truth.iris.y) < 0.3 * truth.iris.r) {
            sclera.push(data[i]!);
          }
        }
      }
      expect(maskOutside).toBe(0);
      expect(median(pupil)).toBeLessThan(median(irisValid) - 50);
      expect(sclera.length).toBeGreaterThan(50);
      expect(median(sclera)).toBeGreaterThan(median(irisValid) + 25);
      const annulus = Math.PI * (truth.iris.r ** 2 - truth.pupil.r ** 2);
      expect(truth.visibleFraction).toBeCloseTo(maskCount / annulus, 6);
      expect(truth.visibleFraction).toBeGreaterThan(0.3);
      expect(truth.pupilRatio).toBeCloseTo(truth.pupil.r / truth.iris.r, 9);
      expect(Math.abs(truth.rotationDeg)).toBeLessThanOrEqual(10);
      expect(truth.upperLid.a).toBeGreaterThan(0);
      expect(truth.lowerLid.a).toBeLessThan(0);
    });
  }
});

describe('capture variation', () => {
  const config = (width: number, height: number): CaptureConfig => ({
    width,
    height,
    pupilRatio: [0.25, 0.55],
    reflections: 'mixed',
    hardFraction: 0.07,
    maxRotationDeg: 10,
  });

  it('keeps sizes, dilation, rotation and gaze in range, with a few hard captures', () => {
    const radii: Record<string, number[]> = { '640x480': [], '320x280': [] };
    let hard = 0;
    let total = 0;
    for (let subject = 1; subject <= 40; subject++) {
      for (const eye of ['L', 'R'] as const) {
        const traits = eyeTraits(9, subject, eye);
        for (let c = 1; c <= 5; c++) {
          for (const [w, h] of [
            [640, 480],
            [320, 280],
          ] as const) {
            const p = sampleCapture(traits, config(w, h), new Rng(`${eyeLabel(9, subject, eye)}/${c}`).fork('capture'));
            radii[`${w}x${h}`]!.push(p.iris.r);
            const ratio = p.pupil.r / p.iris.r;
            expect(ratio).toBeGreaterThanOrEqual(0.25);
            expect(ratio).toBeLessThanOrEqual(0.55);
            expect(Math.abs(p.rotationRad)).toBeLessThanOrEqual((10 * Math.PI) / 180 + 1e-12);
            const offset = Math.hypot(p.pupil.x - p.iris.x, p.pupil.y - p.iris.y) / p.iris.r;
            expect(offset).toBeLessThanOrEqual(0.08 + 1e-9);
            expect(offset + ratio).toBeLessThan(1);
            if (w === 640) {
              total++;
              if (p.difficulty !== 'normal') hard++;
            }
          }
        }
      }
    }
    expect(Math.min(...radii['640x480']!)).toBeGreaterThanOrEqual(95);
    expect(Math.max(...radii['640x480']!)).toBeLessThanOrEqual(125);
    expect(Math.min(...radii['320x280']!)).toBeGreaterThanOrEqual(80);
    expect(Math.max(...radii['320x280']!)).toBeLessThanOrEqual(105);
    expect(hard / total).toBeGreaterThan(0.02);
    expect(hard / total).toBeLessThan(0.14);
  });

  it('scales the iris with the frame and keeps it at least 40 px where it fits', () => {
    expect(baseIrisRadius(640, 480)).toBeCloseTo(110, 6);
    expect(baseIrisRadius(1280, 960)).toBeCloseTo(220, 6);
    expect(baseIrisRadius(320, 280)).toBeGreaterThan(88);
    expect(baseIrisRadius(160, 120)).toBeGreaterThanOrEqual(40);
    expect(baseIrisRadius(64, 64)).toBeLessThan(32);
  });
});
