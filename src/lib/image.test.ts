import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isIriskError, type ErrorCode } from './errors.js';
import { decodeGray } from './image.js';
import { crc32 } from 'node:zlib';

/** A PNG whose header claims the given size, with a tiny (invalid) image body. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c])), chunk('IEND', Buffer.alloc(0))]);
}

async function expectCode(input: Promise<Buffer> | Buffer, code: ErrorCode): Promise<void> {
  try {
    await decodeGray(await input, 'test');
    expect.unreachable(`expected ${code}`);
  } catch (e) {
    if (!isIriskError(e)) throw e;
    expect(e.code).toBe(code);
    expect(e.message.length).toBeGreaterThan(10);
  }
}

const gray = (w: number, h: number, bg = 128) => sharp({ create: { width: w, height: h, channels: 3, background: { r: bg, g: bg, b: bg } } });

describe('image decoding rejects bad input with typed errors', () => {
  it('empty file', () => expectCode(Buffer.alloc(0), 'IMAGE_EMPTY'));
  it('not an image', () => expectCode(Buffer.from('this is not an image at all'), 'IMAGE_UNREADABLE'));
  it('truncated PNG', () => expectCode(gray(200, 200).png().toBuffer().then((b) => b.subarray(0, b.length / 2)), 'IMAGE_UNREADABLE'));
  it('truncated JPEG', async () => {
    const noisy = Buffer.alloc(200 * 200, 0).map((_, i) => (i * 7919) % 251);
    const jpeg = await sharp(noisy, { raw: { width: 200, height: 200, channels: 1 } }).jpeg().toBuffer();
    await expectCode(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 'IMAGE_UNREADABLE');
  });
  it('1x1 image', () => expectCode(gray(1, 1).png().toBuffer(), 'IMAGE_TOO_SMALL'));
  it('16-bit image', () => expectCode(gray(100, 100).toColourspace('grey16').png().toBuffer(), 'IMAGE_BIT_DEPTH'));
  it('colour image', () => expectCode(sharp({ create: { width: 100, height: 100, channels: 3, background: { r: 200, g: 30, b: 40 } } }).png().toBuffer(), 'IMAGE_NOT_GRAYSCALE'));
  it('a 20000x20000 image is refused from its header', () => expectCode(pngHeaderOnly(20000, 20000), 'IMAGE_TOO_LARGE'));

  it('accepts 8-bit grayscale, and RGB whose channels are equal', async () => {
    const a = await decodeGray(await gray(120, 90, 77).png().toBuffer());
    expect([a.width, a.height, a.data[0]]).toEqual([120, 90, 77]);
    const b = await decodeGray(await gray(120, 90, 77).jpeg().toBuffer());
    expect(b.width).toBe(120);
  });

  it('random bytes never crash the decoder (fuzz)', async () => {
    const png = await gray(80, 80).png().toBuffer();
    let state = 12345;
    const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) / 4294967296);
    for (let k = 0; k < 200; k++) {
      const bytes = Buffer.from(png);
      const flips = 1 + Math.floor(rand() * 8);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.3 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes;
      try {
        await decodeGray(cut);
      } catch (e) {
        expect(isIriskError(e)).toBe(true);
      }
    }
  });
});
