/**
 * Metadata validation and the content address: canonical serialisation ignores key order and the
 * unhashed fields, and every hashed field changes the id.
 */
import { describe, expect, it } from 'vitest';
import { IriskError } from '../../lib/errors.js';
import { canonicalJson, validateAlias, validateFileName, validateMetadata, versionId, type ModelMetadataInput } from './metadata.js';
import { codeVersion } from './code-version.js';
import { errorCodeOf } from '../../../test/support.js';

const defaults = { now: new Date('2024-01-01T00:00:00Z'), user: 'tester' };

function meta(over: Partial<ModelMetadataInput> = {}): ModelMetadataInput {
  return {
    name: 'credit-default',
    kind: 'xgboost',
    featureSchema: [
      { name: 'income', type: 'number' },
      { name: 'utilisation', type: 'number' },
    ],
    trainingData: { fingerprint: 'a'.repeat(64), rows: 1000, source: 'synth:credit:seed=1' },
    params: { maxDepth: 4, eta: 0.1 },
    metrics: { auc: 0.81 },
    codeVersion: '0.1.0',
    parent: null,
    ...over,
  };
}

const code = errorCodeOf;

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined members, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(() => canonicalJson({ x: NaN })).toThrow();
  });
});

describe('validateMetadata', () => {
  it('fills createdAt and createdBy and normalises createdAt', () => {
    const m = validateMetadata(meta(), defaults);
    expect(m.createdAt).toBe('2024-01-01T00:00:00.000Z');
    expect(m.createdBy).toBe('tester');
    expect(validateMetadata(meta({ createdAt: '2024-03-01T13:00:00+01:00' }), defaults).createdAt).toBe('2024-03-01T12:00:00.000Z');
  });

  const bad: [string, unknown][] = [
    ['not an object', 5],
    ['bad line name', meta({ name: 'Credit Default' })],
    ['empty kind', meta({ kind: '' })],
    ['feature schema not an array', meta({ featureSchema: {} as never })],
    ['feature of another type', meta({ featureSchema: [{ name: 'x', type: 'string' as never }] })],
    ['duplicate feature', meta({ featureSchema: [{ name: 'x', type: 'number' }, { name: 'x', type: 'number' }] })],
    ['fingerprint not sha256', meta({ trainingData: { fingerprint: 'abc', rows: 1 } })],
    ['negative rows', meta({ trainingData: { fingerprint: 'a'.repeat(64), rows: -1 } })],
    ['fractional rows', meta({ trainingData: { fingerprint: 'a'.repeat(64), rows: 1.5 } })],
    ['NaN metric', meta({ metrics: { auc: NaN } })],
    ['Date in params', meta({ params: { when: new Date() } })],
    ['params an array', meta({ params: [] as never })],
    ['empty codeVersion', meta({ codeVersion: ' ' })],
    ['parent a prefix', meta({ parent: 'abcdef12' })],
    ['createdAt not ISO', meta({ createdAt: 'March 5' })],
    ['createdAt without zone', meta({ createdAt: '2024-03-05T10:00:00' })],
    ['unknown field', { ...meta(), extra: 1 }],
    ['description a number', meta({ description: 5 as never })],
  ];
  for (const [what, input] of bad) it(`REGISTRY_INVALID: ${what}`, () => expect(code(() => validateMetadata(input, defaults))).toBe('REGISTRY_INVALID'));
});

describe('versionId', () => {
  const files = [
    { name: 'model.json', sha256: '1'.repeat(64) },
    { name: 'calibration.json', sha256: '2'.repeat(64) },
  ];
  const base = validateMetadata(meta(), defaults);

  it('ignores createdAt, createdBy, key order and file order', () => {
    const other = validateMetadata({ ...meta({ params: { eta: 0.1, maxDepth: 4 } }), createdAt: '2030-01-01T00:00:00Z', createdBy: 'someone' }, defaults);
    expect(versionId([...files].reverse(), other)).toBe(versionId(files, base));
    expect(versionId(files, base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any hashed field or file', () => {
    const id = versionId(files, base);
    const variants = [
      versionId([files[0]!], base),
      versionId([{ ...files[0]!, sha256: '3'.repeat(64) }, files[1]!], base),
      versionId([{ ...files[0]!, name: 'model2.json' }, files[1]!], base),
      versionId(files, { ...base, params: { maxDepth: 5, eta: 0.1 } }),
      versionId(files, { ...base, metrics: {} }),
      versionId(files, { ...base, codeVersion: '0.1.1' }),
      versionId(files, { ...base, description: 'x' }),
      versionId(files, { ...base, featureSchema: [...base.featureSchema].reverse() }),
    ];
    expect(new Set([id, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('names', () => {
  it('accepts plain file names only', () => {
    for (const ok of ['model.json', 'calibration.json', 'a-b_c.1']) expect(validateFileName(ok)).toBe(ok);
    for (const bad of ['', '.hidden', '../x', 'a/b', 'a\\b', 'metadata.json', 'x'.repeat(200), 'sp ace']) expect(code(() => validateFileName(bad))).toBe('REGISTRY_INVALID');
  });

  it('accepts alias names, refusing ones that read as id prefixes', () => {
    for (const ok of ['champion', 'challenger', 'shadow-2', 'a_b', 'cafe']) expect(validateAlias(ok)).toBe(ok);
    for (const bad of ['', 'Champion', '1st', 'a b', 'a@b', 'deadbeef', 'abcdef0123']) expect(code(() => validateAlias(bad))).toBe('REGISTRY_INVALID');
  });
});

describe('codeVersion', () => {
  it('is the package version, plus the commit when in a git checkout', () => {
    expect(codeVersion()).toMatch(/^\d+\.\d+\.\d+(\+git\.[0-9a-f]{7,40}(\.dirty)?)?$/);
  });
});
