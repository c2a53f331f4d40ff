/**
 * Synthetic iris templates at scale, without images: for benchmarks of 1:N search over a million
 * templates and more. Each template is a function of (seed, index) alone, so any slice can be made
 * on any core in any order.
 *
 * - **Code**: per code row and filter, two smooth random signals around the circle (real and
 *   imaginary), whose signs are the bits. Neighbouring columns are correlated as a Gabor filter's
 *   outputs are, which gives impostor distances the spread of real codes (a few hundred degrees of
 *   freedom) instead of the far narrower spread of independent bits.
 * - **Mask**: eyelid arcs over the outer rows at the top and bottom of the circle, a few specular
 *   reflections, and scattered fragile bits, drawn per template.
 * - **Genuine variants**: the template rotated by a known number of columns, each unmasked bit
 *   flipped with a known probability, and a fresh mask: the masked fractional Hamming distance to
 *   the original at that rotation is close to the flip rate.
 */
import { hashString, Rng } from '../../lib/rng.js';
import { bitIndex, DEFAULT_SHAPE, TEMPLATE_VERSION, templateBits, type IrisTemplate, type TemplateShape } from '../../identity/iris/template.js';

/** How templates are drawn. */
export interface SyntheticTemplateOptions {
  readonly seed: number;
  readonly shape?: TemplateShape;
  /** Correlation length of the code signals along the circle, in columns (default 16). */
  readonly smoothing?: number;
  /** Probability that an unoccluded bit is masked as fragile (default 0.08). */
  readonly fragileRate?: number;
}

/** A genuine variant's parameters. */
export interface GenuineVariantOptions {
  /** Probability of flipping each bit (default 0.1). */
  readonly flipRate?: number;
  /** Rotation in columns: variant column c holds the original's column c - rotation. */
  readonly rotation?: number;
}

const DEFAULT_SMOOTHING = 16;
/** Correlation length of the code signals along the radius, in code rows. */
const ROW_SMOOTHING = 8;
const DEFAULT_FRAGILE = 0.08;

/** Template `index` of the world `options.seed` (deterministic, independent of every other index). */
export function syntheticTemplate(index: number, options: SyntheticTemplateOptions): IrisTemplate {
  const shape = options.shape ?? DEFAULT_SHAPE;
  // One 32-bit seed per index, distinct for every index of a world (a hash of the index could
  // collide: a million templates would then hold identical pairs, false duplicates in a gallery).
  const rng = new Rng((hashString(`templates:${options.seed}`) + index) >>> 0);
  const code = new Uint8Array(templateBits(shape));
  const smoothing = options.smoothing ?? DEFAULT_SMOOTHING;
  for (let f = 0; f < shape.filters; f++) {
    for (let part = 0; part < 2; part++) {
      const field = smoothField(rng, shape.rows, shape.cols, smoothing, ROW_SMOOTHING);
      // Bit (r, c, f, part) sits at ((r cols + c) filters + f) 2 + part (bitIndex): a stride of 2 filters per sample.
      const stride = 2 * shape.filters;
      for (let i = 0, at = bitIndex(shape, 0, 0, f, part); i < field.length; i++, at += stride) code[at] = field[i]! > 0 ? 1 : 0;
    }
  }
  return { ...shape, code, mask: syntheticMask(rng.fork('mask'), shape, options.fragileRate ?? DEFAULT_FRAGILE), version: TEMPLATE_VERSION };
}

/** A genuine variant of a template (`key` names it, e.g. "seed:index:k"): rotated, bits flipped at the given rate, a fresh mask. */
export function genuineVariant(base: IrisTemplate, key: string, options: GenuineVariantOptions = {}, fragileRate = DEFAULT_FRAGILE): IrisTemplate {
  const rng = new Rng(`genuine:${key}`);
  const flip = options.flipRate ?? 0.1;
  const rotation = options.rotation ?? 0;
  const cell = base.filters * 2;
  const code = new Uint8Array(base.code.length);
  for (let r = 0; r < base.rows; r++) {
    for (let c = 0; c < base.cols; c++) {
      const from = (r * base.cols + ((((c - rotation) % base.cols) + base.cols) % base.cols)) * cell;
      const to = (r * base.cols + c) * cell;
      for (let b = 0; b < cell; b++) code[to + b] = base.code[from + b]! ^ (rng.next() < flip ? 1 : 0);
    }
  }
  return { rows: base.rows, cols: base.cols, filters: base.filters, code, mask: syntheticMask(rng.fork('mask'), base, fragileRate), version: base.version };
}

/**
 * A zero-mean random field of rows x cols: uniform white noise smoothed with a triangular kernel
 * 2h + 1 columns wide around the circle (h = round(colWidth / 2); two running box sums of h + 1,
 * one looking back and one looking ahead) and a triangular kernel about `rowWidth` rows wide along
 * the radius (edges clamped). Only the signs are used, and over hundreds of summed samples they
 * behave as a Gaussian field's would.
 */
