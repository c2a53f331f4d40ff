/**
 * Synthetic templates: deterministic per index, realistic masks and impostor spread, genuine
 * variants at their stated rotation and flip rate (measured by the reference matcher), and the
 * NDJSON file read back through the template parser.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_PARAMS, matchReference } from '../../identity/iris/matcher.js';
import { deserializeTemplate, maskedFraction } from '../../identity/iris/template.js';
import { genuineVariant, syntheticTemplate, writeTemplateFile } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-synth-templates-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const world = { seed: 11 };

describe('synthetic templates', () => {
  it('are a function of (seed, index) alone', () => {
    const a = syntheticTemplate(123_456, world);
    expect(syntheticTemplate(123_456, world)).toEqual(a);
    expect(syntheticTemplate(123_457, world).code).not.toEqual(a.code);
    expect(syntheticTemplate(123_456, { seed: 12 }).code).not.toEqual(a.code);
  });

  it('are the same world as when the generator was first written (FNV-1a of the code and mask bytes)', () => {
    const fnv = (a: Uint8Array): number => a.reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    const print = (t: { code: Uint8Array; mask: Uint8Array }): [number, number] => [fnv(t.code), fnv(t.mask)];
    expect(print(syntheticTemplate(0, world))).toEqual([1250658201, 3684305368]);
    expect(print(syntheticTemplate(999_999, world))).toEqual([2160591379, 1453493034]);
    expect(print(genuineVariant(syntheticTemplate(5, world), 'k', { flipRate: 0.2, rotation: -3 }))).toEqual([3134715285, 2440024096]);
  });

  it('have masks like real captures: mostly usable, some occluded, never empty', () => {
    const usable = Array.from({ length: 50 }, (_, i) => maskedFraction(syntheticTemplate(i, world)));
    const mean = usable.reduce((s, x) => s + x, 0) / usable.length;
    expect(mean).toBeGreaterThan(0.7);
    expect(mean).toBeLessThan(0.93);
    expect(Math.min(...usable)).toBeGreaterThan(0.4);
    expect(Math.max(...usable)).toBeLessThan(0.95);
  });

  it('give impostor distances centred on 0.5 with the spread of real codes (hundreds of degrees of freedom)', () => {
    const ts = Array.from({ length: 30 }, (_, i) => syntheticTemplate(i, world));
    const d: number[] = [];
    for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) d.push(matchReference(ts[i]!, ts[j]!, { ...DEFAULT_MATCH_PARAMS, rotations: 0 }).rawDistance);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const dof = (mean * (1 - mean)) / (sd * sd);
    expect(dof).toBeGreaterThan(200);
    expect(dof).toBeLessThan(2000);
  });

  it('have genuine variants at the stated rotation and flip rate', () => {
    const base = syntheticTemplate(5, world);
    for (const [flipRate, rotation] of [[0.05, 3], [0.15, -7], [0.3, 0]] as const) {
      const v = genuineVariant(base, `11:5:${flipRate}`, { flipRate, rotation });
      const r = matchReference(base, v);
      expect(r.rotation).toBe(rotation);
      expect(Math.abs(r.rawDistance - flipRate)).toBeLessThan(0.015);
    }
  });
});

describe('the template file', () => {
  it('holds every template and variant, parseable, genuine variants naming their template', async () => {
    const path = join(dir, 't.ndjson');
    const res = await writeTemplateFile(path, { count: 6, seed: 3, genuine: 2, flipRate: 0.12, maxRotation: 5 });
    expect(res).toMatchObject({ templates: 6, genuineVariants: 12 });
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(18);
    const byId = new Map(lines.map((l) => [l.id, l]));
    for (const l of lines.filter((x) => x.genuineOf)) {
      const base = deserializeTemplate(byId.get(l.genuineOf).template);
      const r = matchReference(base, deserializeTemplate(l.template));
      expect(Math.abs(l.rotation)).toBeLessThanOrEqual(5);
      expect(r.rotation).toBe(l.rotation);
      expect(r.rawDistance).toBeLessThan(0.2);
    }
    expect(deserializeTemplate(lines[0].template)).toEqual(syntheticTemplate(0, { seed: 3 }));
  });

  it('refuses bad options with USAGE', async () => {
    await expect(writeTemplateFile(join(dir, 'x'), { count: 0, seed: 1 })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(writeTemplateFile(join(dir, 'x'), { count: 1, seed: 1, flipRate: 0.7 })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
