import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIriskError } from '../../lib/errors.js';
import { loadGray } from '../../lib/image.js';
import { MANIFEST_COLUMNS, parseIrisTruthRow } from './truth.js';
import { renderCapture, writeIrisWorld, type IrisWorldOptions } from './world.js';

const EXPECTED_PREFIX =
  'path,subject,eye,pupil_x,pupil_y,pupil_r,iris_x,iris_y,iris_r,upper_lid_a,upper_lid_x0,upper_lid_y0,' +
  'lower_lid_a,lower_lid_x0,lower_lid_y0,rotation_deg,pupil_ratio,visible_fraction,mask_path';

describe('writeIrisWorld', () => {
  it('writes images, masks and a manifest whose truth reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'irisk-synth-iris-'));
    try {
      const options: IrisWorldOptions = { subjects: 2, captures: 2, seed: 5, width: 200, height: 160, eyes: ['L', 'R'] };
      const ticks: number[] = [];
      const { manifestPath, count } = await writeIrisWorld(dir, options, {
        start: (total) => ticks.push(-total),
        tick: () => ticks.push(1),
        stop: () => ticks.push(0),
      });
      expect(count).toBe(8);
      expect(ticks).toEqual([-8, 1, 1, 1, 1, 1, 1, 1, 1, 0]);

      const lines = (await readFile(manifestPath, 'utf8')).trimEnd().split('\n');
      expect(lines[0]!.startsWith(EXPECTED_PREFIX + ',')).toBe(true);
      expect(lines[0]).toBe(MANIFEST_COLUMNS.join(','));
      expect(lines).toHaveLength(9);
      const records = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [MANIFEST_COLUMNS[i]!, v])));
      expect(records.map((r) => r.path)).toEqual([
        'images/S0001L01.png',
        'images/S0001L02.png',
        'images/S0001R01.png',
        'images/S0001R02.png',
        'images/S0002L01.png',
        'images/S0002L02.png',
        'images/S0002R01.png',
        'images/S0002R02.png',
      ]);

      const rec = records[6]!; // S0002R01
      expect(rec.subject).toBe('2');
      expect(rec.eye).toBe('R');
      expect(rec.mask_path).toBe('masks/S0002R01.png');
      const truth = parseIrisTruthRow(rec)!;
      const direct = renderCapture(options, 2, 'R', 1);
      expect(truth.pupil.x).toBeCloseTo(direct.truth.pupil.x, 2);
      expect(truth.iris.r).toBeCloseTo(direct.truth.iris.r, 2);
      expect(truth.upperLid.a).toBeCloseTo(direct.truth.upperLid.a, 8);
      expect(truth.lowerLid.y0).toBeCloseTo(direct.truth.lowerLid.y0, 2);
      expect(truth.visibleFraction).toBeCloseTo(direct.truth.visibleFraction, 4);

      const image = await loadGray(join(dir, rec.path!));
      const mask = await loadGray(join(dir, rec.mask_path!));
      expect(Buffer.from(image.data).equals(Buffer.from(direct.image.data))).toBe(true);
      expect(Buffer.from(mask.data).equals(Buffer.from(direct.mask.data))).toBe(true);
      expect(new Set(mask.data)).toEqual(new Set([0, 255]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options before writing anything', async () => {
    await expect(writeIrisWorld('/nonexistent/irisk', { subjects: 0, captures: 1, seed: 1 })).rejects.toSatisfy((e) => isIriskError(e, 'USAGE'));
  });
});

describe('parseIrisTruthRow', () => {
  it('returns null when the truth columns are absent or empty', () => {
    expect(parseIrisTruthRow({ path: 'S1001L01.jpg', subject: '1001', eye: 'L' })).toBeNull();
    const row = Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, '1']));
    expect(parseIrisTruthRow({ ...row, iris_r: '' })).toBeNull();
    expect(parseIrisTruthRow(row)?.iris).toEqual({ x: 1, y: 1, r: 1 });
  });

  it('throws DATASET_INVALID on a malformed number', () => {
    const row = Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, '1']));
    expect(() => parseIrisTruthRow({ ...row, pupil_r: 'abc' })).toThrow(/pupil_r/);
  });
});