function smoothField(rng: Rng, rows: number, cols: number, colWidth: number, rowWidth: number): Float64Array {
  const hc = Math.max(1, Math.round(colWidth / 2));
  const along = new Float64Array(rows * cols);
  const white = new Float64Array(cols);
  const back = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) white[c] = rng.next() - 0.5;
    boxSum(white, back, hc, -1);
    const row = along.subarray(r * cols, (r + 1) * cols);
    boxSum(back, row, hc, 1);
  }
  const out = new Float64Array(rows * cols);
  const hr = Math.max(0, Math.round(rowWidth / 2));
  const taps = 2 * hr + 1;
  const from = new Int32Array(taps);
  const weight = new Float64Array(taps);
  for (let k = 0; k < taps; k++) weight[k] = hr + 1 - Math.abs(k - hr);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < taps; k++) from[k] = Math.min(rows - 1, Math.max(0, r + k - hr)) * cols;
    const o = r * cols;
    // Each sample sums its terms in order of d, from 0 (as a pass per d would), four columns at a
    // time so that the four chains of additions overlap.
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      let v0 = 0;
      let v1 = 0;
      let v2 = 0;
      let v3 = 0;
      for (let k = 0; k < taps; k++) {
        const w = weight[k]!;
        const a = from[k]! + c;
        v0 += w * along[a]!;
        v1 += w * along[a + 1]!;
        v2 += w * along[a + 2]!;
        v3 += w * along[a + 3]!;
      }
      out[o + c] = v0;
      out[o + c + 1] = v1;
      out[o + c + 2] = v2;
      out[o + c + 3] = v3;
    }
    for (; c < cols; c++) {
      let v = 0;
      for (let k = 0; k < taps; k++) v += weight[k]! * along[from[k]! + c]!;
      out[o + c] = v;
    }
  }
  return out;
}

/** Circular running sum of h + 1 samples: x[i - h .. i] (dir -1) or x[i .. i + h] (dir 1). */
function boxSum(x: Float64Array, out: Float64Array, h: number, dir: -1 | 1): void {
  const n = x.length;
  const wrap = (i: number): number => (i >= n ? i - n : i < 0 ? i + n : i);
  let s = 0;
  for (let d = 0; d <= h; d++) s += x[(((dir * d) % n) + n) % n]!;
  if (dir === 1) {
    // Slide the window by one: add the sample entering, drop the one leaving.
    for (let i = 0; i < n; i++) {
      out[i] = s;
      s += x[wrap(i + h + 1)]! - x[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      out[i] = s;
      s += x[wrap(i + 1)]! - x[wrap(i - h)]!;
    }
  }
}

/**
 * A mask: 1 = usable bit. Upper eyelid: an arc around the top of the circle (columns near 3/4 of
 * the way round, as the rubber sheet starts at the right and runs counter-clockwise in image
 * coordinates) over the outer rows, deepest at its middle; lower eyelid the same at the bottom,
 * shallower; 0-3 reflections of a few rows and columns; fragile bits at random.
 */
function syntheticMask(rng: Rng, shape: TemplateShape, fragileRate: number): Uint8Array {
  const { rows, cols, filters } = shape;
  const cell = filters * 2;
  const occluded = new Uint8Array(rows * cols);
  const lid = (centre: number, halfWidth: number, depth: number): void => {
    for (let d = -halfWidth; d <= halfWidth; d++) {
      const c = (((centre + d) % cols) + cols) % cols;
      const covered = Math.round(depth * (1 - (d / (halfWidth + 1)) ** 2));
      for (let r = rows - covered; r < rows; r++) occluded[r * cols + c] = 1;
    }
  };
  if (rng.chance(0.85)) lid(Math.round(0.75 * cols + rng.uniform(-8, 8)), rng.int(Math.round(cols / 10), Math.round(cols / 4)), rng.uniform(0.2, 0.7) * rows);
  if (rng.chance(0.6)) lid(Math.round(0.25 * cols + rng.uniform(-8, 8)), rng.int(Math.round(cols / 16), Math.round(cols / 6)), rng.uniform(0.1, 0.4) * rows);
  for (let k = rng.int(0, 3); k > 0; k--) {
    const r0 = rng.int(0, rows - 2);
    const c0 = rng.int(0, cols - 1);
    const h = rng.int(1, 3);
    const w = rng.int(2, 8);
    for (let r = r0; r < Math.min(rows, r0 + h); r++) for (let c = c0; c < c0 + w; c++) occluded[r * cols + (c % cols)] = 1;
  }
  const mask = new Uint8Array(rows * cols * cell);
  for (let p = 0; p < rows * cols; p++) {
    if (occluded[p]) continue;
    for (let b = 0; b < cell; b++) mask[p * cell + b] = rng.next() < fragileRate ? 0 : 1;
  }
  return mask;
}
