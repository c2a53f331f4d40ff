import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv.js';
import { isIriskError } from './errors.js';
import { Rng } from './rng.js';

describe('CSV', () => {
  it('round-trips quoted fields with commas, quotes and newlines', () => {
    const rows = [['a,b', 'say "hi"', 'line\nbreak'], ['1', '', 'x']];
    const { header, records } = parseCsv(toCsv(['p', 'q', 'r'], rows));
    expect(header).toEqual(['p', 'q', 'r']);
    expect(records.map((r) => [r.p, r.q, r.r])).toEqual(rows);
  });

  it('accepts CRLF, a BOM and a missing final newline', () => {
    const { records } = parseCsv('\ufeffa,b\r\n1,2\r\n3,4');
    expect(records).toEqual([{ a: '1', b: '2' }, { a: '3', b: '4' }]);
  });

  it('rejects ragged rows, unterminated quotes and empty input with DATASET_INVALID', () => {
    for (const text of ['a,b\n1\n', 'a\n"open', '']) {
      expect(() => parseCsv(text)).toThrowError();
      try {
        parseCsv(text);
      } catch (e) {
        expect(isIriskError(e, 'DATASET_INVALID')).toBe(true);
      }
    }
  });

  it('never throws anything but a typed error on random input (fuzz)', () => {
    const rng = new Rng(11);
    const alphabet = 'ab,"\n\r \ufeff1';
    for (let k = 0; k < 3000; k++) {
      const len = rng.int(0, 40);
      let text = '';
      for (let i = 0; i < len; i++) text += alphabet[rng.int(0, alphabet.length - 1)];
      try {
        parseCsv(text);
      } catch (e) {
        expect(isIriskError(e)).toBe(true);
      }
    }
  });
});
