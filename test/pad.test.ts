/**
 * Presentation-attack detection end to end on a small seeded synthetic world (320x280, 16
 * subjects, every attack species): the cross-validated protocols and their report, registration
 * and loading (the registered detector scores exactly like the fitted one), and the PAD check of
 * `irisk iris encode` (an attack refused with PAD_ATTACK_SUSPECTED, a live eye passed).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPadDataset, type PadDataset } from '../src/identity/pad/dataset.js';
import { withReferenceLive } from '../src/identity/pad/domain.js';
import { selectRows } from '../src/ml/data/dataset.js';
import { fittedDetector, loadPadDetector, registerPadDetector } from '../src/identity/pad/detector.js';
import { evaluatePadProtocols, operatingRates, type PadProtocols } from '../src/identity/pad/evaluate.js';
import { fitPadDetector, groupFolds } from '../src/identity/pad/train.js';
import { openRegistry } from '../src/ml/registry/index.js';
import { cli } from './cli-harness.js';

const SPECIES = ['lens', 'print', 'prosthetic', 'screen'];

let dir: string;
let world: string;
let ds: PadDataset;
let protocols: PadProtocols;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-pad-'));
  world = join(dir, 'world');
  const r = await cli('synth', 'iris', '--out', world, '--subjects', '16', '--captures', '3', '--seed', '5', '--size', '320x280', '--attacks', SPECIES.join(','));
  expect(r.code).toBe(0);
  ds = await loadPadDataset(world, { requireAttacks: true, workers: 2 });
  protocols = evaluatePadProtocols(ds.data, ds.species, { seed: 1 });
}, 240_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('folds and operating rates', () => {
  it('keeps every subject in one fold, and the same seed gives the same folds', () => {
    const groups = ['a', 'a', 'b', 'c', 'c', 'c', 'd', 'e', 'f', 'f'];
    const f = groupFolds(groups, 3, 7);
    for (const g of new Set(groups)) expect(new Set(groups.flatMap((x, i) => (x === g ? [f[i]] : []))).size).toBe(1);
    expect([...groupFolds(groups, 3, 7)]).toEqual([...f]);
    expect(new Set(f).size).toBe(3);
    expect(() => groupFolds(['a', 'b'], 3, 1)).toThrow(/too few/);
  });

  it('judges each presentation by the threshold of the detector that scored it', () => {
    const r = operatingRates([
      { row: 0, score: 0.4, threshold: 0.5, isAttack: true, species: 'print' }, // passed
      { row: 1, score: 0.4, threshold: 0.3, isAttack: true, species: 'print' }, // caught
      { row: 2, score: 0.5, threshold: 0.5, isAttack: true, species: 'screen' }, // caught: equal is attack
      { row: 3, score: 0.6, threshold: 0.7, isAttack: false, species: 'bona_fide' }, // accepted
      { row: 4, score: 0.6, threshold: 0.5, isAttack: false, species: 'bona_fide' }, // rejected
    ]);
    expect(r).toEqual({ apcer: { print: 0.5, screen: 0 }, maxApcer: 0.5, bpcer: 0.5 });
  });
});

describe('PAD protocols on a seeded synthetic world', () => {
  it('featurises every presentation, rejected captures included', () => {
    expect(ds.species).toEqual(SPECIES);
    expect(ds.data.rows).toBe(ds.items.length);
    for (let i = 0; i < ds.data.values.length; i++) expect(Number.isFinite(ds.data.values[i]) || Number.isNaN(ds.data.values[i])).toBe(true);
    expect(ds.outcomes.some((o) => !o.ok)).toBe(true);
  });

  it('separates every species from live eyes when all species are seen (equal error rate <= 15% each)', () => {
    // Measured 3-8% on this world; 16 subjects is far too few for the 1% operating points (see docs/pad.md).
    for (const s of SPECIES) expect(protocols.allSeen.pooled.eer[s], s).toBeLessThanOrEqual(0.15);
    expect(protocols.allSeen.scored).toHaveLength(ds.data.rows);
  });

  it('scores each left-out species only with detectors that never saw it', () => {
    for (const s of SPECIES) {
      const r = protocols.leaveOneOut[s]!;
      expect(new Set(r.scored.filter((x) => x.isAttack).map((x) => x.species))).toEqual(new Set([s]));
      expect(r.scored.filter((x) => !x.isAttack)).toHaveLength(ds.data.rows - ds.data.labels.reduce((a, b) => a + b, 0));
    }
  });
});

describe('reference live captures of the target camera', () => {
  it('join every training side and are never scored', () => {
    const live = [...Array(ds.data.rows).keys()].filter((r) => ds.data.labels[r] === 0).slice(0, 20);
    const m = selectRows(ds.data, live);
    const reference = { ...m, species: live.map(() => 'bona_fide'), groups: live.map((r) => ds.data.groups[r]!) };
    const joined = withReferenceLive(ds.data, reference);
    expect(joined.rows).toBe(ds.data.rows + 20);
    expect(joined.groups.slice(ds.data.rows).every((g) => g.startsWith('reference:'))).toBe(true);
    const p = evaluatePadProtocols(ds.data, ['print'], { seed: 2, reference, outerFolds: 2 });
    expect(p.allSeen.scored).toHaveLength(ds.data.rows);
    expect(Math.max(...p.allSeen.scored.map((x) => x.row))).toBeLessThan(ds.data.rows);
  });

  it('must be live eyes only', () => {
    const attack = [...Array(ds.data.rows).keys()].filter((r) => ds.data.labels[r] === 1).slice(0, 3);
    const m = selectRows(ds.data, attack);
    const reference = { ...m, species: attack.map((r) => ds.data.species[r]!), groups: attack.map((r) => ds.data.groups[r]!) };
    expect(() => withReferenceLive(ds.data, reference)).toThrow(expect.objectContaining({ code: 'DATASET_INVALID' }));
  });
});

describe('registration', () => {
  it('a registered detector scores every presentation exactly like the fitted one', async () => {
    const rows = [...Array(ds.data.rows).keys()];
    const fitted = fitPadDetector(ds.data, rows, { seed: 3 });
    const registry = await openRegistry(join(dir, 'reg-data'));
    try {
      const id = await registerPadDetector(registry, fitted, { fingerprint: 'f'.repeat(64), rows: rows.length, source: 'test world' });
      const loaded = await loadPadDetector(registry, id);
      const local = fittedDetector(fitted);
      expect(loaded.threshold).toBe(fitted.threshold);
      expect(loaded.version).toBe(id);
      for (const r of rows) {
        const x = ds.data.values.subarray(r * ds.data.cols, (r + 1) * ds.data.cols);
        expect(loaded.score(x)).toBe(local.score(x));
      }
      await expect(loadPadDetector(registry)).rejects.toMatchObject({ code: 'MODEL_ALIAS_NOT_FOUND' });
    } finally {
      registry.close();
    }
  });
});

describe('irisk pad eval / train and the PAD check of iris encode', () => {
  it('pad eval writes the ISO/IEC 30107-3 report, DET plots and the error gallery', async () => {
    const report = join(dir, 'report');
    const r = await cli('pad', 'eval', world, '--report', report, '--json', '--workers', '2');
    expect(r.code).toBe(0);
    const json = JSON.parse(await readFile(join(report, 'report.json'), 'utf8'));
    expect(Object.keys(json.apcer).sort()).toEqual(SPECIES);
    expect(json.maxApcer).toBe(Math.max(...(Object.values(json.apcer) as number[])));
    expect(json.bpcer).toBeGreaterThanOrEqual(0);
    expect(Object.keys(json.bpcerAtApcer).sort()).toEqual(['0.01', '0.05']);
    expect(Object.keys(json.leaveOneOut).sort()).toEqual(SPECIES);
    for (const s of SPECIES) expect(json.leaveOneOut[s].apcerAtBpcer['0.01']).toBeGreaterThanOrEqual(0);
    for (const f of ['det-all-seen.png', 'det-leave-one-out.png', 'errors.html']) expect(existsSync(join(report, f)), f).toBe(true);
    const listed = [...json.errors.passedAttacks, ...json.errors.rejectedBonafide].filter((e: { image?: string }) => e.image);
    for (const e of listed) expect(existsSync(join(report, e.image))).toBe(true);
  }, 120_000);

  it('usage errors exit 2; a missing dataset and a reference with attacks are refused', async () => {
    expect((await cli('pad', 'eval', world)).code).toBe(2);
    expect((await cli('pad', 'eval', world, '--report', join(dir, 'x'), '--folds', '1')).code).toBe(2);
    expect((await cli('pad', 'train', world, '--target-apcer', 'low')).code).toBe(2);
    const r = await cli('pad', 'train', join(dir, 'nowhere'), '--json', '--data-dir', join(dir, 'd0'));
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe('DATASET_INVALID');
    const withAttacks = await cli('pad', 'train', world, '--reference-live', world, '--json', '--data-dir', join(dir, 'd0'), '--workers', '2');
    expect(withAttacks.code).toBe(3);
    expect(JSON.parse(withAttacks.stdout).error.message).toMatch(/reference captures must all be live eyes/);
  }, 60_000);

  it('a promoted detector makes iris encode refuse an attack with PAD_ATTACK_SUSPECTED and pass a live eye', async () => {
    const data = join(dir, 'cli-data');
    const t = await cli('pad', 'train', world, '--promote', '--data-dir', data, '--json', '--workers', '2');
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.stdout);
    const registry = await openRegistry(data);
    const detector = await loadPadDetector(registry).finally(() => registry.close());
    expect(detector.version).toBe(trained.version);
    // The clearest attack and live eye by this detector, among captures the pipeline encodes.
    const encoded = ds.items.map((item, r) => ({ item, r })).filter(({ r }) => ds.outcomes[r]!.ok);
    const score = (r: number) => detector.score(ds.data.values.subarray(r * ds.data.cols, (r + 1) * ds.data.cols));
    const attack = encoded.filter(({ item }) => item.species !== 'bona_fide').sort((a, b) => score(b.r) - score(a.r))[0]!;
    const live = encoded.filter(({ item }) => item.species === 'bona_fide').sort((a, b) => score(a.r) - score(b.r))[0]!;

    const refused = await cli('iris', 'encode', attack.item.path, '--data-dir', data, '--json');
    expect(refused.code).toBe(3);
    const err = JSON.parse(refused.stdout).error;
    expect(err.code).toBe('PAD_ATTACK_SUSPECTED');
    expect(err.details.score).toBeCloseTo(score(attack.r), 6);
    expect(err.details.score).toBeGreaterThanOrEqual(err.details.threshold);

    const passed = await cli('iris', 'encode', live.item.path, '--data-dir', data, '--json', '--out', join(dir, 'live.json'));
    expect(passed.code).toBe(0);
    const summary = JSON.parse(passed.stdout);
    expect(summary.pad.attack).toBe(false);
    expect(summary.pad.model).toBe(trained.version);

    expect((await cli('iris', 'encode', attack.item.path, '--data-dir', data, '--no-pad', '--json', '--out', join(dir, 'a.json'))).code).toBe(0);
  }, 120_000);
});
