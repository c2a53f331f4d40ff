/**
 * Area sampling of a periodic pattern: a function on the unit cell, tabulated with its summed
 * area so that its mean over any axis-aligned square (even one wider than the cell) costs a few
 * lookups, and box-filtered once per footprint size into a table read bilinearly. A camera
 * sample integrates light over its footprint; point-sampling sub-pixel apertures instead would
 * alias them into spurious moire.
 */

/** A periodic function of period 1 in x and y, with exact box means of its tabulated version. */
export class PeriodicBoxMean {
  private readonly n: number;
  /** Summed area: sat[j * (n + 1) + i] = integral over [0, i/n] x [0, j/n]. */
  private readonly sat: Float64Array;
  /** Mean over one period. */
  readonly mean: number;

  constructor(f: (x: number, y: number) => number, n = 64) {
    this.n = n;
    const m = n + 1;
    this.sat = new Float64Array(m * m);
    const cell = 1 / (n * n);
    for (let j = 1; j <= n; j++) {
      let row = 0;
      for (let i = 1; i <= n; i++) {
        row += f((i - 0.5) / n, (j - 0.5) / n) * cell;
        this.sat[j * m + i] = this.sat[(j - 1) * m + i]! + row;
      }
    }
    this.mean = this.sat[m * m - 1]!;
  }

  /** Integral over [0, x] x [0, y] within one cell (0 <= x, y <= 1), bilinear between table nodes (exact for the table). */
  private cellIntegral(x: number, y: number): number {
    const m = this.n + 1;
    const fx = x * this.n;
    const fy = y * this.n;
    const i = Math.min(this.n - 1, Math.floor(fx));
    const j = Math.min(this.n - 1, Math.floor(fy));
    const tx = fx - i;
    const ty = fy - j;
    const s = this.sat;
    const a = s[j * m + i]! + (s[j * m + i + 1]! - s[j * m + i]!) * tx;
    const b = s[(j + 1) * m + i]! + (s[(j + 1) * m + i + 1]! - s[(j + 1) * m + i]!) * tx;
    return a + (b - a) * ty;
  }

  /** Signed integral over [0, x] x [0, y] of the periodic extension, for any real x and y. */
  private integral(x: number, y: number): number {
    const kx = Math.floor(x);
    const ky = Math.floor(y);
    const rx = x - kx;
    const ry = y - ky;
    return kx * ky * this.mean + kx * this.cellIntegral(1, ry) + ky * this.cellIntegral(rx, 1) + this.cellIntegral(rx, ry);
  }

  /** Mean over the square of half-width h > 0 centred at (x, y). */
  boxMean(x: number, y: number, h: number): number {
    const a = this.integral(x + h, y + h) - this.integral(x - h, y + h) - this.integral(x + h, y - h) + this.integral(x - h, y - h);
    return a / (4 * h * h);
  }

  /**
   * The box means for one footprint (half-width h), tabulated over the cell: what a sample of
   * that size sees at each position, read back with a single bilinear lookup.
   */
  filtered(h: number): PeriodicTable {
    return PeriodicTable.of(this.n, (x, y) => this.boxMean(x, y, h));
  }
}

/** Values of a periodic function on an n x n grid over the unit cell, read back bilinearly with wrap-around. */
export class PeriodicTable {
  constructor(
    private readonly n: number,
    private readonly values: Float32Array,
  ) {}

  /** The tabulated function of (x, y) at grid nodes (i / n, j / n). */
  static of(n: number, f: (x: number, y: number) => number): PeriodicTable {
    const values = new Float32Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values[j * n + i] = f(i / n, j / n);
    return new PeriodicTable(n, values);
  }

  /** Bilinear lookup at any real (x, y), period 1. */
  at(x: number, y: number): number {
    const n = this.n;
    const fx = (x - Math.floor(x)) * n;
    const fy = (y - Math.floor(y)) * n;
    const i = Math.floor(fx);
    const j = Math.floor(fy);
    const tx = fx - i;
    const ty = fy - j;
    const i1 = i + 1 === n ? 0 : i + 1;
    const j1 = j + 1 === n ? 0 : j + 1;
    const v = this.values;
    const a = v[j * n + i]! + (v[j * n + i1]! - v[j * n + i]!) * tx;
    const b = v[j1 * n + i]! + (v[j1 * n + i1]! - v[j1 * n + i]!) * tx;
    return a + (b - a) * ty;
  }
}
