import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../lib/csv.js';
import { GMSC_COLUMNS, gmscLikeTable, monthlyPanelTable, tableText } from './tables.js';

const rate = (labels: number[]): number => labels.reduce((s, y) => s + y, 0) / Math.max(1, labels.length);

describe('gmscLikeTable', () => {
  it('is seeded, in the GMSC layout, with NA cells and sentinels', () => {
    const a = gmscLikeTable({ rows: 2000, seed: 7, sentinelRate: 0.01 });
    expect(gmscLikeTable({ rows: 2000, seed: 7, sentinelRate: 0.01 })).toEqual(a);
    expect(gmscLikeTable({ rows: 2000, seed: 8, sentinelRate: 0.01 }).rows).not.toEqual(a.rows);
    expect(a.header).toEqual([...GMSC_COLUMNS]);
    expect(a.rows.every((r) => r.length === GMSC_COLUMNS.length)).toBe(true);
    expect(a.rows.map((r) => r[0])).toEqual(a.rows.map((_, i) => String(i + 1)));
    expect(a.rows.map((r) => Number(r[1]))).toEqual(Array.from(a.labels));
    const income = a.rows.map((r) => r[6]);
    expect(income.filter((v) => v === 'NA').length / a.rows.length).toBeGreaterThan(0.15);
    expect(a.rows.some((r) => r[11] === 'NA')).toBe(true);
    expect(a.rows.some((r) => r[8] === '98' || r[8] === '96')).toBe(true);
    const share = rate(Array.from(a.labels));
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.3);
  });

  it('has a label that rises with the past-due history', () => {
    const t = gmscLikeTable({ rows: 5000, seed: 1 });
    const clean = t.rows.map((r, i) => ({ late: Number(r[4]) + Number(r[8]) + Number(r[10]), y: t.labels[i]! }));
    const never = clean.filter((x) => x.late === 0).map((x) => x.y);
    const often = clean.filter((x) => x.late >= 2 && x.late < 90).map((x) => x.y);
    expect(rate(often)).toBeGreaterThan(2 * rate(never));
  });
});

describe('monthlyPanelTable', () => {
  it('is seeded, in the credit-card-clients layout, most recent month first', () => {
    const t = monthlyPanelTable({ rows: 500, seed: 3 });
    expect(monthlyPanelTable({ rows: 500, seed: 3 })).toEqual(t);
    expect(t.header.slice(0, 8)).toEqual(['ID', 'LIMIT_BAL', 'SEX', 'EDUCATION', 'MARRIAGE', 'AGE', 'PAY_0', 'PAY_2']);
    expect(t.header.at(-1)).toBe('default payment next month');
    expect(t.header).toContain('BILL_AMT6');
    expect(t.header).toContain('PAY_AMT1');
    expect(t.rows.every((r) => r.length === t.header.length)).toBe(true);
    const bills = t.rows.flatMap((r) => r.slice(12, 18).map(Number));
    expect(bills.some((b) => b < 0)).toBe(true);
    const statuses = t.rows.flatMap((r) => r.slice(6, 12).map(Number));
    expect(new Set(statuses)).toContain(-2);
    expect(Math.max(...statuses)).toBeGreaterThan(1);
    const v = monthlyPanelTable({ rows: 5, seed: 3, firstStatus: 'PAY_1', labelColumn: 'default.payment.next.month' });
    expect(v.header[6]).toBe('PAY_1');
    expect(v.header.at(-1)).toBe('default.payment.next.month');
  });

  it('has a label that rises with recent lateness', () => {
    const t = monthlyPanelTable({ rows: 5000, seed: 2 });
    const late = t.rows.flatMap((r, i) => (Number(r[6]) > 0 ? [t.labels[i]!] : []));
    const onTime = t.rows.flatMap((r, i) => (Number(r[6]) <= 0 ? [t.labels[i]!] : []));
    expect(late.length).toBeGreaterThan(100);
    expect(rate(late)).toBeGreaterThan(2 * rate(onTime));
  });

  it('writes delimited text that reads back', () => {
    const t = monthlyPanelTable({ rows: 3, seed: 1 });
    const text = tableText(t, { quoteHeader: true, eol: '\r\n' });
    expect(text.startsWith('"ID","LIMIT_BAL"')).toBe(true);
    const back = parseCsv(text);
    expect(back.header).toEqual(t.header);
    expect(back.records[2]!['AGE']).toBe(t.rows[2]![5]);
    expect(tableText(t, { delimiter: ';' }).split('\n')[0]).toContain('ID;LIMIT_BAL;');
  });
});
