/**
 * Iris templates: phase bits and their validity mask, in open-iris's layout
 * (rows x cols x filters x 2 bits, real part then imaginary part), and their JSON form
 * (bits packed most-significant first, base64), which open-iris reads and writes.
 */
import { IriskError } from '../../lib/errors.js';

/** Shape of a template: code rows (radial), columns (angular), filters; each cell holds filters x 2 bits. */
export interface TemplateShape {
  readonly rows: number;
  readonly cols: number;
  readonly filters: number;
}

/** An iris template. `code` and `mask` hold one bit per byte (0/1) in open-iris order. */
export interface IrisTemplate extends TemplateShape {
  readonly code: Uint8Array;
  readonly mask: Uint8Array;
  readonly version: string;
}

/** The serialised form (open-iris keys, plus the shape so the file says how to read it). */
export interface SerializedTemplate {
  iris_codes: string;
  mask_codes: string;
  iris_code_version: string;
  shape: [number, number, number, number];
}

export const TEMPLATE_VERSION = 'v2.1';
export const DEFAULT_SHAPE: TemplateShape = { rows: 16, cols: 256, filters: 2 };

/** Number of bits in a template of this shape. */
export function templateBits(shape: TemplateShape): number {
  return shape.rows * shape.cols * shape.filters * 2;
}

/** Index of bit (row, col, filter, part) in open-iris order; part 0 = real, 1 = imaginary. */
export function bitIndex(shape: TemplateShape, row: number, col: number, filter: number, part: number): number {
  return ((row * shape.cols + col) * shape.filters + filter) * 2 + part;
}

/** Packs 0/1 bytes into bits, most significant bit first (numpy packbits order). */
export function packBits(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** Unpacks `count` bits packed most significant bit first. */
export function unpackBits(bytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
}

/** Serialises a template to open-iris-compatible JSON. */
export function serializeTemplate(t: IrisTemplate): SerializedTemplate {
  return {
    iris_codes: Buffer.from(packBits(t.code)).toString('base64'),
    mask_codes: Buffer.from(packBits(t.mask)).toString('base64'),
    iris_code_version: t.version,
    shape: [t.rows, t.cols, t.filters, 2],
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads a serialised template. Without a `shape` key the open-iris default (16, 256, 2, 2) is
 * assumed. Throws TEMPLATE_INVALID for anything malformed.
 */
export function deserializeTemplate(input: unknown, source = 'template'): IrisTemplate {
  if (typeof input !== 'object' || input === null) throw new IriskError('TEMPLATE_INVALID', `${source} is not a JSON object`);
  const o = input as Record<string, unknown>;
  for (const key of ['iris_codes', 'mask_codes']) {
    if (typeof o[key] !== 'string' || !BASE64.test(o[key] as string)) {
      throw new IriskError('TEMPLATE_INVALID', `${source}: "${key}" must be a base64 string`, { key });
    }
  }
  const version = typeof o.iris_code_version === 'string' ? o.iris_code_version : TEMPLATE_VERSION;
  if (!/^v[0-9]+\.[0-9]+$/.test(version)) throw new IriskError('TEMPLATE_INVALID', `${source}: iris_code_version "${version}" is not of the form vN.M`);
  let shape: TemplateShape = DEFAULT_SHAPE;
  if (o.shape !== undefined) {
    const s = o.shape;
    if (!Array.isArray(s) || s.length !== 4 || !s.every((v) => Number.isInteger(v) && v > 0 && v <= 4096) || s[3] !== 2) {
      throw new IriskError('TEMPLATE_INVALID', `${source}: "shape" must be [rows, cols, filters, 2] with positive integers`);
    }
    shape = { rows: s[0], cols: s[1], filters: s[2] };
  }
  const nbits = templateBits(shape);
  const code = Buffer.from(o.iris_codes as string, 'base64');
  const mask = Buffer.from(o.mask_codes as string, 'base64');
  const nbytes = Math.ceil(nbits / 8);
  if (code.length !== nbytes || mask.length !== nbytes) {
    throw new IriskError('TEMPLATE_INVALID', `${source}: codes hold ${code.length * 8} and ${mask.length * 8} bits; shape ${shape.rows}x${shape.cols}x${shape.filters}x2 needs ${nbits}`);
  }
  return { ...shape, version, code: unpackBits(code, nbits), mask: unpackBits(mask, nbits) };
}

/** Parses template JSON text (see deserializeTemplate). */
export function parseTemplateJson(text: string, source = 'template'): IrisTemplate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new IriskError('TEMPLATE_INVALID', `${source} is not valid JSON (${(e as Error).message})`);
  }
  return deserializeTemplate(parsed, source);
}

/** Fraction of usable (mask = 1) bits. */
export function maskedFraction(t: IrisTemplate): number {
  let n = 0;
  for (let i = 0; i < t.mask.length; i++) n += t.mask[i]!;
  return n / t.mask.length;
}
