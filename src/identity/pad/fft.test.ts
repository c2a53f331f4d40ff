import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { autocorrelationPair, fft, powerSpectrum2d, powerSpectrumPair } from './fft.js';

/** Naive DFT, the oracle. */
function dft(re: number[], im: number[], inverse = false): [number[], number[]] {
  const n = re.length;
  const sign = inverse ? 1 : -1;
  const or: number[] = [];
  const oi: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * j * k) / n;
      sr += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      si += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
    or.push(sr);
    oi.push(si);
  }
  return [or, oi];
}

describe('fft', () => {
  it('matches the naive DFT, forward and inverse, at several lengths', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 4, 8, 64]) {
      const re = Array.from({ length: n }, () => rng.next() - 0.5);
      const im = Array.from({ length: n }, () => rng.next() - 0.5);
      for (const inverse of [false, true]) {
        const [er, ei] = dft(re, im, inverse);
        const ar = Float64Array.from(re);
        const ai = Float64Array.from(im);
        fft(ar, ai, n, 0, 1, inverse);
        for (let k = 0; k < n; k++) {
          expect(ar[k]).toBeCloseTo(er[k]!, 9);
          expect(ai[k]).toBeCloseTo(ei[k]!, 9);
        }
      }
    }
  });

  it('transforms strided sequences in place (a column of a 2-D array)', () => {
    const n = 8;
    const re = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const im = new Float64Array(n * n);
    const col = Array.from({ length: n }, (_, y) => re[y * n + 3]!);
    fft(re, im, n, 3, n);
    const [er] = dft(col, new Array(n).fill(0));
    for (let k = 0; k < n; k++) expect(re[k * n + 3]).toBeCloseTo(er[k]!, 9);
  });

  it('rejects lengths that are not powers of two', () => {
    expect(() => fft(new Float64Array(6), new Float64Array(6), 6)).toThrow(/power of two/);
  });

  it('powerSpectrum2d equals the naive 2-D power spectrum, zero frequency centred', () => {
    const n = 8;
    const rng = new Rng(2);
    const block = Float64Array.from({ length: n * n }, () => rng.next());
    const p = powerSpectrum2d(block, n);
    for (let v = 0; v < n; v++) {
      for (let u = 0; u < n; u++) {
        let sr = 0;
        let si = 0;
        for (let y = 0; y < n; y++) {
          for (let x = 0; x < n; x++) {
            const a = (-2 * Math.PI * (u * x + v * y)) / n;
            sr += block[y * n + x]! * Math.cos(a);
            si += block[y * n + x]! * Math.sin(a);
          }
        }
        const cu = (u + n / 2) % n;
        const cv = (v + n / 2) % n;
        expect(p[cv * n + cu]).toBeCloseTo(sr * sr + si * si, 8);
      }
    }
  });

  it('pairs of real sequences: power spectra and normalised autocorrelations', () => {
    const n = 16;
    const rng = new Rng(3);
    const a = Float64Array.from({ length: n }, () => rng.next() - 0.5);
    const b = Float64Array.from({ length: n }, () => rng.next() - 0.5);
    const [pa, pb] = powerSpectrumPair(a, b);
    for (const [x, p] of [[a, pa], [b, pb]] as const) {
      const [er, ei] = dft(Array.from(x), new Array(n).fill(0));
      for (let k = 0; k < n; k++) expect(p[k]).toBeCloseTo(er[k]! ** 2 + ei[k]! ** 2, 9);
    }
    const [ca, cb] = autocorrelationPair(pa, pb);
    for (const [x, c] of [[a, ca], [b, cb]] as const) {
      const lag = (l: number): number => x.reduce((s, v, j) => s + v * x[(j + l) % n]!, 0);
      for (let l = 0; l < n; l++) expect(c[l]).toBeCloseTo(lag(l) / lag(0), 9);
    }
    const [zero] = autocorrelationPair(new Float64Array(n), pb);
    expect(Array.from(zero)).toEqual(new Array(n).fill(0));
  });
});
