/**
 * A small radix-2 complex FFT for the spectral PAD features: 1-D in place, and 2-D power spectra
 * of square power-of-two blocks (a 128x128 spectrum costs well under a millisecond).
 */
import { IriskError } from '../../lib/errors.js';

/** Bit-reversal permutations and twiddle factors for one transform length, computed once. */
interface FftPlan {
  readonly n: number;
  readonly rev: Uint32Array;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

const plans = new Map<number, FftPlan>();

/** True when n is a power of two (1, 2, 4, ...). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The plan for length n (cached). */
function planFor(n: number): FftPlan {
  let plan = plans.get(n);
  if (plan) return plan;
  if (!isPowerOfTwo(n)) throw new IriskError('INTERNAL', `FFT length must be a power of two, got ${n}`, { n });
  const bits = Math.round(Math.log2(n));
  const rev = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  plan = { n, rev, cos, sin };
  plans.set(n, plan);
  return plan;
}

/**
 * In-place forward DFT X[k] = sum_j x[j] e^{-2 pi i jk/n} of the n values starting at `offset`
 * with `stride` (so rows and columns of a 2-D array transform without copying). n must be a
 * power of two; `inverse` flips the sign of the exponent (no 1/n scaling).
 */
export function fft(re: Float64Array, im: Float64Array, n: number, offset = 0, stride = 1, inverse = false): void {
  const { rev, cos, sin } = planFor(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i]!;
    if (j > i) {
      const a = offset + i * stride;
      const b = offset + j * stride;
      const tr = re[a]!;
      re[a] = re[b]!;
      re[b] = tr;
      const ti = im[a]!;
      im[a] = im[b]!;
      im[b] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    const hs = half * stride;
    const ss = size * stride;
    // Twiddle outer, blocks inner: each factor is loaded once per stage.
    for (let k = 0; k < half; k++) {
      const wr = cos[k * step]!;
      const wi = sign * sin[k * step]!;
      for (let a = offset + k * stride, end = offset + n * stride; a < end; a += ss) {
        const b = a + hs;
        const br = re[b]!;
        const bi = im[b]!;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        const ar = re[a]!;
        const ai = im[a]!;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

/**
 * Power spectrum |F(u, v)|^2 of a real n x n block (row-major, n a power of two), with the zero
 * frequency moved to the centre: out[(v + n/2) * n + (u + n/2)] for u, v in [-n/2, n/2).
 * Real input halves the work: rows are transformed in pairs packed as one complex row, and only
 * the columns u = 0..n/2 are transformed (the others mirror them: P(u, v) = P(-u, -v)).
 */
export function powerSpectrum2d(block: Float64Array, n: number): Float64Array {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const zr = new Float64Array(n);
  const zi = new Float64Array(n);
  for (let y = 0; y < n; y += 2) {
    const a = y * n;
    const b = a + n;
    zr.set(block.subarray(a, a + n));
    zi.set(block.subarray(b, b + n));
    fft(zr, zi, n);
    unpackRealPair(zr, zi, n, (n >> 1) + 1, re, im, a, b);
  }
  const h = n >> 1;
  const out = new Float64Array(n * n);
  for (let u = 0; u <= h; u++) {
    fft(re, im, n, u, n);
    for (let v = 0; v < n; v++) {
      const i = v * n + u;
      const p = re[i]! * re[i]! + im[i]! * im[i]!;
      const sv = (v + h) & (n - 1);
      out[sv * n + ((u + h) & (n - 1))] = p;
      // The mirror bin (-u, -v).
      out[((n - sv) & (n - 1)) * n + ((n - u + h) & (n - 1))] = p;
    }
  }
  return out;
}

/**
 * Splits Z = FFT(a + i b) of two real sequences a, b into their own transforms for k < count:
 * A[k] = (Z[k] + conj Z[-k]) / 2 goes to (re, im) at offset oa + k, B[k] = (Z[k] - conj Z[-k]) / 2i
 * at offset ob + k.
 */
function unpackRealPair(zr: Float64Array, zi: Float64Array, n: number, count: number, re: Float64Array, im: Float64Array, oa: number, ob: number): void {
  for (let k = 0; k < count; k++) {
    const m = (n - k) & (n - 1);
    const pr = zr[k]!;
    const pi = zi[k]!;
    const qr = zr[m]!;
    const qi = zi[m]!;
    re[oa + k] = (pr + qr) / 2;
    im[oa + k] = (pi - qi) / 2;
    re[ob + k] = (pi + qi) / 2;
    im[ob + k] = (qr - pr) / 2;
  }
}

/**
 * Power spectra |X[k]|^2 (k = 0..n-1, not shifted) of two real sequences of the same
 * power-of-two length n, with one complex FFT.
 */
export function powerSpectrumPair(a: Float64Array, b: Float64Array): [Float64Array, Float64Array] {
  const n = a.length;
  const zr = Float64Array.from(a);
  const zi = Float64Array.from(b);
  fft(zr, zi, n);
  const re = new Float64Array(2 * n);
  const im = new Float64Array(2 * n);
  unpackRealPair(zr, zi, n, n, re, im, 0, n);
  const pa = new Float64Array(n);
  const pb = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    pa[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    pb[k] = re[n + k]! * re[n + k]! + im[n + k]! * im[n + k]!;
  }
  return [pa, pb];
}

/**
 * Circular autocorrelations of two sequences from their power spectra (Wiener-Khinchin) with one
 * inverse FFT (both are real, so they travel as one complex sequence), each normalised so that
 * lag 0 is 1; all zeros for a sequence without energy.
 */
export function autocorrelationPair(pa: Float64Array, pb: Float64Array): [Float64Array, Float64Array] {
  const n = pa.length;
  const re = Float64Array.from(pa);
  const im = Float64Array.from(pb);
  fft(re, im, n, 0, 1, true);
  const norm = (x: Float64Array): Float64Array => {
    const zero = x[0]!;
    if (!(zero > 0)) return x.fill(0);
    for (let k = 0; k < n; k++) x[k] = x[k]! / zero;
    return x;
  };
  return [norm(re), norm(im)];
}
