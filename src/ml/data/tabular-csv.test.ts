import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../../test/support.js';
import { parseTabularCsv } from './tabular-csv.js';

const opts = { label: 'y', source: 't.csv' };
const code = errorCodeOf;

describe('parseTabularCsv', () => {
  it('reads features, NA as missing, keeps the unnamed index column and the label out of the features', () => {
    const d = parseTabularCsv(',y,a,b\n1,0,1.5,NA\n2,1,-2,3e2\n3,0,,4\n', opts);
    expect(d.featureNames).toEqual(['a', 'b']);
    expect(d.ids).toEqual(['1', '2', '3']);
    expect(Array.from(d.labels)).toEqual([0, 1, 0]);
    expect(Array.from(d.values)).toEqual([1.5, Number.NaN, -2, 300, Number.NaN, 4]);
    // numpy prints float32's largest value as 3.4028235e38: it rounds to a finite float32.
    expect(parseTabularCsv('y,a\n0,3.4028235e38\n1,-.5\n', opts).values[0]).toBe(3.4028234663852886e38);
    expect(d.ignoredColumns).toEqual([{ name: '(column 1)', reason: 'unnamed column: a row index, not a feature' }]);
    expect(d.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps a named id column out of the features and selects a model schema in order', () => {
    const text = 'id,a,y,b,c\nx1,1,0,2,3\nx2,4,1,5,6\n';
    expect(parseTabularCsv(text, { ...opts, id: 'id' }).featureNames).toEqual(['a', 'b', 'c']);
    const d = parseTabularCsv(text, { ...opts, features: ['c', 'a'] });
    expect(d.featureNames).toEqual(['c', 'a']);
    expect(Array.from(d.values)).toEqual([3, 1, 6, 4]);
    expect(code(() => parseTabularCsv(text, { ...opts, features: ['a', 'zzz'] }))).toBe('DATASET_INVALID');
  });

  it.each([
    ['an empty file', ''],
    ['only whitespace', '  \n\n'],
    ['a header without rows', 'y,a\n'],
    ['no label column', 'a,b\n1,2\n3,4\n'],
    ['a non-binary label', 'y,a\n0,1\n2,3\n'],
    ['an empty label', 'y,a\n0,1\n,3\n'],
    ['a single class', 'y,a\n0,1\n0,3\n'],
    ['non-numeric junk', 'y,a\n0,1\n1,abc\n'],
    ['infinity', 'y,a\n0,1\n1,Infinity\n'],
    ['a value beyond float32 range', 'y,a\n0,1\n1,1e40\n'],
    ['a hexadecimal number', 'y,a\n0,1\n1,0x1F\n'],
    ['a short row', 'y,a,b\n0,1,2\n1,3\n'],
    ['no features', 'y,id\n0,a\n1,b\n'],
    ['duplicate column names', 'y,a,a\n0,1,2\n1,3,4\n'],
  ])('DATASET_INVALID for %s', (_name, text) => {
    expect(code(() => parseTabularCsv(text, opts))).toBe('DATASET_INVALID');
  });

  it('names the line and column of junk', () => {
    expect(() => parseTabularCsv('y,a,b\n0,1,2\n1,3,oops\n', opts)).toThrow(/line 3, column "b"/);
  });

  it('fuzz: random edits of a valid file give a table or DATASET_INVALID, nothing else', () => {
    const base = 'id,y,a,b\n1,0,0.5,2\n2,1,NA,3\n3,0,1e3,-4\n4,1,7,8\n';
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = '01,.\n"eNA-x ';
    for (let i = 0; i < 2000; i++) {
      const chars = base.split('');
      const edits = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rand() * chars.length);
        const op = rand();
        if (op < 0.4) chars[at] = alphabet[Math.floor(rand() * alphabet.length)]!;
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, alphabet[Math.floor(rand() * alphabet.length)]!);
      }
      const c = code(() => {
        const d = parseTabularCsv(chars.join(''), { label: 'y', id: 'id' });
        expect(d.values.length).toBe(d.rows * d.cols);
      });
      expect(['none', 'DATASET_INVALID']).toContain(c);
    }
  });
});
