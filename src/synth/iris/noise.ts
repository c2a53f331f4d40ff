/**
 * Seeded noise primitives for the iris generator: smoothed random fields on grids (optionally
 * periodic in columns, for polar textures), smooth value noise over an image, and fast Gaussian
 * deviates for sensor noise.
 */
import { Rng } from '../../lib/rng.js';

/** Box radius whose three passes approximate a Gaussian of the given sigma. */
function boxRadius(sigma: number): number {
  return Math.max(0, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
}

/**
 * One running-sum box filter over a strided line; wraps or replicates the ends. `pad` is scratch
 * space of at least n + 2r + 1 values.
 */
function boxLine(src: Float32Array, dst: Float32Array, start: number, stride: number, n: number, r: number, wrap: boolean, pad: Float32Array): void {
  for (let k = -r; k <= n + r; k++) {
    const kk = k < 0 ? (wrap ? k + n : 0) : k >= n ? (wrap ? k - n : n - 1) : k; // r < n
    pad[k + r] = src[start + kk * stride]!;
  }
  const inv = 1 / (2 * r + 1);
  let sum = 0;
  for (let k = 0; k <= 2 * r; k++) sum += pad[k]!;
  for (let k = 0; k < n; k++) {
    dst[start + k * stride] = sum * inv;
    sum += pad[k + 2 * r + 1]! - pad[k]!;
  }
}

/**
 * Box filter across rows (edges replicated) from `src` into `dst`, with whole-row running sums
 * so that memory is read in order.
 */
function boxRows(src: Float32Array, dst: Float32Array, rows: number, cols: number, r: number): void {
  const inv = 1 / (2 * r + 1);
  const row = (i: number): number => (i < 0 ? 0 : i >= rows ? rows - 1 : i) * cols;
  const acc = new Float64Array(cols);
  for (let k = -r; k <= r; k++) {
    const o = row(k);
    for (let j = 0; j < cols; j++) acc[j]! += src[o + j]!;
  }
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    const add = row(i + r + 1);
    const sub = row(i - r);
    for (let j = 0; j < cols; j++) {
      const a = acc[j]!;
      dst[o + j] = a * inv;
      acc[j] = a + src[add + j]! - src[sub + j]!;
    }
  }
}

/**
 * Smooths a rows x cols grid in place with an approximate Gaussian (three box passes per axis).
 * Columns wrap when `wrapCols` is set (theta in a polar texture); rows replicate their edges.
 */
export function smoothGrid(grid: Float32Array, rows: number, cols: number, sigmaRows: number, sigmaCols: number, wrapCols: boolean): void {
  const tmp = new Float32Array(grid.length);
  const rc = Math.min(cols - 1, boxRadius(sigmaCols));
  const rr = Math.min(rows - 1, boxRadius(sigmaRows));
  const pad = new Float32Array(Math.max(rows + 2 * rr, cols + 2 * rc) + 2);
  for (let pass = 0; pass < 3; pass++) {
    if (rc > 0) {
      for (let i = 0; i < rows; i++) boxLine(grid, tmp, i * cols, 1, cols, rc, wrapCols, pad);
      grid.set(tmp);
    }
    if (rr > 0) {
      boxRows(grid, tmp, rows, cols, rr);
      grid.set(tmp);
    }
  }
}

/** Shifts and scales a field in place to mean 0 and standard deviation 1. */
export function standardise(grid: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < grid.length; i++) sum += grid[i]!;
  const mean = sum / grid.length;
  let sq = 0;
  for (let i = 0; i < grid.length; i++) sq += (grid[i]! - mean) ** 2;
  const inv = 1 / Math.sqrt(sq / grid.length || 1);
  for (let i = 0; i < grid.length; i++) grid[i] = (grid[i]! - mean) * inv;
  return grid;
}

/**
 * White noise smoothed with different scales along rows and columns, standardised to unit
 * variance: radially stretched fields give fibres, round ones give blobs. Smooth fields are
 * made on a coarser grid and interpolated up, which looks the same and costs far less.
 */
export function filteredNoise(rng: Rng, rows: number, cols: number, sigmaRows: number, sigmaCols: number, wrapCols = true): Float32Array {
  let f = 1;
  while (f < 4 && Math.min(sigmaRows, sigmaCols) / (2 * f) >= 1.6 && rows % (2 * f) === 0 && cols % (2 * f) === 0) f *= 2;
  const cr = rows / f;
  const cc = cols / f;
  const coarse = fillUniform(rng, new Float32Array(cr * cc), -0.5, 0.5);
  smoothGrid(coarse, cr, cc, sigmaRows / f, sigmaCols / f, wrapCols);
  return standardise(f === 1 ? coarse : upsample(coarse, cr, cc, f, wrapCols));
}

/** Bilinear upsampling of a grid by an integer factor (cell centres aligned; columns may wrap). */
function upsample(src: Float32Array, rows: number, cols: number, f: number, wrapCols: boolean): Float32Array {
  const R = rows * f;
  const C = cols * f;
  const out = new Float32Array(R * C);
  const j0s = new Int32Array(C);
  const j1s = new Int32Array(C);
  const tjs = new Float32Array(C);
  for (let j = 0; j < C; j++) {
    const s = (j + 0.5) / f - 0.5;
    let j0 = Math.floor(s);
    const t = s - j0;
    let j1 = j0 + 1;
    if (wrapCols) {
      j0 = (j0 + cols) % cols;
      j1 = j1 % cols;
    } else {
      j0 = Math.max(0, j0);
      j1 = Math.min(cols - 1, j1);
    }
    j0s[j] = j0;
    j1s[j] = j1;
    tjs[j] = t;
  }
  for (let i = 0; i < R; i++) {
    const s = Math.min(rows - 1, Math.max(0, (i + 0.5) / f - 0.5));
    const i0 = Math.min(rows - 2, Math.floor(s));
    const ti = s - i0;
    const a = i0 * cols;
    const b = a + cols;
    for (let j = 0; j < C; j++) {
      const top = src[a + j0s[j]!]! + (src[a + j1s[j]!]! - src[a + j0s[j]!]!) * tjs[j]!;
      const bottom = src[b + j0s[j]!]! + (src[b + j1s[j]!]! - src[b + j0s[j]!]!) * tjs[j]!;
      out[i * C + j] = top + (bottom - top) * ti;
    }
  }
  return out;
}

