/**
 * Acceptance on a seeded synthetic world (50 subjects x 2 eyes x 8 captures at 640x480):
 * written to disk, evaluated through the same path as `irisk iris eval`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateIrisDataset, type IrisEvalReport } from '../src/identity/iris/evaluate.js';
import { writeIrisWorld } from '../src/synth/iris/index.js';

describe('iris pipeline on a seeded synthetic world', () => {
  let dir: string;
  let report: IrisEvalReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'irisk-world-'));
    await writeIrisWorld(join(dir, 'world'), { subjects: 50, captures: 8, seed: 20261122 });
    report = await evaluateIrisDataset(join(dir, 'world'), join(dir, 'report'), { bootstrapReplicates: 200, worstPairs: 3 });
  }, 900_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('evaluates every image and every pair', () => {
    expect(report.images).toBe(800);
    const enrolled = 800 - report.failures.length;
    expect(report.genuinePairs + report.impostorPairs).toBe((enrolled * (enrolled - 1)) / 2);
  });

  it('meets the accuracy bars: EER <= 0.5%, FTE <= 2%', () => {
    expect(report.eer).toBeLessThanOrEqual(0.005);
    expect(report.failureToEnrollRate).toBeLessThanOrEqual(0.02);
    expect(report.eerCi).not.toBeNull();
    expect(report.eerCi![0]).toBeLessThanOrEqual(report.eer);
  });

  it('segments accurately: mean pupil IoU >= 0.95, iris IoU >= 0.93', () => {
    expect(report.segmentation).not.toBeNull();
    expect(report.segmentation!.pupilIoU).toBeGreaterThanOrEqual(0.95);
    expect(report.segmentation!.irisIoU).toBeGreaterThanOrEqual(0.93);
  });

  it('writes report.json with the stable keys, and the plots', async () => {
    const json = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8'));
    for (const key of ['eer', 'fnmrAtFmr', 'failureToEnrollRate', 'genuinePairs', 'impostorPairs', 'dPrime', 'segmentation']) expect(json).toHaveProperty(key);
    expect(Object.keys(json.fnmrAtFmr).sort()).toEqual(['0.0001', '0.001', '0.01']);
    expect(json.segmentation).toHaveProperty('pupilIoU');
    expect(json.segmentation).toHaveProperty('irisIoU');
    for (const f of ['det.svg', 'det.png', 'scores.svg', 'scores.png']) await expect(readFile(join(dir, 'report', f))).resolves.toBeTruthy();
  });
});
