import { describe, expect, it } from 'vitest';
import { boxBlur } from '../../lib/imageops.js';
import { Rng } from '../../lib/rng.js';
import { hannWindow, spectrumFeatures } from './spectrum.js';

const N = 64;

function block(f: (x: number, y: number) => number): Float64Array {
  return Float64Array.from({ length: N * N }, (_, i) => f(i % N, Math.floor(i / N)));
}

describe('spectrumFeatures', () => {
  const rng = new Rng(9);
  const noise = block(() => rng.next() * 40);

  it('finds a sinusoid in the band of its frequency', () => {
    // Period 4 px along x: 16 bins from the centre = 0.5 Nyquist: the mid band.
    const s = spectrumFeatures([block((x, y) => noise[y * N + x]! + 30 * Math.cos((2 * Math.PI * x) / 4))], N, hannWindow(N));
    const base = spectrumFeatures([noise], N, hannWindow(N));
    expect(s.peakRatio.mid - base.peakRatio.mid).toBeGreaterThan(1.5);
    expect(s.peakRatio.low - base.peakRatio.low).toBeLessThan(0.3);
    expect(s.peaks).toBeGreaterThanOrEqual(1);
    // Period 2.5 px: 0.8 Nyquist, the high band.
    const hi = spectrumFeatures([block((x, y) => noise[y * N + x]! + 30 * Math.cos((2 * Math.PI * y) / 2.5))], N, hannWindow(N));
    expect(hi.peakRatio.high - base.peakRatio.high).toBeGreaterThan(1.5);
  });

  it('measures flatness, high-frequency share and slope', () => {
    const white = spectrumFeatures([noise], N, hannWindow(N));
    const blurred = boxBlur(boxBlur({ width: N, height: N, data: Float32Array.from(noise) }, 2), 2).data;
    const smooth = spectrumFeatures([blurred], N, hannWindow(N));
    expect(white.flatness).toBeGreaterThan(0.4);
    expect(smooth.flatness).toBeLessThan(white.flatness);
    expect(white.hfShare).toBeGreaterThan(0.6);
    expect(smooth.hfShare).toBeLessThan(0.1);
    expect(Math.abs(white.slope)).toBeLessThan(0.5);
    expect(smooth.slope).toBeLessThan(-1);
  });

  it('averages several blocks and ignores their mean level', () => {
    const a = spectrumFeatures([noise], N, hannWindow(N));
    const shifted = spectrumFeatures([noise.map((v) => v + 100)], N, hannWindow(N));
    expect(shifted.flatness).toBeCloseTo(a.flatness, 9);
    const two = spectrumFeatures([noise, noise], N, hannWindow(N));
    expect(two.peakRatio.mid).toBeCloseTo(a.peakRatio.mid, 9);
  });
});
