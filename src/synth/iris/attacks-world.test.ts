import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../lib/csv.js';
import { isIriskError } from '../../lib/errors.js';
import { loadGray } from '../../lib/image.js';
import { parseAttackParams } from './attacks/species.js';
import { MANIFEST_COLUMNS, parseIrisTruthRow } from './truth.js';
import { irisAttackName, renderAttack, renderCapture, renderProsthetic, writeIrisWorld, type IrisWorldOptions } from './world.js';

const small: IrisWorldOptions = { subjects: 3, captures: 2, seed: 21, width: 200, height: 160 };
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('attack determinism', () => {
  it('renders the same bytes for the same seed and arguments, whatever was rendered before', () => {
    for (const species of ['print', 'screen', 'lens'] as const) {
      const a = renderAttack(small, species, 2, 'R', 1);
      renderAttack(small, species, 1, 'L', 1);
      renderCapture(small, 2, 'R', 1);
      renderAttack({ ...small, seed: 22 }, species, 2, 'R', 1);
      const b = renderAttack(small, species, 2, 'R', 1);
      expect(same(a.image.data, b.image.data)).toBe(true);
      expect(same(a.mask.data, b.mask.data)).toBe(true);
      expect(b.truth).toEqual(a.truth);
      expect(b.params).toEqual(a.params);
      expect(same(renderAttack(small, species, 2, 'R', 2).image.data, a.image.data)).toBe(false);
    }
    const p = renderProsthetic(small, 2, 1);
    renderProsthetic(small, 1, 1);
    expect(same(renderProsthetic(small, 2, 1).image.data, p.image.data)).toBe(true);
    expect(same(renderProsthetic(small, 2, 2).image.data, p.image.data)).toBe(false);
  });

  it('validates its arguments', () => {
    const usage = (fn: () => unknown): boolean => {
      try {
        fn();
      } catch (e) {
        return isIriskError(e, 'USAGE');
      }
      return false;
    };
    expect(usage(() => renderAttack(small, 'print', 4, 'L', 1))).toBe(true);
    expect(usage(() => renderAttack(small, 'print', 1, 'L', 0))).toBe(true);
    expect(usage(() => renderAttack(small, 'prosthetic' as 'print', 1, 'L', 1))).toBe(true);
    expect(usage(() => renderAttack({ ...small, eyes: ['L'] }, 'lens', 1, 'R', 1))).toBe(true);
    expect(usage(() => renderProsthetic(small, 0, 1))).toBe(true);
    expect(usage(() => renderCapture({ ...small, attacks: { species: ['print', 'print'] } }, 1, 'L', 1))).toBe(true);
  });
});

describe('a world with attacks', () => {
  let dir: string;
  let plain: { header: string[]; records: Record<string, string>[] };
  let attacked: { header: string[]; records: Record<string, string>[] };
  let written: Awaited<ReturnType<typeof writeIrisWorld>>;
  const withAttacks: IrisWorldOptions = { ...small, attacks: { species: ['print', 'screen', 'lens', 'prosthetic'], perEye: 1, prosthetics: 2 } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'irisk-attack-world-'));
    await writeIrisWorld(join(dir, 'plain'), small);
    written = await writeIrisWorld(join(dir, 'attacked'), withAttacks);
    plain = parseCsv(await readFile(join(dir, 'plain', 'manifest.csv'), 'utf8'));
    attacked = parseCsv(await readFile(join(dir, 'attacked', 'manifest.csv'), 'utf8'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts live and attack images', () => {
    // 3 subjects x 2 eyes x 2 captures live; 3 x 2 x 3 species print/screen/lens; 2 fake eyes.
    expect(written).toMatchObject({ count: 12 + 18 + 2, bonaFideCount: 12, attackCount: 20 });
    expect(attacked.records).toHaveLength(32);
    expect(attacked.header).toEqual([...MANIFEST_COLUMNS]);
  });

  it('leaves the live captures and their manifest rows exactly as without attacks', async () => {
    const live = attacked.records.filter((r) => r.species === 'bona_fide');
    expect(live).toEqual(plain.records);
    expect(plain.records.every((r) => r.species === 'bona_fide' && r.attack_params === '')).toBe(true);
    for (const r of live) {
      for (const col of ['path', 'mask_path'] as const) {
        const a = await readFile(join(dir, 'plain', r[col]!));
        const b = await readFile(join(dir, 'attacked', r[col]!));
        expect(a.equals(b)).toBe(true);
      }
    }
  });

  it('lists each eye live captures first, then its attacks; fake eyes last', () => {
    const rows = attacked.records.map((r) => `${r.subject}${r.eye} ${r.species}`);
    expect(rows.slice(0, 5)).toEqual(['1L bona_fide', '1L bona_fide', '1L print', '1L screen', '1L lens']);
    expect(attacked.records.slice(-2).map((r) => r.species)).toEqual(['prosthetic', 'prosthetic']);
    expect(attacked.records.slice(-2).map((r) => r.subject)).toEqual(['P1', 'P2']);
  });

  it('writes attack images that are the rendered presentations, with their truth and parameters', async () => {
    const row = attacked.records.find((r) => r.species === 'screen' && r.subject === '2' && r.eye === 'R')!;
    expect(row.path).toBe(`images/${irisAttackName('screen', 2, 'R', 1)}.png`);
    expect(row.path).toBe('images/S0002R-screen01.png');
    const direct = renderAttack(small, 'screen', 2, 'R', 1);
    expect(same((await loadGray(join(dir, 'attacked', row.path!))).data, direct.image.data)).toBe(true);
    expect(same((await loadGray(join(dir, 'attacked', row.mask_path!))).data, direct.mask.data)).toBe(true);
    const truth = parseIrisTruthRow(row)!;
    expect(truth.iris.r).toBeCloseTo(direct.truth.iris.r, 2);
    const params = parseAttackParams(row.attack_params!);
    expect(params.display).toBe(direct.params.display);
    expect(params['recapture.zoom']).toBeCloseTo(direct.params['recapture.zoom'] as number, 3);
    for (const r of attacked.records.filter((x) => x.species !== 'bona_fide')) {
      expect(Object.keys(parseAttackParams(r.attack_params!)).length).toBeGreaterThan(5);
      expect(parseIrisTruthRow(r)!.visibleFraction).toBeGreaterThan(0);
    }
  });
});
