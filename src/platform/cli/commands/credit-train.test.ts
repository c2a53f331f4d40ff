import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../../../test/cli-harness.js';
import { gmscLikeTable, tableText } from '../../../synth/credit/tables.js';

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-credit-train-cli-'));
  data = join(dir, 'data');
  expect((await cli('synth', 'credit', '--customers', '2500', '--months', '24', '--seed', '8', '--out', join(dir, 'world'))).code).toBe(0);
  expect((await cli('credit', 'ingest', join(dir, 'world', 'events.ndjson'), '--data-dir', data)).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const errorOf = (stdout: string): { code: string; message: string } => (JSON.parse(stdout) as { error: { code: string; message: string } }).error;

describe('irisk credit train, decide, replay', () => {
  it('refuses to decide before a champion exists, and to train on an empty store', async () => {
    const decide = await cli('credit', 'decide', '--customer', 'C0000001', '--data-dir', data, '--json');
    expect(decide.code).toBe(3);
    expect(errorOf(decide.stdout).code).toBe('MODEL_ALIAS_NOT_FOUND');
    const empty = await cli('credit', 'train', '--report', join(dir, 'r0'), '--data-dir', join(dir, 'empty'), '--json');
    expect(empty.code).toBe(3);
    expect(errorOf(empty.stdout)).toMatchObject({ code: 'DATASET_INVALID', message: expect.stringMatching(/no matured loan/) });
  });

  it('trains, reports, registers the champion; decides with reasons; replays exactly', async () => {
    const report = join(dir, 'report');
    const train = await cli('credit', 'train', '--report', report, '--data-dir', data, '--promote', '--json');
    expect(train.code, train.stderr + train.stdout).toBe(0);
    const json = JSON.parse(await readFile(join(report, 'report.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['auc', 'ks', 'brier', 'ece']) expect(typeof json[k]).toBe('number');
    const [lo, hi] = json.aucCi as number[];
    expect(lo).toBeLessThan(json.auc as number);
    expect(hi).toBeGreaterThan(json.auc as number);
    expect(json.auc).toBeGreaterThan(0.65);
    expect((json.model as { version: string }).version).toMatch(/^[0-9a-f]{64}$/);
    for (const f of ['roc.png', 'roc.svg', 'calibration.png', 'calibration.svg']) await access(join(report, f));

    // A decision at the world's end with a strict policy, so that reasons appear.
    const policy = join(dir, 'strict.json');
    await writeFile(policy, JSON.stringify({ version: 'strict-1', approveBelow: 0.01, declineAtOrAbove: 0.02, reduceFrom: 0.5, reduceTo: 0.2, maxAmount: 3000 }));
    const decide = await cli('credit', 'decide', '--customer', 'C0000007', '--at', '2024-12-01', '--amount', '700', '--policy', policy, '--data-dir', data, '--json');
    expect(decide.code, decide.stderr + decide.stdout).toBe(0);
    const record = JSON.parse(decide.stdout) as { decisionId: string; decision: string; reasons: { statement: string }[]; policy: { version: string }; asOf: number };
    expect(record.policy.version).toBe('strict-1');
    expect(record.asOf).toBe(Date.UTC(2024, 11, 1));
    if (record.decision !== 'approve') expect(record.reasons.length).toBeGreaterThan(0);
    const human = await cli('credit', 'decide', '--customer', 'C0000007', '--at', '2024-12-01', '--amount', '700', '--policy', policy, '--data-dir', data);
    expect(human.stdout).toMatch(/^decision\s+(approve|reduced limit|decline)/m);

    const replay = await cli('credit', 'replay', record.decisionId, '--data-dir', data, '--json');
    expect(replay.code, replay.stdout).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ exact: true, decisionDiffs: [], featureDiffs: [] });

    const bt = await cli('credit', 'backtest', '--from', '2023-01-01', '--to', '2023-12-01', '--report', join(dir, 'bt'), '--data-dir', data, '--json');
    expect(bt.code, bt.stdout + bt.stderr).toBe(0);
    const result = JSON.parse(bt.stdout) as { inSample: boolean; rows: { period: string; loans: number }[]; total: { loans: number; approvalRate: number }; tradeoff: unknown[] };
    expect(result.inSample).toBe(true); // the window covers the training period, and says so
    expect(result.rows.reduce((s, r) => s + r.loans, 0)).toBe(result.total.loans);
    expect(result.tradeoff).toHaveLength(100);
    await access(join(dir, 'bt', 'backtest.png'));
  });

  it('trains on an imported snapshot dataset with a stratified random split and its own view and line', async () => {
    const table = gmscLikeTable({ rows: 6000, seed: 3 });
    const file = join(dir, 'gmsc-like.csv');
    await writeFile(file, tableText(table));
    const snapshot = join(dir, 'snapshot');
    expect((await cli('credit', 'import', file, '--mapping', 'gmsc', '--data-dir', snapshot)).code).toBe(0);
    const train = await cli('credit', 'train', '--dataset', 'gmsc', '--report', join(dir, 'gmsc-report'), '--data-dir', snapshot, '--promote', '--json');
    expect(train.code, train.stdout + train.stderr).toBe(0);
    const report = JSON.parse(train.stdout) as { auc: number; split: { kind: string }; view: { name: string }; model: { line: string }; counts: { test: number; points: number } };
    expect(report.split.kind).toBe('random');
    expect(report.view.name).toBe('gmsc');
    expect(report.model.line).toBe('credit-gmsc');
    expect(report.counts.points).toBe(6000);
    // The generator's own probabilities reach an AUC of 0.78 on these rows; the events path must come close.
    expect(report.auc).toBeGreaterThan(0.72);
    const decide = await cli('credit', 'decide', '--customer', 'gmsc-000001', '--model', 'credit-gmsc@champion', '--at', '2011-01-01', '--data-dir', snapshot, '--json');
    expect(decide.code, decide.stdout).toBe(0);
    expect((JSON.parse(decide.stdout) as { view: { name: string } }).view.name).toBe('gmsc');
    const missing = await cli('credit', 'train', '--dataset', 'nope', '--report', join(dir, 'r-nope'), '--data-dir', snapshot, '--json');
    expect([missing.code, errorOf(missing.stdout).code]).toEqual([3, 'DATASET_INVALID']);
  });

  it('rejects bad input with typed errors', async () => {
    const bad = join(dir, 'bad-policy.json');
    await writeFile(bad, JSON.stringify({ version: 'x', approveBelow: '0.1', declineAtOrAbove: 0.2, reduceFrom: 0.8, reduceTo: 0.3, maxAmount: 10 }));
    const cases: [string[], number, string][] = [
      [['credit', 'decide', '--customer', 'C1', '--policy', bad], 3, 'CONFIG_INVALID'],
      [['credit', 'decide', '--customer', 'C1', '--amount', '-5'], 2, 'USAGE'],
      [['credit', 'decide', '--customer', 'C1', '--at', 'yesterday'], 2, 'USAGE'],
      [['credit', 'replay', 'no-such-decision'], 3, 'DECISION_NOT_FOUND'],
      [['credit', 'train', '--report', join(dir, 'r1'), '--view', 'nope'], 3, 'CONFIG_INVALID'],
      [['credit', 'train', '--report', join(dir, 'r2'), '--test-share', '2'], 2, 'USAGE'],
      [['credit', 'backtest', '--from', '2024-01-01', '--to', '2023-01-01'], 2, 'USAGE'],
      [['credit', 'backtest', '--from', '2030-01-01', '--to', '2031-01-01', '--report', join(dir, 'bt-empty')], 3, 'DATASET_INVALID'],
    ];
    for (const [args, code, error] of cases) {
      const r = await cli(...args, '--data-dir', data, '--json');
      expect([args.join(' '), r.code, errorOf(r.stdout).code]).toEqual([args.join(' '), code, error]);
    }
  });
});
