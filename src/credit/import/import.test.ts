import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gmscLikeTable, monthlyPanelTable, tableText } from '../../synth/credit/tables.js';
import { delongAuc } from '../../ml/evaluation/index.js';
import { trainTabular } from '../../ml/training/tabular.js';
import type { LabelledData } from '../../ml/data/dataset.js';
import { allEvents, countEvents, openEventStore } from '../events/store.js';
import type { FeatureView } from '../features/definitions.js';
import { computeOfflineFeatures } from '../features/offline.js';
import { BUILTIN_MAPPINGS } from './builtin.js';
import { importTable } from './import.js';
import { ensureLabelStore, insertLabels, listLabelledDatasets, readLabels, type LabelPoint } from './labels.js';
import { validateMapping } from './mapping.js';
import { featureView, featureViews } from '../catalog.js';
import { GMSC_VIEW, PANEL_VIEW } from './views.js';

const GMSC = BUILTIN_MAPPINGS.gmsc!;
const PANEL = BUILTIN_MAPPINGS['monthly-panel']!;
const NOW = Date.parse('2024-06-01T00:00:00Z');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-import-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openEventStore>>) => Promise<T>): Promise<T> {
  const db = await openEventStore(join(dir, 'data'));
  try {
    await ensureLabelStore(db);
    return await fn(db);
  } finally {
    db.close();
  }
}

async function features(view: FeatureView, points: readonly LabelPoint[]): Promise<Record<string, number | null>[]> {
  const rows = await withDb((db) => computeOfflineFeatures(db, view, points));
  return rows.map((r) => Object.fromEntries(view.features.map((f, j) => [f.name, r[j]!])));
}

const cell = (v: string): number | null => (v === 'NA' ? null : Number(v));

