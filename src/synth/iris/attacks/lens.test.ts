import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/rng.js';
import type { CaptureConfig } from '../capture.js';
import { buildEyeModel } from '../eye.js';
import { parabolaY } from '../geometry.js';
import { renderPresentation } from '../live.js';
import { lensOverlay, lensPattern, type LensParams } from './lens.js';

const config: CaptureConfig = { width: 320, height: 280, pupilRatio: [0.3, 0.3], reflections: 'single', hardFraction: 0, maxRotationDeg: 0 };
const lens: LensParams = {
  product: 1,
  pattern: 'dots',
  period: 0.08,
  coverage: 0.5,
  streakContrast: 0.8,
  streakSeed: 7,
  twist: 0.2,
  opacity: 0.9,
  inkOffset: -50,
  clearZone: 0.5,
  printOuter: 0.95,
  limbalRing: 0,
  grade: 0,
  edgeRadius: 1.25,
  edgeContrast: 20,
  rotationDeg: 30,
  decentreX: 0,
  decentreY: 0,
};

describe('cosmetic lens', () => {
  const model = buildEyeModel(3, 1, 'L');
  const bare = renderPresentation(model, config, new Rng('lens-test'));
  const worn = renderPresentation(model, config, new Rng('lens-test'), { overlay: lensOverlay(lens) });
  const t = bare.truth;
  const ri = t.iris.r;

  /** Pixels at distance [lo, hi) (in pixels) from the iris centre, between the lids, within `maxTilt` of horizontal. */
  function ring(lo: number, hi: number, maxTilt = Math.PI): number[] {
    const out: number[] = [];
    for (let y = 0; y < config.height; y++) {
      for (let x = 0; x < config.width; x++) {
        const d = Math.hypot(x - t.iris.x, y - t.iris.y);
        const tilt = Math.abs(Math.atan2(y - t.iris.y, Math.abs(x - t.iris.x)));
        const open = y > parabolaY(t.upperLid, x) + 3 && y < parabolaY(t.lowerLid, x) - 3;
        if (d >= lo && d < hi && open && tilt < maxTilt) out.push(y * config.width + x);
      }
    }
    return out;
  }
  const diff = (i: number): number => worn.image.data[i]! - bare.image.data[i]!;
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

  it('changes neither the geometry nor the valid-iris mask', () => {
    expect(worn.truth).toEqual(bare.truth);
    expect(Buffer.from(worn.mask.data).equals(Buffer.from(bare.mask.data))).toBe(true);
  });

  it('leaves the clear optical zone and everything beyond the lens edge untouched', () => {
    const clear = ring(0, lens.clearZone * ri - 8);
    const beyond = ring(lens.edgeRadius * ri + 8, 10 * ri);
    expect(clear.length).toBeGreaterThan(100);
    expect(beyond.length).toBeGreaterThan(100);
    expect(Math.max(...clear.map((i) => Math.abs(diff(i))))).toBe(0);
    expect(Math.max(...beyond.map((i) => Math.abs(diff(i))))).toBe(0);
  });

  it('hides part of the stroma under darker pigment in the printed annulus', () => {
    const printed = ring((lens.clearZone + 0.05) * ri, (lens.printOuter - 0.05) * ri);
    const d = printed.map(diff);
    expect(mean(d)).toBeLessThan(-8); // the pigment is darker than the iris
    const covered = d.filter((v) => v < -15).length / d.length;
    expect(covered).toBeGreaterThan(0.2);
    expect(covered).toBeLessThan(0.9); // partly: the real texture shows between the dots
  });

  it('draws its edge as a thin dark ring on the sclera', () => {
    const edge = lens.edgeRadius * ri;
    const onEdge = ring(edge - 1, edge + 1, 0.4);
    const around = ring(edge + 4, edge + 7, 0.4);
    expect(onEdge.length).toBeGreaterThan(10);
    expect(mean(onEdge.map(diff))).toBeLessThan(-5);
    expect(Math.abs(mean(around.map(diff)))).toBeLessThan(1);
  });

  it('lays pigment with the requested coverage', () => {
    for (const pattern of ['dots', 'hex', 'spokes'] as const) {
      const l = { ...lens, pattern, period: pattern === 'spokes' ? 60 : 0.1 };
      let sum = 0;
      let n = 0;
      for (let y = -0.9; y <= 0.9; y += 0.004) {
        for (let x = -0.9; x <= 0.9; x += 0.004) {
          const r = Math.hypot(x, y);
          if (r < 0.5 || r > 0.9) continue;
          sum += lensPattern(l, 0.4, x, y, r, 0.01);
          n++;
        }
      }
      expect(sum / n).toBeGreaterThan(0.3);
      expect(sum / n).toBeLessThan(0.5);
    }
  });
});
