/**
 * Uniform rotation-invariant local binary patterns (LBP riu2, Ojala et al. 2002) with P = 8
 * neighbours on a circle of radius 1 or 2: micro-texture histograms that separate living tissue
 * from paper, screens, printed lenses and synthetic eyes.
 */
import type { FloatImage } from '../../lib/imageops.js';

/** Number of riu2 bins for P = 8: codes with 0..8 ones that are uniform, plus one non-uniform bin. */
export const LBP_BINS = 10;

/** Radii the LBP features use. */
export type LbpRadius = 1 | 2;

/**
 * riu2 label of every 8-bit pattern: the number of set bits when the circular pattern has at
 * most two 0/1 transitions (uniform), else 9.
 */
const RIU2: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    let transitions = 0;
    let ones = 0;
    for (let b = 0; b < 8; b++) {
      const bit = (code >> b) & 1;
      ones += bit;
      if (bit !== ((code >> ((b + 1) % 8)) & 1)) transitions++;
    }
    table[code] = transitions <= 2 ? ones : 9;
  }
  return table;
})();

/** Grey levels by which a neighbour may fall short of the centre and still count as >=. */
const COMPARE_TOLERANCE = 1e-3;

/** The riu2 label of an 8-bit pattern (exported for tests). */
export function riu2Label(code: number): number {
  return RIU2[code & 255]!;
}

/**
 * Normalised riu2 histogram (sums to 1; all zeros when no pixel qualifies) over the listed pixels
 * (indices into the image) whose radius-R circle lies inside the image. Neighbour k sits at angle
 * k * 45 degrees (counter-clockwise from east, y growing downward); the four diagonal ones are
 * bilinearly interpolated. A neighbour counts as 1 when it is >= the centre (within
 * COMPARE_TOLERANCE, so that interpolation round-off on a flat patch does not flip bits).
 */
export function lbpHistogram(img: FloatImage, pixels: Int32Array, radius: LbpRadius, out = new Float64Array(LBP_BINS)): Float64Array {
  const { width: w, height: h, data: d } = img;
  const counts = new Float64Array(LBP_BINS);
  const diag = radius / Math.SQRT2;
  const di = Math.floor(diag);
  const f = diag - di;
  // A diagonal sample at (+/-(di + f), +/-(di + f)) is bilinear over the 2x2 pixels from the
  // integer corner (+/-di, +/-di) outward: weight w00 there, w01 on its two outward neighbours,
  // w11 on the far corner.
  const w00 = (1 - f) * (1 - f);
  const w01 = f * (1 - f);
  const w11 = f * f;
  const r = radius;
  const rw = radius * w;
  const m = radius + 1;
  let n = 0;
  for (let k = 0; k < pixels.length; k++) {
    const i = pixels[k]!;
    const x = i % w;
    const y = (i - x) / w;
    if (x < m || y < m || x >= w - m || y >= h - m) continue;
    const c = d[i]! - COMPARE_TOLERANCE;
    let a = i - di * w + di;
    const ne = w00 * d[a]! + w01 * (d[a + 1]! + d[a - w]!) + w11 * d[a - w + 1]!;
    a = i - di * w - di;
    const nw = w00 * d[a]! + w01 * (d[a - 1]! + d[a - w]!) + w11 * d[a - w - 1]!;
    a = i + di * w - di;
    const sw = w00 * d[a]! + w01 * (d[a - 1]! + d[a + w]!) + w11 * d[a + w - 1]!;
    a = i + di * w + di;
    const se = w00 * d[a]! + w01 * (d[a + 1]! + d[a + w]!) + w11 * d[a + w + 1]!;
    const code =
      (d[i + r]! >= c ? 1 : 0) |
      (ne >= c ? 2 : 0) |
      (d[i - rw]! >= c ? 4 : 0) |
      (nw >= c ? 8 : 0) |
      (d[i - r]! >= c ? 16 : 0) |
      (sw >= c ? 32 : 0) |
      (d[i + rw]! >= c ? 64 : 0) |
      (se >= c ? 128 : 0);
    counts[RIU2[code]!]++;
    n++;
  }
  for (let b = 0; b < LBP_BINS; b++) out[b] = n > 0 ? counts[b]! / n : 0;
  return out;
}