describe('importTable: a GMSC-like table', () => {
  it('imports every row as a bureau report and an application, with a label at asOf; features read the cells back', async () => {
    const table = gmscLikeTable({ rows: 400, seed: 11, sentinelRate: 0.02 });
    const file = join(dir, 'gmsc.csv');
    await writeFile(file, tableText(table));
    const seen: number[] = [];
    const report = await importTable(join(dir, 'data'), file, GMSC, { now: NOW, batchSize: 150, progress: (p) => seen.push(p.rows) });
    const positives = table.labels.reduce((s, y) => s + y, 0);
    expect(report).toMatchObject({ dataset: 'gmsc', view: 'gmsc', rows: 400, accepted: 400, inserted: 800, duplicates: 0, rejectedCount: 0, labels: 400, positives, clamped: 0 });
    expect(report.ignoredColumns).toEqual(['(column 1)']);
    expect(seen).toEqual([150, 300, 400]);

    const points = await withDb((db) => readLabels(db, 'gmsc'));
    const asOf = Date.parse(GMSC.asOf);
    expect(points.length).toBe(400);
    expect(points[0]).toEqual({ id: 'gmsc-000001', customerId: 'gmsc-000001', at: asOf, label: table.labels[0] });
    expect(points.map((p) => p.label)).toEqual(Array.from(table.labels));

    const values = await features(GMSC_VIEW, points);
    for (let r = 0; r < 400; r++) {
      const c = table.rows[r]!;
      expect(values[r]).toEqual({
        revolving_utilization: cell(c[2]!),
        age: cell(c[3]!),
        past_due_30_59: cell(c[4]!),
        debt_ratio: cell(c[5]!),
        monthly_income: cell(c[6]!),
        open_credit_lines: cell(c[7]!),
        past_due_90_plus: cell(c[8]!),
        real_estate_loans: cell(c[9]!),
        past_due_60_89: cell(c[10]!),
        dependents: cell(c[11]!),
        delinquencies: Number(c[4]) + Number(c[8]) + Number(c[10]),
      });
    }
    // Sentinels are kept as values.
    expect(values.some((v) => v.past_due_90_plus === 98 || v.past_due_90_plus === 96)).toBe(true);
    // Only events strictly before the point count: at the event times themselves nothing is seen.
    const before = await features(GMSC_VIEW, [{ id: 'x', customerId: 'gmsc-000001', at: asOf - 86_400_000, label: 0 }]);
    expect(Object.values(before[0]!).every((v) => v === null)).toBe(true);
  });

  it('is idempotent: a second import inserts no events and no labels', async () => {
    const file = join(dir, 'gmsc.csv');
    await writeFile(file, tableText(gmscLikeTable({ rows: 120, seed: 2 })));
    await importTable(join(dir, 'data'), file, GMSC, { now: NOW });
    const again = await importTable(join(dir, 'data'), file, GMSC, { now: NOW + 1000 });
    expect(again).toMatchObject({ rows: 120, accepted: 120, inserted: 0, duplicates: 240, labels: 0, labelDuplicates: 120 });
    await withDb(async (db) => {
      expect(await countEvents(db)).toBe(240);
      expect(Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM credit_labels'))!.n)).toBe(120);
      expect(await listLabelledDatasets(db)).toEqual([
        { name: 'gmsc', rows: 120, positives: expect.any(Number), view: 'gmsc', source: file, importedAt: NOW + 1000 },
      ]);
    });
  });

  it('rejects a bad row with its line and reason and keeps the others', async () => {
    const table = gmscLikeTable({ rows: 30, seed: 4 });
    const rows = table.rows.map((r) => [...r]);
    rows[4]![3] = '-3'; // age below 0: the event validator rejects it (file line 6)
    rows[9]![1] = 'maybe'; // label neither 0 nor 1 (line 11)
    rows[14]![5] = 'abc'; // DebtRatio not a number (line 16)
    rows[19]!.pop(); // one field short (line 21)
    const file = join(dir, 'bad.csv');
    await writeFile(file, tableText({ header: table.header, rows }));
    const report = await importTable(join(dir, 'data'), file, GMSC, { now: NOW });
    expect(report).toMatchObject({ rows: 30, accepted: 26, inserted: 52, rejectedCount: 4, labels: 26 });
    expect(report.rejected).toEqual([
      { line: 6, reason: 'application event: age must not be negative for a application event (got -3) [column "age"]' },
      { line: 11, reason: 'label column "SeriousDlqin2yrs": "maybe" is neither a positive (1) nor a negative (0) value' },
      { line: 16, reason: 'bureau.debtRatio: column "DebtRatio": not a number (got "abc")' },
      { line: 21, reason: '11 field(s), the header has 12' },
    ]);
    const ids = (await withDb((db) => readLabels(db, 'gmsc'))).map((p) => p.id);
    expect(ids).not.toContain('gmsc-000005');
    expect(ids).toContain('gmsc-000006');
    const events = await withDb((db) => allEvents(db));
    expect(events.some((e) => e.customerId === 'gmsc-000005')).toBe(false); // nothing of a rejected row is stored
  });

  it('rejects a repeated customer id, keeps datasets apart with --dataset, and checks file and mapping up front', async () => {
    const mapping = validateMapping({ ...GMSC, id: { column: 'ID' } });
    const text = 'ID,SeriousDlqin2yrs,RevolvingUtilizationOfUnsecuredLines,age,NumberOfTime30-59DaysPastDueNotWorse,DebtRatio,MonthlyIncome,NumberOfOpenCreditLinesAndLoans,NumberOfTimes90DaysLate,NumberRealEstateLoansOrLines,NumberOfTime60-89DaysPastDueNotWorse,NumberOfDependents\n' +
      'a7,0,0.5,40,0,0.3,5000,4,0,1,0,2\n' +
      'a7,1,0.9,30,1,0.3,NA,4,0,1,0,NA\n' +
      '12,1,0.9,30,1,0.3,NA,4,0,1,0,NA\n';
    const file = join(dir, 'ids.csv');
    await writeFile(file, text);
    const r = await importTable(join(dir, 'data'), file, mapping, { now: NOW, dataset: 'other' });
    expect(r.rejected).toEqual([{ line: 3, reason: 'customer id other-a7 repeats the row on line 2' }]);
    expect((await withDb((db) => readLabels(db, 'other'))).map((p) => p.customerId)).toEqual(['other-000012', 'other-a7']);

    await expect(importTable(join(dir, 'data'), join(dir, 'nope.csv'), GMSC, { now: NOW })).rejects.toMatchObject({ code: 'EVENT_FILE_UNREADABLE' });
    await writeFile(join(dir, 'short.csv'), 'SeriousDlqin2yrs,age\n1,40\n');
    await expect(importTable(join(dir, 'data'), join(dir, 'short.csv'), GMSC, { now: NOW })).rejects.toMatchObject({
      code: 'DATASET_INVALID',
      message: expect.stringMatching(/no column "NumberOfOpenCreditLinesAndLoans", which mapping gmsc reads for events\[0\]\.fields\.openAccounts; the columns are "SeriousDlqin2yrs", "age"/),
    });
    await expect(importTable(join(dir, 'data'), file, mapping, { now: Date.parse('2010-01-01T00:00:00Z') })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/asOf .* is in the future/) });
    await expect(importTable(join(dir, 'data'), file, mapping, { dataset: 'Bad Name' })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('importTable: a wide monthly panel', () => {
  const monthEnds = ['2005-09-30', '2005-08-31', '2005-07-31', '2005-06-30', '2005-05-31', '2005-04-30'].map((d) => Date.parse(`${d}T00:00:00Z`));

  it('turns each month into an installment due and a repayment at month ends, whatever the header variant', async () => {
    const table = monthlyPanelTable({ rows: 200, seed: 5, firstStatus: 'PAY_1', labelColumn: 'default.payment.next.month', negativeBillRate: 0.05 });
    const file = join(dir, 'panel.csv');
    await writeFile(file, tableText(table, { delimiter: ';', quoteHeader: true, eol: '\r\n' }));
    const report = await importTable(join(dir, 'data'), file, PANEL, { now: NOW });
    const negatives = table.rows.flatMap((r) => r.slice(12, 18)).filter((b) => Number(b) < 0).length;
    expect(negatives).toBeGreaterThan(0);
    expect(report).toMatchObject({ dataset: 'ccdefault', view: 'panel', rows: 200, accepted: 200, inserted: 200 * 14, rejectedCount: 0, labels: 200, clamped: negatives });
    expect(report.ignoredColumns).toEqual(['SEX', 'EDUCATION', 'MARRIAGE']);

    const events = (await withDb((db) => allEvents(db))).filter((e) => e.customerId === 'ccdefault-000001');
    const c = table.rows[0]!;
    const dues = events.filter((e) => e.type === 'installment_due');
    const pays = events.filter((e) => e.type === 'repayment');
    expect(dues.map((e) => e.eventTime).sort((a, b) => b - a)).toEqual(monthEnds);
    expect(pays.map((e) => e.eventTime).sort((a, b) => b - a)).toEqual(monthEnds);
    const recent = pays.find((e) => e.eventTime === monthEnds[0]) as { amount: number; daysLate: number; installmentNo: number; loanId: string };
    expect(recent).toMatchObject({ amount: Number(c[18]), daysLate: Math.max(0, Number(c[6])) * 30, installmentNo: 6, loanId: 'ccdefault-000001-loan' });
    expect(events.find((e) => e.type === 'loan')).toMatchObject({ loanId: 'ccdefault-000001-loan', amount: Number(c[1]), eventTime: Date.parse('2005-04-01T00:00:00Z') });
    expect(events.find((e) => e.type === 'application')).toMatchObject({ age: Number(c[5]) });

    const points = await withDb((db) => readLabels(db, 'ccdefault'));
    expect(points.map((p) => p.label)).toEqual(Array.from(table.labels));
    const values = await features(PANEL_VIEW, points.slice(0, 40));
    values.forEach((v, r) => {
      const row = table.rows[r]!.map(Number);
      const status = row.slice(6, 12);
      const bills = row.slice(12, 18).map((b) => Math.max(0, b));
      const paid = row.slice(18, 24);
      const days = status.map((s) => (s > 0 ? 30 * s : 0));
      const streak = days.findIndex((d) => d === 0);
      expect(v).toMatchObject({
        late_repayments_30d: days[0]! > 0 ? 1 : 0,
        late_repayments_90d: days.slice(0, 3).filter((d) => d > 0).length,
        late_repayments_365d: days.filter((d) => d > 0).length,
        serious_late_repayments_365d: days.filter((d) => d >= 60).length,
        days_late_last: days[0],
        max_days_late_90d: Math.max(...days.slice(0, 3)),
        max_days_late_365d: Math.max(...days),
        late_streak: streak < 0 ? 6 : streak,
        bill_last: bills[0],
        bill_sum_90d: bills[0]! + bills[1]! + bills[2]!,
        bill_sum_365d: bills.reduce((s, b) => s + b, 0),
        paid_last: paid[0],
        paid_sum_365d: paid.reduce((s, b) => s + b, 0),
        zero_payments_365d: paid.filter((p) => p <= 0).length,
        credit_limit: row[1],
        age: row[5],
      });
      expect(v.mean_days_late_365d).toBeCloseTo(days.reduce((s, d) => s + d, 0) / 6, 9);
    });
  });

  it('imports the UCI header (PAY_0, spaces in the label, ID) and finds the known relation with XGBoost', async () => {
    const table = monthlyPanelTable({ rows: 3000, seed: 9 });
    const file = join(dir, 'uci.csv');
    await writeFile(file, tableText(table));
    const report = await importTable(join(dir, 'data'), file, PANEL, { now: NOW, dataset: 'uci' });
    expect(report).toMatchObject({ dataset: 'uci', accepted: 3000, rejectedCount: 0 });
    const points = await withDb((db) => readLabels(db, 'uci'));
    expect(points[2]!.id).toBe('uci-000003');
    const view = featureView(PANEL.view);
    const rows = await withDb((db) => computeOfflineFeatures(db, view, points));
    const cols = view.features.length;
    const data: LabelledData = {
      rows: rows.length,
      cols,
      values: Float32Array.from(rows.flat(), (v) => (v === null ? Number.NaN : v)),
      labels: Uint8Array.from(points, (p) => p.label),
      featureNames: view.features.map((f) => f.name),
    };
    const trained = trainTabular(data, { folds: 3, seed: 1, params: { rounds: 200, eta: 0.1, nthread: 1 }, logisticBaseline: false });
    const truth = delongAuc(data.labels, table.probability).auc;
    expect(trained.auc).toBeGreaterThan(0.7);
    expect(trained.auc).toBeGreaterThan(truth - 0.05);
  });

  it('rejects the row of a negative bill when told to', async () => {
    const strict = validateMapping({ ...PANEL, monthly: { ...PANEL.monthly, negativeBill: 'reject' } });
    const table = monthlyPanelTable({ rows: 50, seed: 5, negativeBillRate: 0.05 });
    const file = join(dir, 'panel.csv');
    await writeFile(file, tableText(table));
    const report = await importTable(join(dir, 'data'), file, strict, { now: NOW });
    const bad = table.rows.flatMap((r, i) => (r.slice(12, 18).some((b) => Number(b) < 0) ? [i + 2] : []));
    expect(bad.length).toBeGreaterThan(0);
    expect(report.rejected.map((x) => x.line)).toEqual(bad);
    expect(report.rejected[0]!.reason).toMatch(/column "BILL_AMT\d": negative bill -\d+ \(a credit balance\)/);
  });
});

describe('labels and views', () => {
  it('stores points idempotently and reads them in time-then-id order', async () => {
    await withDb(async (db) => {
      const points: LabelPoint[] = [
        { id: 'b', customerId: 'c2', at: 2000, label: 1 },
        { id: 'a', customerId: 'c1', at: 2000, label: 0 },
        { id: 'z', customerId: 'c3', at: 1000, label: 0 },
      ];
      expect(await insertLabels(db, 'mine', points)).toEqual({ inserted: 3, duplicates: 0 });
      expect(await insertLabels(db, 'mine', [...points, { id: 'a', customerId: 'c1', at: 5, label: 1 }])).toEqual({ inserted: 0, duplicates: 4 });
      expect(await readLabels(db, 'mine')).toEqual([points[2], points[1], points[0]]);
      expect(await readLabels(db, 'other')).toEqual([]);
      expect(await listLabelledDatasets(db)).toEqual([{ name: 'mine', rows: 3, positives: 1, view: null, source: null, importedAt: null }]);
    });
  });

  it('validates the import views and looks them up by mapping', () => {
    expect(featureViews().map((v) => v.name)).toEqual(['underwriting', 'gmsc', 'panel']);
    expect(featureView(GMSC.view)).toBe(GMSC_VIEW);
    expect(featureView('panel')).toBe(PANEL_VIEW);
    expect(() => featureView('nope')).toThrow(/unknown feature view nope/);
    for (const v of [GMSC_VIEW, PANEL_VIEW]) for (const f of v.features) expect([f.name, f.description.length > 10, (f.adverseReason ?? '').length > 10]).toEqual([f.name, true, true]);
  });
});
