/**
 * Image IO: decoding eye images into 8-bit grayscale with strict validation (header checked
 * before any full decode), and encoding grayscale or RGB pixels as PNG.
 */
import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { IriskError } from './errors.js';

/** An 8-bit single-channel image, row-major. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An 8-bit RGB image, row-major, interleaved. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Limits applied before an image is decoded. */
export interface DecodeLimits {
  minSide: number;
  maxSide: number;
  maxPixels: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { minSide: 64, maxSide: 8192, maxPixels: 16_000_000 };

sharp.cache(false);

/** Reads a file, turning file-system failures into typed errors. */
export async function readInputFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new IriskError('FILE_NOT_FOUND', `No such file: ${path}`, { path });
    if (err.code === 'EISDIR') throw new IriskError('IMAGE_UNREADABLE', `${path} is a directory, not an image`, { path });
    throw new IriskError('IMAGE_UNREADABLE', `Cannot read ${path}: ${err.message}`, { path });
  }
}

/**
 * Decodes an encoded image (PNG, JPEG, TIFF, ...) to 8-bit grayscale. Rejects empty, truncated,
 * tiny, huge (from the header alone), 16-bit and colour images with typed errors.
 */
export async function decodeGray(input: Buffer, source = 'image', limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<GrayImage> {
  if (input.length === 0) throw new IriskError('IMAGE_EMPTY', `${source} is empty (0 bytes)`, { source });
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new IriskError('IMAGE_UNREADABLE', `${source} is not a readable image (${(e as Error).message})`, { source });
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new IriskError(
      'IMAGE_TOO_LARGE',
      `${source} is ${width}x${height}; the largest accepted image is ${limits.maxSide} pixels a side and ${limits.maxPixels} pixels in all`,
      { source, width, height },
    );
  }
  if (width < limits.minSide || height < limits.minSide) {
    throw new IriskError('IMAGE_TOO_SMALL', `${source} is ${width}x${height}; an eye image needs at least ${limits.minSide} pixels a side`, {
      source,
      width,
      height,
    });
  }
  const depth = meta.depth ?? 'uchar';
  if (depth !== 'uchar' && depth !== 'char') {
    throw new IriskError('IMAGE_BIT_DEPTH', `${source} has ${depth} samples; convert it to 8-bit grayscale`, { source, depth });
  }
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(input, { failOn: 'truncated', limitInputPixels: limits.maxPixels }).raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new IriskError('IMAGE_UNREADABLE', `${source} could not be decoded (${(e as Error).message})`, { source });
  }
  return toGray(raw.data, raw.info.width, raw.info.height, raw.info.channels, source);
}

function toGray(data: Buffer, width: number, height: number, channels: number, source: string): GrayImage {
  const n = width * height;
  const out = new Uint8Array(n);
  const colourChannels = channels === 2 || channels === 4 ? channels - 1 : channels;
  if (colourChannels === 1) {
    for (let i = 0; i < n; i++) out[i] = data[i * channels]!;
    return { width, height, data: out };
  }
  let colourful = 0;
  for (let i = 0; i < n; i++) {
    const r = data[i * channels]!;
    const g = data[i * channels + 1]!;
    const b = data[i * channels + 2]!;
    if (Math.abs(r - g) > 8 || Math.abs(g - b) > 8) colourful++;
    out[i] = (r * 299 + g * 587 + b * 114 + 500) / 1000;
  }
  if (colourful > n * 0.01) {
    throw new IriskError(
      'IMAGE_NOT_GRAYSCALE',
      `${source} is a colour image; irisk expects a near-infrared grayscale capture`,
      { source, colourFraction: colourful / n },
    );
  }
  return { width, height, data: out };
}

/** Decodes an image file to grayscale (see decodeGray). */
export async function loadGray(path: string, limits?: DecodeLimits): Promise<GrayImage> {
  return decodeGray(await readInputFile(path), path, limits);
}

/** Encodes a grayscale or RGB image as PNG. */
export async function encodePng(img: GrayImage | RgbImage, channels: 1 | 3 = 1): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels },
  })
    .png()
    .toBuffer();
}

/** Writes a grayscale image as a PNG file. */
export async function saveGrayPng(path: string, img: GrayImage): Promise<void> {
  await writeFile(path, await encodePng(img, 1));
}

/** Writes an RGB image as a PNG file. */
export async function saveRgbPng(path: string, img: RgbImage): Promise<void> {
  await writeFile(path, await encodePng(img, 3));
}

/** Renders an SVG document to PNG (used for plots). */
export async function svgToPng(svg: string, density = 144): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density }).png().toBuffer();
}
