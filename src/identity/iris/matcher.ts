/**
 * Template matching: fractional Hamming distance over the bits both masks keep, minimised over
 * cyclic column shifts (eye rotation), with optional normalisation for small overlaps.
 * Two implementations: a plain reference over unpacked bits, and a packed one (16-bit cells of
 * 4 rows x 4 bits, so a rotation is a shift by whole cells) used in practice; tests keep them equal.
 */
import { IriskError } from '../../lib/errors.js';
import type { IrisTemplate, TemplateShape } from './template.js';

/** How distances are normalised for the number of bits compared. */
export type Normalisation =
  | { kind: 'none' }
  | { kind: 'daugman'; typicalBits: number }
  | { kind: 'linear'; mean: number; gradient: number };

/** Matching parameters. */
export interface MatchParams {
  /** Largest shift in columns, each way (15 = 31 rotations). */
  readonly rotations: number;
  readonly normalisation: Normalisation;
  /** Fewer common bits than this gives distance 1 (no evidence). */
  readonly minOverlapBits: number;
}

export const DEFAULT_MATCH_PARAMS: MatchParams = { rotations: 15, normalisation: { kind: 'none' }, minOverlapBits: 1 };

/** A comparison result. `rotation` is the column shift applied to the first template (numpy roll convention). */
export interface MatchResult {
  readonly distance: number;
  readonly rawDistance: number;
  readonly rotation: number;
  readonly overlapBits: number;
}

/** Applies the configured normalisation to a raw fractional distance over `bits` compared bits. */
export function normaliseDistance(hd: number, bits: number, n: Normalisation): number {
  switch (n.kind) {
    case 'none':
      return hd;
    case 'daugman':
      return 0.5 - (0.5 - hd) * Math.sqrt(bits / n.typicalBits);
    case 'linear':
      return Math.max(0, n.mean - (n.mean - hd) * (n.gradient * bits + 0.5));
  }
}

/** Throws TEMPLATE_INCOMPATIBLE unless both shapes are equal. */
export function assertCompatible(a: TemplateShape, b: TemplateShape): void {
  if (a.rows !== b.rows || a.cols !== b.cols || a.filters !== b.filters) {
    throw new IriskError('TEMPLATE_INCOMPATIBLE', `Templates have different shapes: ${a.rows}x${a.cols}x${a.filters} and ${b.rows}x${b.cols}x${b.filters}`);
  }
}

const shiftOrders = new Map<number, readonly number[]>();

/** Order in which shifts are ranked: 0, -1, 1, -2, 2, ... (ties keep the smallest shift). Cached, do not modify. */
function shiftOrder(rotations: number): readonly number[] {
  let order = shiftOrders.get(rotations);
  if (!order) {
    const out = [0];
    for (let s = 1; s <= rotations; s++) out.push(-s, s);
    order = out;
    shiftOrders.set(rotations, order);
  }
  return order;
}

/**
 * The best shift from per-shift counts, as every kernel reports them: for shift s in
 * [-rotations, rotations], counts[base + 2 (s + rotations)] disagreeing bits and the next entry
 * common bits. Smallest (normalised) distance wins; ties keep the earlier shift in shiftOrder.
 * Shifts with fewer common bits than minOverlapBits are skipped; none left gives NO_MATCH.
 */
export function bestOfCounts(counts: ArrayLike<number>, base: number, params: MatchParams): MatchResult {
  const rot = params.rotations;
  const min = Math.max(1, params.minOverlapBits);
  const norm = params.normalisation;
  const order = shiftOrder(rot);
  let bestShift = 0;
  let bestDistance = Infinity;
  // The plain distance (the common case, and the one every gallery scan runs) without the normalisation call per shift.
  for (let k = 0; k < order.length; k++) {
    const shift = order[k]!;
    const i = base + 2 * (shift + rot);
    const common = counts[i + 1]!;
    if (common < min) continue;
    const d = norm.kind === 'none' ? counts[i]! / common : normaliseDistance(counts[i]! / common, common, norm);
    if (d < bestDistance) {
      bestDistance = d;
      bestShift = shift;
    }
  }
  if (bestDistance === Infinity) return NO_MATCH;
  const i = base + 2 * (bestShift + rot);
  return { distance: bestDistance, rawDistance: counts[i]! / counts[i + 1]!, rotation: bestShift, overlapBits: counts[i + 1]! };
}

