import { describe, it, expect } from 'vitest';
import { sortScores } from './sorted-scores.js';
import { detCurve, histogram, scoreHistograms } from './curves.js';
import { syntheticScores } from './synthetic-scores.js';

describe('detCurve', () => {
  const s = sortScores(syntheticScores({ subjects: 120, capturesPerEye: 3, genuineSd: 0.06, impostorMean: 0.42, impostorSd: 0.03 }));

  it('downsamples to at most 500 monotone points spanning the observed thresholds', () => {
    expect(s.thresholds.length).toBeGreaterThan(500);
    const pts = detCurve(s);
    expect(pts.length).toBeLessThanOrEqual(500);
    expect(pts.length).toBeGreaterThan(300);
    expect(pts[0]!.threshold).toBe(s.thresholds[0]);
    expect(pts.at(-1)).toEqual({ threshold: s.thresholds.at(-1), fmr: 1, fnmr: 0 });
    for (let k = 1; k < pts.length; k++) {
      expect(pts[k]!.threshold).toBeGreaterThan(pts[k - 1]!.threshold);
      expect(pts[k]!.fmr).toBeGreaterThanOrEqual(pts[k - 1]!.fmr);
      expect(pts[k]!.fnmr).toBeLessThanOrEqual(pts[k - 1]!.fnmr);
    }
  });

  it('keeps every point of a short curve', () => {
    expect(detCurve(s, 10_000_000).length).toBe(s.thresholds.length);
  });
});

describe('histogram', () => {
  it('bins over [0, 1] as densities, counting out-of-range values apart', () => {
    const h = histogram([0, 0.05, 0.1, 0.999, 1, 1.2, -0.1], { bins: 10 });
    expect(h.counts).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(h.below).toBe(1);
    expect(h.above).toBe(1);
    expect(h.edges).toHaveLength(11);
    expect(h.density[0]).toBeCloseTo(2 / (7 * 0.1), 12);
  });

  it('integrates to one for scores inside the range', () => {
    const s = sortScores(syntheticScores({ subjects: 30 }));
    const { genuine, impostor } = scoreHistograms(s);
    for (const h of [genuine, impostor]) {
      expect(h.counts).toHaveLength(100);
      expect(h.density.reduce((a, d) => a + d * h.binWidth, 0)).toBeCloseTo(1, 9);
    }
  });
});
