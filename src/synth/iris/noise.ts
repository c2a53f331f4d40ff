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

/** One running-sum box filter over a strided line; wraps or replicates the ends. */
function boxLine(src: Float32Array, dst: Float32Array, start: number, stride: number, n: number, r: number, wrap: boolean): void {
  const at = (k: number): number => {
    if (wrap) k = ((k % n) + n) % n;
    else k = k < 0 ? 0 : k >= n ? n - 1 : k;
    return src[start + k * stride]!;
  };
  const inv = 1 / (2 * r + 1);
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += at(k);
  for (let k = 0; k < n; k++) {
    dst[start + k * stride] = sum * inv;
    sum += at(k + r + 1) - at(k - r);
  }
}

/**
 * Smooths a rows x cols grid in place with an approximate Gaussian (three box passes per axis).
 * Columns wrap when `wrapCols` is set (theta in a polar texture); rows replicate their edges.
 */
export function smoothGrid(grid: Float32Array, rows: number, cols: number, sigmaRows: number, sigmaCols: number, wrapCols: boolean): void {
  const tmp = new Float32Array(grid.length);
  const rc = boxRadius(sigmaCols);
  const rr = boxRadius(sigmaRows);
  for (let pass = 0; pass < 3; pass++) {
    if (rc > 0) {
      for (let i = 0; i < rows; i++) boxLine(grid, tmp, i * cols, 1, cols, rc, wrapCols);
      grid.set(tmp);
    }
    if (rr > 0) {
      for (let j = 0; j < cols; j++) boxLine(grid, tmp, j, cols, rows, rr, false);
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
 * variance: radially stretched fields give fibres, round ones give blobs.
 */
export function filteredNoise(rng: Rng, rows: number, cols: number, sigmaRows: number, sigmaCols: number, wrapCols = true): Float32Array {
  const grid = new Float32Array(rows * cols);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() - 0.5;
  smoothGrid(grid, rows, cols, sigmaRows, sigmaCols, wrapCols);
  return standardise(grid);
}

/** Smooth value noise over an image: random values on a coarse lattice, smoothstep-interpolated. */
export class ValueNoise {
  private readonly lattice: Float32Array;
  private readonly lw: number;
  private readonly inv: number;

  constructor(rng: Rng, width: number, height: number, cell: number) {
    this.lw = Math.ceil(width / cell) + 2;
    const lh = Math.ceil(height / cell) + 2;
    this.inv = 1 / cell;
    this.lattice = new Float32Array(this.lw * lh);
    for (let i = 0; i < this.lattice.length; i++) this.lattice[i] = rng.next() * 2 - 1;
  }

  /** Noise in [-1, 1] at image point (x, y), for x, y >= 0. */
  at(x: number, y: number): number {
    const fx = x * this.inv;
    const fy = y * this.inv;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    let tx = fx - ix;
    let ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const k = iy * this.lw + ix;
    const l = this.lattice;
    const top = l[k]! + (l[k + 1]! - l[k]!) * tx;
    const bottom = l[k + this.lw]! + (l[k + this.lw + 1]! - l[k + this.lw]!) * tx;
    return top + (bottom - top) * ty;
  }
}

const NORMAL_TABLE_BITS = 16;
let normalTable: Float32Array | null = null;

/** A fixed table of 65,536 standard normal deviates, indexed by random 16-bit numbers. */
function normals(): Float32Array {
  if (normalTable) return normalTable;
  const rng = new Rng('irisk/iris/normal-table');
  const table = new Float32Array(1 << NORMAL_TABLE_BITS);
  for (let i = 0; i < table.length; i++) table[i] = rng.normal();
  normalTable = table;
  return table;
}

/** Fills `out` with approximately standard normal deviates (two per 32-bit draw; fast). */
export function fillNormal(rng: Rng, out: Float32Array): Float32Array {
  const table = normals();
  const mask = (1 << NORMAL_TABLE_BITS) - 1;
  for (let i = 0; i < out.length; i += 2) {
    const u = rng.uint32();
    out[i] = table[u & mask]!;
    if (i + 1 < out.length) out[i + 1] = table[u >>> NORMAL_TABLE_BITS]!;
  }
  return out;
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