/** The result when no shift had enough common bits. */
export const NO_MATCH: MatchResult = { distance: 1, rawDistance: 1, rotation: 0, overlapBits: 0 };

/** Reference matcher over unpacked bits: simple and obviously right, used to check the fast one. */
export function matchReference(a: IrisTemplate, b: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS): MatchResult {
  assertCompatible(a, b);
  const cellBits = a.filters * 2;
  const counts = new Float64Array(2 * (2 * params.rotations + 1));
  for (let shift = -params.rotations; shift <= params.rotations; shift++) {
    let xor = 0;
    let common = 0;
    for (let r = 0; r < a.rows; r++) {
      for (let c = 0; c < a.cols; c++) {
        const ca = (c - shift + a.cols * 64) % a.cols;
        for (let k = 0; k < cellBits; k++) {
          const ia = (r * a.cols + ca) * cellBits + k;
          const ib = (r * a.cols + c) * cellBits + k;
          if (a.mask[ia] && b.mask[ib]) {
            common++;
            if (a.code[ia] !== b.code[ib]) xor++;
          }
        }
      }
    }
    counts[2 * (shift + params.rotations)] = xor;
    counts[2 * (shift + params.rotations) + 1] = common;
  }
  return bestOfCounts(counts, 0, params);
}

/**
 * A template packed for fast matching: for each band of 4 code rows and each column, one 16-bit
 * cell holding 4 rows x 4 bits (2 filters x real/imaginary). Requires rows % 4 == 0, filters == 2.
 */
export interface PackedTemplate {
  readonly shape: TemplateShape;
  readonly bands: number;
  readonly code: Uint16Array;
  readonly mask: Uint16Array;
}

/** Packs a template for the fast matcher. */
export function packTemplate(t: IrisTemplate): PackedTemplate {
  if (t.rows % 4 !== 0 || t.filters !== 2) {
    throw new IriskError('TEMPLATE_INCOMPATIBLE', `The packed matcher needs rows divisible by 4 and 2 filters (got ${t.rows} rows, ${t.filters} filters)`);
  }
  const bands = t.rows / 4;
  const code = new Uint16Array(bands * t.cols);
  const mask = new Uint16Array(bands * t.cols);
  for (let r = 0; r < t.rows; r++) {
    const band = r >> 2;
    const sub = r & 3;
    for (let c = 0; c < t.cols; c++) {
      for (let k = 0; k < 4; k++) {
        const i = (r * t.cols + c) * 4 + k;
        const bit = 1 << (sub * 4 + k);
        if (t.code[i]) code[band * t.cols + c]! |= bit;
        if (t.mask[i]) mask[band * t.cols + c]! |= bit;
      }
    }
  }
  return { shape: { rows: t.rows, cols: t.cols, filters: t.filters }, bands, code, mask };
}

const POP16 = (() => {
  const t = new Uint8Array(65536);
  for (let i = 1; i < 65536; i++) t[i] = (i & 1) + t[i >> 1]!;
  return t;
})();

/** Fast matcher over packed templates; returns exactly what matchReference returns. */
export function matchPacked(a: PackedTemplate, b: PackedTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS): MatchResult {
  assertCompatible(a.shape, b.shape);
  const cols = a.shape.cols;
  const ac = a.code;
  const am = a.mask;
  const bc = b.code;
  const bm = b.mask;
  const counts = new Float64Array(2 * (2 * params.rotations + 1));
  for (let shift = -params.rotations; shift <= params.rotations; shift++) {
    let xor = 0;
    let common = 0;
    const s = ((shift % cols) + cols) % cols;
    for (let band = 0; band < a.bands; band++) {
      const base = band * cols;
      // Columns c >= s read a at c - s; columns c < s wrap to c - s + cols.
      for (let c = 0; c < cols; c++) {
        const ia = base + (c >= s ? c - s : c - s + cols);
        const ib = base + c;
        const m = am[ia]! & bm[ib]!;
        common += POP16[m]!;
        xor += POP16[(ac[ia]! ^ bc[ib]!) & m]!;
      }
    }
    counts[2 * (shift + params.rotations)] = xor;
    counts[2 * (shift + params.rotations) + 1] = common;
  }
  return bestOfCounts(counts, 0, params);
}
