/**
 * `irisk train tabular` and `irisk models gate` end to end, in-process, on CSVs written from a
 * seeded synthetic world: report keys, registration, the gate's pass and fail, and bad input that
 * must leave the registry untouched.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '../src/lib/csv.js';
import { tabularWorld } from '../src/synth/tabular.js';
import { cli } from './cli-harness.js';

let dir: string;
let dataDir: string;
let trainCsv: string;
let testCsv: string;

function worldCsv(rows: number, seed: number): string {
  const w = tabularWorld({ rows, cols: 6, seed });
  const header = ['', ...w.featureNames.slice(0, 3), 'label', ...w.featureNames.slice(3)];
  const body = Array.from({ length: w.rows }, (_, r) => {
    const v = (j: number) => (Number.isNaN(w.values[r * w.cols + j]!) ? 'NA' : String(w.values[r * w.cols + j]));
    return [String(r + 1), v(0), v(1), v(2), String(w.labels[r]), v(3), v(4), v(5)];
  });
  return toCsv(header, body);
}

const train = (...args: string[]) => cli('train', 'tabular', '--data-dir', dataDir, '--json', ...args);
const registered = async () => {
  const r = await cli('models', 'list', '--data-dir', dataDir, '--json');
  return JSON.parse(r.stdout) as { id: string; name: string }[];
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-cli-train-'));
  dataDir = join(dir, 'data');
  trainCsv = join(dir, 'train.csv');
  testCsv = join(dir, 'test.csv');
  await writeFile(trainCsv, worldCsv(3000, 1));
  await writeFile(testCsv, worldCsv(3000, 2));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('irisk train tabular + models gate + models import', () => {
  let good: string;

  it('cross-validates, writes the report and plots, and registers the model', async () => {
    const report = join(dir, 'report-good');
    const r = await train('--csv', trainCsv, '--label', 'label', '--folds', '3', '--name', 'synthetic', '--report', report);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(report, 'report.json'), 'utf8'));
    expect(json.auc).toBeGreaterThan(0.75);
    expect(json.aucCi).toHaveLength(2);
    expect(json.aucCi[0]).toBeLessThan(json.auc);
    expect(json.aucCi[1]).toBeGreaterThan(json.auc);
    expect(json.folds).toBe(3);
    expect(json.foldResults).toHaveLength(3);
    expect(json.data.features).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'x5']); // the unnamed index is not a feature
    expect(json.version).toMatch(/^[0-9a-f]{64}$/);
    expect((await readdir(report)).sort()).toEqual(['calibration.png', 'calibration.svg', 'report.json', 'roc.png', 'roc.svg']);
    good = json.version;
    const show = JSON.parse((await cli('models', 'show', good, '--data-dir', dataDir, '--json')).stdout);
    expect(show.metadata.kind).toBe('xgboost');
    expect(show.files.map((f: { name: string }) => f.name).sort()).toEqual(['calibration.json', 'model.json']);
  });

  it('gate: passes a candidate equal to its baseline, fails a degraded one with exit code 4', async () => {
    const same = await cli('models', 'gate', '--candidate', good, '--baseline', good, '--data', testCsv, '--data-dir', dataDir, '--p99-us', '1e9');
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toMatch(/gate: PASS/);
    const saved = /report (.*\.json)/.exec(same.stdout)![1]!;
    expect(saved.startsWith(join(dataDir, 'gates'))).toBe(true);
    expect(JSON.parse(await readFile(saved, 'utf8')).pass).toBe(true);

    const r = await train('--csv', trainCsv, '--label', 'label', '--folds', '2', '--name', 'synthetic', '--rounds', '1', '--max-depth', '1', '--report', join(dir, 'report-bad'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const bad = JSON.parse(r.stdout).version as string;
    await cli('models', 'promote', good, '--alias', 'champion', '--reason', 'first good model', '--data-dir', dataDir);
    const reportFile = join(dir, 'gate', 'gate.json');
    const fail = await cli('models', 'gate', '--candidate', bad, '--baseline', 'synthetic@champion', '--data', testCsv, '--data-dir', dataDir, '--p99-us', '1e9', '--report', reportFile);
    expect(fail.code).toBe(4);
    expect(fail.stdout).toMatch(/auc\s+FAIL/);
    const json = JSON.parse(await readFile(reportFile, 'utf8'));
    expect(json.pass).toBe(false);
    expect(json.baselineVersion).toBe(good);
    expect(json.checks.find((c: { name: string }) => c.name === 'auc').pass).toBe(false);
  });

  it('imports a model trained elsewhere and gates it against the original', async () => {
    const show = JSON.parse((await cli('models', 'show', good, '--data-dir', dataDir, '--json')).stdout);
    const modelFile = show.files.find((f: { name: string }) => f.name === 'model.json').path;
    const r = await cli('models', 'import', '--model', modelFile, '--name', 'imported', '--training-csv', trainCsv, '--label', 'label', '--data-dir', dataDir, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const id = JSON.parse(r.stdout).version;
    const gate = await cli('models', 'gate', '--candidate', id, '--baseline', good, '--data', testCsv, '--label', 'label', '--data-dir', dataDir, '--p99-us', '1e9', '--max-ece', '1');
    expect(gate.code, gate.stdout).toBe(0);
  });

  it('bad input: typed errors, exit 3, nothing registered', async () => {
    const before = (await registered()).length;
    const cases: [string, string, string][] = [
      ['missing-label.csv', 'a,b\n1,2\n3,4\n', 'DATASET_INVALID'],
      ['non-binary.csv', 'label,a\n0,1\n3,2\n1,5\n', 'DATASET_INVALID'],
      ['junk.csv', 'label,a\n0,1\n1,zz\n', 'DATASET_INVALID'],
      ['empty.csv', '', 'DATASET_INVALID'],
    ];
    for (const [name, text, code] of cases) {
      const file = join(dir, name);
      await writeFile(file, text);
      const r = await train('--csv', file, '--label', 'label', '--report', join(dir, 'r-' + name));
      expect(r.code, name).toBe(3);
      expect(JSON.parse(r.stdout).error.code, name).toBe(code);
    }
    // A report path that cannot be a directory: refused before training, nothing registered.
    const blocked = await train('--csv', trainCsv, '--label', 'label', '--folds', '2', '--report', join(trainCsv, 'sub'));
    expect(blocked.code).toBe(2);
    // Gating on a model's own training data is refused (in-sample AUC flatters an overfit model).
    const inSample = await cli('models', 'gate', '--candidate', good, '--baseline', good, '--data', trainCsv, '--data-dir', dataDir, '--json');
    expect(inSample.code).toBe(3);
    expect(JSON.parse(inSample.stdout).error.message).toMatch(/trained on/);
    const missing = await train('--csv', join(dir, 'nope.csv'), '--label', 'label', '--report', join(dir, 'r-nope'));
    expect(JSON.parse(missing.stdout).error.code).toBe('FILE_NOT_FOUND');
    const badModel = join(dir, 'not-xgboost.json');
    await writeFile(badModel, '{"hello": 1}');
    const imported = await cli('models', 'import', '--model', badModel, '--name', 'synthetic', '--training-csv', trainCsv, '--label', 'label', '--data-dir', dataDir, '--json');
    expect(imported.code).toBe(3);
    expect(JSON.parse(imported.stdout).error.code).toBe('MODEL_INVALID');
    expect((await cli('models', 'gate', '--candidate', 'deadbeefdeadbeef', '--baseline', good, '--data', testCsv, '--data-dir', dataDir, '--json')).code).toBe(3);
    expect((await cli('models', 'gate', '--candidate', good, '--baseline', 'synthetic@nosuchalias', '--data', testCsv, '--data-dir', dataDir)).code).toBe(3);
    expect((await registered()).length).toBe(before);
  });
});
