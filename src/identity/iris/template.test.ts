import { describe, expect, it } from 'vitest';
import { isIriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { deserializeTemplate, packBits, parseTemplateJson, serializeTemplate, TEMPLATE_VERSION, unpackBits, type IrisTemplate } from './template.js';

function randomTemplate(seed: number, rows = 16, cols = 256): IrisTemplate {
  const rng = new Rng(seed);
  const n = rows * cols * 4;
  return {
    rows,
    cols,
    filters: 2,
    version: TEMPLATE_VERSION,
    code: Uint8Array.from({ length: n }, () => (rng.chance(0.5) ? 1 : 0)),
    mask: Uint8Array.from({ length: n }, () => (rng.chance(0.7) ? 1 : 0)),
  };
}

describe('template serialisation', () => {
  it('round-trips bit-exactly through JSON text', () => {
    for (const [rows, cols] of [[16, 256], [16, 200], [8, 64]] as const) {
      const t = randomTemplate(rows * cols, rows, cols);
      const back = parseTemplateJson(JSON.stringify(serializeTemplate(t)));
      expect(back.rows).toBe(rows);
      expect(back.cols).toBe(cols);
      expect(Buffer.from(back.code).equals(Buffer.from(t.code))).toBe(true);
      expect(Buffer.from(back.mask).equals(Buffer.from(t.mask))).toBe(true);
      expect(back.version).toBe(t.version);
    }
  });

  it('packs bits most significant first, as numpy.packbits does', () => {
    expect(Array.from(packBits(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1, 1])))).toEqual([0x81, 0x80]);
    expect(Array.from(unpackBits(Uint8Array.from([0xa0]), 4))).toEqual([1, 0, 1, 0]);
  });

  it('reads an open-iris template without a shape key as 16x256x2x2', () => {
    const t = randomTemplate(3);
    const { shape: _shape, ...openIris } = serializeTemplate(t);
    const back = deserializeTemplate(openIris);
    expect(back.rows).toBe(16);
    expect(back.cols).toBe(256);
    expect(Buffer.from(back.code).equals(Buffer.from(t.code))).toBe(true);
  });

  const bad: [string, string][] = [
    ['not json', '{iris'],
    ['not an object', '42'],
    ['missing codes', '{"mask_codes":""}'],
    ['non-base64', '{"iris_codes":"***","mask_codes":"AA=="}'],
    ['wrong length', '{"iris_codes":"AAAA","mask_codes":"AAAA"}'],
    ['bad shape', '{"iris_codes":"","mask_codes":"","shape":[16,256,2,3]}'],
    ['bad version', '{"iris_codes":"","mask_codes":"","iris_code_version":"latest"}'],
  ];
  for (const [name, text] of bad) {
    it(`rejects ${name} with TEMPLATE_INVALID`, () => {
      try {
        parseTemplateJson(text);
        expect.unreachable();
      } catch (e) {
        expect(isIriskError(e, 'TEMPLATE_INVALID')).toBe(true);
      }
    });
  }

  it('never throws anything but a typed error on mutated template JSON (fuzz)', () => {
    const rng = new Rng(12);
    const good = JSON.stringify(serializeTemplate(randomTemplate(5, 8, 32)));
    for (let k = 0; k < 2000; k++) {
      const chars = good.split('');
      for (let f = rng.int(1, 4); f > 0; f--) chars[rng.int(0, chars.length - 1)] = String.fromCharCode(rng.int(32, 126));
      const text = rng.chance(0.2) ? chars.join('').slice(0, rng.int(0, chars.length)) : chars.join('');
      try {
        parseTemplateJson(text);
      } catch (e) {
        expect(isIriskError(e)).toBe(true);
      }
    }
  });
});