/** Smooth value noise over an image: random values on a coarse lattice, smoothstep-interpolated. */
export class ValueNoise {
  private readonly lattice: Float32Array;
  private readonly lw: number;
  private readonly inv: number;
  private readonly colIndex: Int32Array;
  private readonly colWeight: Float32Array;
  private readonly rowVals: Float32Array;

  constructor(rng: Rng, width: number, height: number, cell: number) {
    this.lw = Math.ceil(width / cell) + 2;
    const lh = Math.ceil(height / cell) + 2;
    this.inv = 1 / cell;
    this.lattice = new Float32Array(this.lw * lh);
    for (let i = 0; i < this.lattice.length; i++) this.lattice[i] = rng.next() * 2 - 1;
    this.rowVals = new Float32Array(this.lw);
    this.colIndex = new Int32Array(width);
    this.colWeight = new Float32Array(width);
    for (let x = 0; x < width; x++) {
      const fx = x * this.inv;
      const ix = Math.floor(fx);
      const t = fx - ix;
      this.colIndex[x] = ix;
      this.colWeight[x] = t * t * (3 - 2 * t);
    }
  }

  /** Adds `amp` times the noise (in [-1, 1]) along image row y to out[0..width). */
  addRow(y: number, out: Float32Array, amp: number): void {
    const fy = y * this.inv;
    const iy = Math.floor(fy);
    let ty = fy - iy;
    ty = ty * ty * (3 - 2 * ty);
    const l = this.lattice;
    const r0 = iy * this.lw;
    const r1 = r0 + this.lw;
    // Interpolate the two lattice rows once, then only along x per pixel.
    const rowVals = this.rowVals;
    for (let i = 0; i < this.lw; i++) rowVals[i] = amp * (l[r0 + i]! + (l[r1 + i]! - l[r0 + i]!) * ty);
    const colIndex = this.colIndex;
    const colWeight = this.colWeight;
    for (let x = 0; x < out.length; x++) {
      const ix = colIndex[x]!;
      const a = rowVals[ix]!;
      out[x]! += a + (rowVals[ix + 1]! - a) * colWeight[x]!;
    }
  }
}

const NORMAL_TABLE_BITS = 16;
let normalCache: Float32Array | null = null;

/** A fixed table of 65,536 standard normal deviates, indexed by random 16-bit numbers. */
function normals(): Float32Array {
  if (normalCache) return normalCache;
  const rng = new Rng('irisk/iris/normal-table');
  const table = new Float32Array(1 << NORMAL_TABLE_BITS);
  for (let i = 0; i < table.length; i++) table[i] = rng.normal();
  normalCache = table;
  return table;
}

/**
 * Fills `out` with uniforms in [lo, hi) from a xorshift32 stream seeded by `rng`. Drawing each
 * value from Rng itself is far slower, which matters for whole grids and images.
 */
export function fillUniform(rng: Rng, out: Float32Array, lo = 0, hi = 1): Float32Array {
  let s = rng.uint32() | 1;
  const scale = (hi - lo) / 4294967296;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + (s >>> 0) * scale;
  }
  return out;
}

/**
 * A reusable scratch buffer per name: rendering is synchronous, so one buffer per purpose
 * avoids allocating (and collecting) megabytes per image. Contents are undefined unless `zero`
 * (a fresh buffer is always zeroed).
 */
const scratchPool = new Map<string, Float32Array>();
const SCRATCH_MAX = 1 << 22;
export function scratch(name: string, length: number, zero = false): Float32Array {
  if (length > SCRATCH_MAX) return new Float32Array(length); // do not pin huge buffers
  let buf = scratchPool.get(name);
  if (!buf || buf.length !== length) {
    buf = new Float32Array(length);
    scratchPool.set(name, buf);
    return buf;
  }
  if (zero) buf.fill(0);
  return buf;
}

/** The shared table of standard normal deviates, indexed by 16-bit random numbers. */
export function normalTable(): Float32Array {
  return normals();
}

/** A cheap bell: (1 - t^2)^2 for |t| < 1, else 0 (about exp(-2 t^2) near the centre). */
export function bump(t: number): number {
  if (t <= -1 || t >= 1) return 0;
  const u = 1 - t * t;
  return u * u;
}

/** A cheap exponential decay for t >= 0: (1 - t/4)^4, about exp(-t), reaching 0 at t = 4. */
export function decay(t: number): number {
  if (t >= 4) return 0;
  if (t <= 0) return 1;
  const u = 1 - t / 4;
  const u2 = u * u;
  return u2 * u2;
}

/** Hermite smoothstep of x between edges e0 < e1. */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = x <= e0 ? 0 : x >= e1 ? 1 : (x - e0) / (e1 - e0);
  return t * t * (3 - 2 * t);
}

/** Clamps x into [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
